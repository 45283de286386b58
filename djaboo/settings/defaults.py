"""What a new space starts with: sensible mail settings, a clean header and footer and a
signature in every language, and its company details."""

from __future__ import annotations

from markupsafe import escape

from djaboo.i18n import LANGUAGES
from djaboo.settings.models import CompanyProfile, EmailSettings, EmailWrapper
from djaboo.spaces.models import Space

DEFAULT_HEADER_HTML = (
    '<div style="padding:0 0 12px;margin:0 0 20px;border-bottom:2px solid #2453d6;'
    'font-size:18px;font-weight:bold;color:#1d2330">{companyname}</div>'
)
_FOOTER_STYLE = (
    '<div style="margin:28px 0 0;padding:12px 0 0;border-top:1px solid #dfe3ea;'
    'font-size:12px;color:#6b7385">'
)
DEFAULT_FOOTER_HTML = (
    f"{_FOOTER_STYLE}This email was sent to you by "
    "{companyname}. Reply to it if you have any question.</div>"
)
# (signature with {name}, footer) per language; the header is the company's name in all.
SHIPPED_TEXTS = {
    "en": ("<p>Kind regards,<br>{name}</p>", DEFAULT_FOOTER_HTML),
    "fr": (
        "<p>Cordialement,<br>{name}</p>",
        f"{_FOOTER_STYLE}Cet e-mail vous a été envoyé par {{companyname}}. Pour toute "
        "question, il vous suffit d'y répondre.</div>",
    ),
    "ja": (
        "<p>今後ともよろしくお願い申し上げます。<br>{name}</p>",
        f"{_FOOTER_STYLE}本メールは{{companyname}}よりお送りしています。ご不明な点がございましたら、"
        "本メールにご返信ください。</div>",
    ),
}


def shipped_wrapper(language: str, space_name: str) -> EmailWrapper:
    """The shipped signature, header and footer of a language (a new row, not added)."""
    signature, footer = SHIPPED_TEXTS[language]
    return EmailWrapper(
        language=language,
        # The signature is a merge value, never parsed for fields, so the name is written in.
        signature_html=signature.format(name=escape(space_name)),
        header_html=DEFAULT_HEADER_HTML,
        footer_html=footer,
    )


def default_email_settings(space: Space) -> EmailSettings:
    return EmailSettings(
        space_id=space.id,
        space=space,
        engine="standard",
        protocol="smtp",
        encryption="tls",
        host="",
        port=587,
        charset="utf-8",
        timeout_seconds=30,
        wrappers=[shipped_wrapper(language, space.name) for language in LANGUAGES],
    )


def default_company_profile(space: Space) -> CompanyProfile:
    return CompanyProfile(space_id=space.id, legal_name="", payment_terms_days=30)

"""What a new space starts with: sensible mail settings and a clean header and footer."""

from __future__ import annotations

from markupsafe import escape

from djaboo.settings.models import EmailSettings

DEFAULT_HEADER_HTML = (
    '<div style="padding:0 0 12px;margin:0 0 20px;border-bottom:2px solid #2453d6;'
    'font-size:18px;font-weight:bold;color:#1d2330">{companyname}</div>'
)
DEFAULT_FOOTER_HTML = (
    '<div style="margin:28px 0 0;padding:12px 0 0;border-top:1px solid #dfe3ea;'
    'font-size:12px;color:#6b7385">This email was sent to you by '
    "{companyname}. Reply to it if you have any question.</div>"
)


def default_email_settings(space_id: int, space_name: str) -> EmailSettings:
    # The signature is a merge value, never parsed for fields, so the name is written into it.
    signature = f"<p>Kind regards,<br>{escape(space_name)}</p>"
    return EmailSettings(
        space_id=space_id,
        signature_html=signature,
        engine="standard",
        protocol="smtp",
        encryption="tls",
        host="",
        port=587,
        charset="utf-8",
        header_html=DEFAULT_HEADER_HTML,
        footer_html=DEFAULT_FOOTER_HTML,
        timeout_seconds=30,
    )

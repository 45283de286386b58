"""Provider presets: facts that fill SMTP Host, SMTP Port and Email Encryption in one click.

Each entry says what else the admin must know (app passwords, API keys as passwords, regions).
"""

from __future__ import annotations

from dataclasses import dataclass

from djaboo.i18n import _l


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    host: str
    port: int
    encryption: str
    note: str  # lazy: translated when shown
    username_hint: str = ""


PRESETS = [
    Preset(
        "gmail",
        "Gmail / Google Workspace",
        "smtp.gmail.com",
        465,
        "ssl",
        _l(
            "Gmail accepts SSL on 465 or TLS on 587. With 2-step verification on, create an app "
            "password (Google Account → Security → App passwords) and use it as SMTP Password."
        ),
        _l("your full Gmail address"),
    ),
    Preset(
        "outlook",
        "Outlook / Microsoft 365",
        "smtp.office365.com",
        587,
        "tls",
        _l(
            "Microsoft has ended basic SMTP authentication for Exchange Online: password "
            "login will not work. Supported through OAuth: choose Microsoft 365 (OAuth) as "
            "Email Protocol."
        ),
        _l("your Microsoft 365 address"),
    ),
    Preset(
        "yahoo",
        "Yahoo Mail",
        "smtp.mail.yahoo.com",
        465,
        "ssl",
        _l("Yahoo needs an app password (Account security → Generate app password)."),
        _l("your full Yahoo address"),
    ),
    Preset(
        "icloud",
        "iCloud Mail",
        "smtp.mail.me.com",
        587,
        "tls",
        _l("iCloud needs an app-specific password from appleid.apple.com."),
        _l("your iCloud email address"),
    ),
    Preset(
        "zoho",
        "Zoho Mail",
        "smtp.zoho.com",
        465,
        "ssl",
        _l(
            "Accounts in the EU data centre use smtp.zoho.eu (and .in, .com.au likewise). With "
            "two-factor authentication on, use an application-specific password."
        ),
        _l("your Zoho email address"),
    ),
    Preset(
        "ovh",
        "OVHcloud",
        "ssl0.ovh.net",
        465,
        "ssl",
        _l("OVHcloud email accounts: SSL on 465 (TLS on 587 also works)."),
        _l("your full email address"),
    ),
    Preset(
        "brevo",
        "Brevo (Sendinblue)",
        "smtp-relay.brevo.com",
        587,
        "tls",
        _l(
            "Use the SMTP login and an SMTP key from Brevo's SMTP & API page, not your account "
            "password."
        ),
        _l("the SMTP login shown by Brevo"),
    ),
    Preset(
        "sendgrid",
        "SendGrid",
        "smtp.sendgrid.net",
        587,
        "tls",
        _l(
            "The SMTP Username is literally 'apikey'; the SMTP Password is an API key with Mail "
            "Send permission."
        ),
        "apikey",
    ),
    Preset(
        "mailgun",
        "Mailgun",
        "smtp.mailgun.org",
        587,
        "tls",
        _l("EU domains use smtp.eu.mailgun.org. Use the SMTP credentials of your sending domain."),
        _l("postmaster@your-domain"),
    ),
    Preset(
        "ses",
        "Amazon SES",
        "email-smtp.us-east-1.amazonaws.com",
        587,
        "tls",
        _l(
            "Replace us-east-1 with your SES region. Use SES SMTP credentials (created in the SES "
            "console), not your AWS access keys; the From address must be verified in SES."
        ),
        _l("the SES SMTP user name"),
    ),
]

PRESETS_BY_KEY = {p.key: p for p in PRESETS}


def presets_as_data() -> list[dict]:
    """For the page's script, in the reader's language."""
    return [
        {
            "key": p.key,
            "label": p.label,
            "host": p.host,
            "port": p.port,
            "encryption": p.encryption,
            "note": str(p.note),
            "username_hint": str(p.username_hint),
        }
        for p in PRESETS
    ]

"""Provider presets: facts that fill SMTP Host, SMTP Port and Email Encryption in one click.

Each entry says what else the admin must know (app passwords, API keys as passwords, regions).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    host: str
    port: int
    encryption: str
    note: str
    username_hint: str = ""


PRESETS = [
    Preset(
        "gmail",
        "Gmail / Google Workspace",
        "smtp.gmail.com",
        465,
        "ssl",
        "Gmail accepts SSL on 465 or TLS on 587. With 2-step verification on, create an app "
        "password (Google Account → Security → App passwords) and use it as SMTP Password.",
        "your full Gmail address",
    ),
    Preset(
        "outlook",
        "Outlook / Microsoft 365",
        "smtp.office365.com",
        587,
        "tls",
        "Microsoft has ended basic SMTP authentication for Exchange Online: password login "
        "will not work. Supported through OAuth: choose Microsoft 365 (OAuth) as Email Protocol.",
        "your Microsoft 365 address",
    ),
    Preset(
        "yahoo",
        "Yahoo Mail",
        "smtp.mail.yahoo.com",
        465,
        "ssl",
        "Yahoo needs an app password (Account security → Generate app password).",
        "your full Yahoo address",
    ),
    Preset(
        "icloud",
        "iCloud Mail",
        "smtp.mail.me.com",
        587,
        "tls",
        "iCloud needs an app-specific password from appleid.apple.com.",
        "your iCloud email address",
    ),
    Preset(
        "zoho",
        "Zoho Mail",
        "smtp.zoho.com",
        465,
        "ssl",
        "Accounts in the EU data centre use smtp.zoho.eu (and .in, .com.au likewise). With "
        "two-factor authentication on, use an application-specific password.",
        "your Zoho email address",
    ),
    Preset(
        "ovh",
        "OVHcloud",
        "ssl0.ovh.net",
        465,
        "ssl",
        "OVHcloud email accounts: SSL on 465 (TLS on 587 also works).",
        "your full email address",
    ),
    Preset(
        "brevo",
        "Brevo (Sendinblue)",
        "smtp-relay.brevo.com",
        587,
        "tls",
        "Use the SMTP login and an SMTP key from Brevo's SMTP & API page, not your account "
        "password.",
        "the SMTP login shown by Brevo",
    ),
    Preset(
        "sendgrid",
        "SendGrid",
        "smtp.sendgrid.net",
        587,
        "tls",
        "The SMTP Username is literally 'apikey'; the SMTP Password is an API key with Mail "
        "Send permission.",
        "apikey",
    ),
    Preset(
        "mailgun",
        "Mailgun",
        "smtp.mailgun.org",
        587,
        "tls",
        "EU domains use smtp.eu.mailgun.org. Use the SMTP credentials of your sending domain.",
        "postmaster@your-domain",
    ),
    Preset(
        "ses",
        "Amazon SES",
        "email-smtp.us-east-1.amazonaws.com",
        587,
        "tls",
        "Replace us-east-1 with your SES region. Use SES SMTP credentials (created in the SES "
        "console), not your AWS access keys; the From address must be verified in SES.",
        "the SES SMTP user name",
    ),
]

PRESETS_BY_KEY = {p.key: p for p in PRESETS}


def presets_as_data() -> list[dict]:
    return [asdict(p) for p in PRESETS]

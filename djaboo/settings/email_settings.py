"""Saving the Settings → Email form: every field in one go, secrets encrypted, HTML sanitized."""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.i18n import LANGUAGES
from djaboo.mail.sanitize import sanitize_html
from djaboo.secrets_at_rest import encrypt
from djaboo.settings.defaults import default_email_settings
from djaboo.settings.models import EmailSettings, EmailWrapper
from djaboo.spaces.models import Space

PLAIN_FIELDS = (
    "engine",
    "protocol",
    "encryption",
    "host",
    "from_email",
    "from_name",
    "username",
    "charset",
    "bcc_all",
    "allow_insecure_auth",
    "pinned_sha256",
    "logo_url",
    "timeout_seconds",
    "keep_sent_days",
    "failure_notices",
)


def email_settings_for(space: Space) -> EmailSettings:
    """The space's settings row (created with the space). Should it be missing, the defaults,
    not stored: reading never writes; saving the settings page stores them (db.session.add)."""
    settings = db.session.execute(
        sa.select(EmailSettings).where(EmailSettings.space_id == space.id)
    ).scalar_one_or_none()
    return settings or default_email_settings(space)


def apply_email_settings(settings: EmailSettings, form) -> None:
    """Copy a validated EmailSettingsForm onto the row (the caller commits once)."""
    for name in PLAIN_FIELDS:
        setattr(settings, name, getattr(form, name).data)
    if getattr(form, "oauth_provider", None):  # SMTP with an OAuth login: no password
        settings.protocol, settings.username = "smtp", ""
        settings.password_encrypted = ""
        settings.allow_insecure_auth = False
        return _apply_texts(settings, form)
    _apply_texts(settings, form)
    if form.password.data:
        settings.password_encrypted = encrypt(form.password.data)
    elif form.clear_password.data:
        settings.password_encrypted = ""


def _apply_texts(settings: EmailSettings, form) -> None:
    """The port, and the signature, header and footer of each language."""
    if form.port.data is not None:
        settings.port = form.port.data
    for language in LANGUAGES:
        texts = getattr(form, f"texts_{language}")
        wrapper = settings.wrapper(language)
        if wrapper is None:
            wrapper = EmailWrapper(language=language)
            settings.wrappers.append(wrapper)
        for field in texts.text_fields:
            setattr(wrapper, field.short_name, sanitize_html(field.data or ""))

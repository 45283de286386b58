"""From a space's stored settings and the operator's config to the mail core's plain values."""

from __future__ import annotations

from collections.abc import Mapping

from djaboo.mail.host_policy import HostPolicy, parse_allowed_hosts
from djaboo.mail.transports import TransportSettings
from djaboo.secrets_at_rest import decrypt
from djaboo.settings.models import EmailSettings


def host_policy_from_config(config: Mapping) -> HostPolicy:
    return HostPolicy(
        mode=config.get("SMTP_HOST_POLICY", "default"),
        allowed=parse_allowed_hosts(config.get("SMTP_ALLOWED_HOSTS")),
    )


def transport_settings_for(settings: EmailSettings, config: Mapping) -> TransportSettings:
    """Build the transport settings for one space; decrypts the password (needs an app context)."""
    return TransportSettings(
        protocol=settings.protocol,
        engine=settings.engine,
        encryption=settings.encryption,
        host=settings.host,
        port=settings.port,
        username=settings.login,
        password=decrypt(settings.password_encrypted) if settings.password_encrypted else "",
        timeout=float(settings.timeout_seconds),
        allow_insecure_auth=settings.allow_insecure_auth,
        pinned_sha256=settings.pinned_sha256,
        host_policy=host_policy_from_config(config),
        sendmail_command=tuple(config["SENDMAIL_COMMAND"]),
        mail_command=tuple(config["MAIL_COMMAND"]),
        local_hostname=config.get("SMTP_LOCAL_HOSTNAME"),
    )


def transport_settings_for_space(space_id: int) -> TransportSettings:
    """The current settings of one space (needs an app context); used by delivery."""
    import sqlalchemy as sa
    from flask import current_app

    from djaboo.extensions import db

    settings = db.session.execute(
        sa.select(EmailSettings).where(EmailSettings.space_id == space_id)
    ).scalar_one()
    return transport_settings_for(settings, current_app.config)

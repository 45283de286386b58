"""From a space's stored settings and the operator's config to the mail core's plain values."""

from __future__ import annotations

from collections.abc import Mapping

from djaboo.mail.errors import ConfigurationError
from djaboo.mail.host_policy import HostPolicy, parse_allowed_hosts
from djaboo.mail.texts import N_, Line
from djaboo.mail.transports import TransportSettings
from djaboo.secrets_at_rest import SecretUnreadable, decrypt, readable
from djaboo.settings.models import EmailSettings
from djaboo.settings.oauth_models import EmailOAuth
from djaboo.settings.oauth_tokens import token_provider_for


def unreadable_password() -> ConfigurationError:
    """Said alike by the worker (which pauses the space), the test email and the settings page."""
    return ConfigurationError(
        N_("The stored SMTP password can no longer be decrypted (ENCRYPTION_KEY was changed)."),
        hint=N_("Re-enter it in Settings → Email, or restore the old key in ENCRYPTION_OLD_KEYS."),
    )


def stored_password_problem(settings: EmailSettings) -> ConfigurationError | None:
    """What is wrong with the stored password, if anything (needs an app context)."""
    if settings.password_encrypted and not readable(settings.password_encrypted):
        return unreadable_password()
    return None


def host_policy_from_config(config: Mapping) -> HostPolicy:
    return HostPolicy(
        mode=config.get("SMTP_HOST_POLICY", "default"),
        allowed=parse_allowed_hosts(config.get("SMTP_ALLOWED_HOSTS")),
    )


def transport_settings_for(settings: EmailSettings, config: Mapping) -> TransportSettings:
    """Build the transport settings for one space; decrypts the password (needs an app context).

    A password that no longer decrypts is a ConfigurationError: the worker pauses the space
    with that sentence instead of crashing on every pass."""
    try:
        password = decrypt(settings.password_encrypted) if settings.password_encrypted else ""
    except SecretUnreadable:
        raise unreadable_password() from None
    oauth = active_oauth(settings.space_id)
    login = {"username": settings.login, "password": password}
    if oauth is not None:
        login = oauth_login(oauth)
    return TransportSettings(
        protocol=settings.protocol,
        engine=settings.engine,
        encryption=settings.encryption,
        host=settings.host,
        port=settings.port,
        **login,
        timeout=float(settings.timeout_seconds),
        allow_insecure_auth=settings.allow_insecure_auth,
        pinned_sha256=settings.pinned_sha256,
        host_policy=host_policy_from_config(config),
        sendmail_command=tuple(config["SENDMAIL_COMMAND"]),
        mail_command=tuple(config["MAIL_COMMAND"]),
        local_hostname=config.get("SMTP_LOCAL_HOSTNAME"),
    )


def active_oauth(space_id: int) -> EmailOAuth | None:
    """The space's OAuth grant when its Email Protocol is Microsoft 365 or Google (OAuth)."""
    import sqlalchemy as sa

    from djaboo.extensions import db

    return db.session.execute(
        sa.select(EmailOAuth).where(EmailOAuth.space_id == space_id, EmailOAuth.active)
    ).scalar_one_or_none()


def oauth_login(oauth: EmailOAuth) -> dict:
    """XOAUTH2 as the connected mailbox; the token is fetched (and refreshed) when the
    connection logs in, never before."""
    from flask import current_app

    if not oauth.connected:
        from djaboo.settings.oauth_providers import PROVIDERS

        label = PROVIDERS[oauth.provider].label
        raise ConfigurationError(
            N_("No mailbox is connected to %(provider)s."),
            params={"provider": label},
            hint=Line(N_("Connect %(provider)s in Settings → Email."), {"provider": label}),
        )
    return {
        "username": oauth.mailbox,
        "password": "",
        "token_provider": token_provider_for(oauth.space_id, current_app._get_current_object()),
    }


def transport_settings_for_space(space_id: int) -> TransportSettings:
    """The current settings of one space (needs an app context); used by delivery."""
    import sqlalchemy as sa
    from flask import current_app

    from djaboo.extensions import db

    settings = db.session.execute(
        sa.select(EmailSettings).where(EmailSettings.space_id == space_id)
    ).scalar_one()
    return transport_settings_for(settings, current_app.config)

"""The access token of a space's OAuth grant: refreshed before it expires, and on demand after
the mail server refused one; only one refresh at a time over every worker and web process.

The lock is the space's email_oauth row itself: an UPDATE of it first thing in the refreshing
transaction holds PostgreSQL's row lock (and SQLite's write lock) until the commit; whoever
waited reads the row again and finds the token the other one stored. A rotated refresh token is
stored in that same commit, so it can never be lost between two processes.

A refusal with invalid_grant (revoked, expired) is a ConfigurationError: the worker pauses the
space, and the banner offers to Reconnect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.errors import ConfigurationError, TransientError
from djaboo.mail.texts import N_, Line
from djaboo.secrets_at_rest import SecretUnreadable, decrypt, encrypt
from djaboo.settings.oauth_models import EmailOAuth
from djaboo.settings.oauth_providers import (
    PROVIDERS,
    OAuthRefused,
    endpoints,
    fetch_token,
)

EARLY = timedelta(seconds=60)  # refresh this long before the token expires
DEFAULT_LIFETIME = 3600


def grant_refused(oauth: EmailOAuth, message: str) -> ConfigurationError:
    label = PROVIDERS[oauth.provider].label
    hint = Line(N_("Reconnect %(provider)s in Settings → Email."), {"provider": label})
    return ConfigurationError(message, hint=hint)


def store_tokens(oauth: EmailOAuth, answer: dict) -> None:
    """Put a token endpoint's answer on the row (encrypted); the caller commits."""
    lifetime = answer.get("expires_in")
    try:
        seconds = max(0, min(int(lifetime), 86400))
    except (TypeError, ValueError):
        seconds = DEFAULT_LIFETIME
    now = utcnow()
    oauth.access_token_encrypted = encrypt(str(answer["access_token"]))
    oauth.access_expires_at = now + timedelta(seconds=seconds)
    oauth.refreshed_at = now
    if answer.get("refresh_token"):  # rotated: the old one may already be dead
        oauth.refresh_token_encrypted = encrypt(str(answer["refresh_token"]))


def client_secret(oauth: EmailOAuth) -> str:
    """The Client Secret in clear ("" when none is kept); SecretUnreadable after a key change."""
    return decrypt(oauth.client_secret_encrypted) if oauth.client_secret_encrypted else ""


def _fresh(oauth: EmailOAuth) -> str | None:
    expires = oauth.access_expires_at
    if oauth.access_token_encrypted and expires and expires - EARLY > utcnow():
        return decrypt(oauth.access_token_encrypted)
    return None


def current_access_token(space_id: int, refresh: bool = False) -> str:
    """A valid access token for the space (needs an app context); `refresh`: the server
    refused the last one, get a new one unless another process just did."""
    with Session(db.engine) as session:
        oauth = _row(session, space_id)
        seen = oauth.refreshed_at
        token = None if refresh else _fresh(oauth)
        if token:
            return token
        # End the reading transaction so that the lock below starts a new one (SQLite cannot
        # turn a reader whose snapshot is stale into the writer: it would fail at once).
        session.commit()
        # Lock the row: one refresh at a time; the others wait here, then use its result.
        session.execute(
            sa.update(EmailOAuth)
            .where(EmailOAuth.space_id == space_id)
            .values(refresh_count=EmailOAuth.refresh_count)
        )
        oauth = session.execute(
            sa.select(EmailOAuth).where(EmailOAuth.space_id == space_id)
        ).scalar_one()
        token = _fresh(oauth) if (not refresh or oauth.refreshed_at != seen) else None
        if token:
            session.commit()
            return token
        try:
            answer = _refresh(oauth)
        except OAuthRefused as exc:
            if exc.error == "invalid_grant":
                oauth.access_token_encrypted, oauth.access_expires_at = "", None
                oauth.grant_refused_at = utcnow()
                session.commit()
                raise grant_refused(oauth, exc.message) from None
            session.rollback()
            raise ConfigurationError(
                exc.message, hint=N_("Correct it in Settings → Email.")
            ) from None
        except OSError as exc:
            session.rollback()
            raise TransientError(
                N_("%(provider)s's token endpoint could not be reached (%(error)s)."),
                params={
                    "provider": PROVIDERS[oauth.provider].label,
                    "error": str(getattr(exc, "reason", None) or exc.__class__.__name__),
                },
                hint=N_("We will try again later."),
            ) from None
        store_tokens(oauth, answer)
        oauth.refresh_count += 1
        session.commit()
        return str(answer["access_token"])


def _row(session: Session, space_id: int) -> EmailOAuth:
    oauth = session.execute(
        sa.select(EmailOAuth).where(EmailOAuth.space_id == space_id)
    ).scalar_one_or_none()
    if oauth is None or not oauth.connected:
        raise ConfigurationError(
            N_("No mailbox is connected for OAuth."),
            hint=N_("Connect Microsoft 365 or Google in Settings → Email."),
        )
    return oauth


def _refresh(oauth: EmailOAuth) -> dict:
    try:
        secret, refresh_token = client_secret(oauth), decrypt(oauth.refresh_token_encrypted)
    except SecretUnreadable:
        raise OAuthRefused(
            "invalid_grant",
            Line(
                N_("The stored connection can no longer be decrypted (ENCRYPTION_KEY was changed).")
            ),
        ) from None
    _, token_url = endpoints(oauth.provider, oauth.tenant, current_app.config)
    return fetch_token(
        oauth.provider, token_url, oauth.client_id, secret, refresh_token=refresh_token
    )


def token_provider_for(space_id: int, app: Flask) -> Callable[[bool], str]:
    """What TransportSettings.token_provider gets: the mail core calls it, knowing nothing of
    where tokens live; it runs in an app context of its own (the worker's thread or not)."""

    def provide(refresh: bool) -> str:
        with app.app_context():
            return current_access_token(space_id, refresh)

    return provide

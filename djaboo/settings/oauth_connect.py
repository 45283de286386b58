"""Connect Microsoft 365 / Google: the authorization-code flow with PKCE (S256).

Connect makes a `state` bound to the admin, the space and the browser session (its SHA-256 is
kept server-side with the PKCE verifier, for ten minutes, usable once); the callback accepts the
provider's answer only for that state, exchanges the code for tokens and keeps the refresh token
encrypted. Reconnecting lifts a pause and queues the waiting emails again."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.display_texts import translated
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.delivery import resume_space
from djaboo.secrets_at_rest import SecretUnreadable, decrypt, encrypt
from djaboo.settings.oauth_models import EmailOAuth, OAuthAuthorization
from djaboo.settings.oauth_providers import (
    PROVIDERS,
    OAuthRefused,
    authorization_url,
    endpoints,
    explain,
    fetch_token,
    mailbox_from_id_token,
    new_verifier,
    redirect_uri,
)
from djaboo.settings.oauth_tokens import client_secret, store_tokens

STATE_LIFETIME = timedelta(minutes=10)
MAX_STATE = 200
MAX_CODE = 4096


class ConnectRefused(Exception):
    """The callback was not accepted; str() says why and what to do."""


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8", "replace")).hexdigest()


def start_connect(oauth: EmailOAuth, user, config: Mapping) -> tuple[str, str]:
    """Record a Connect in flight; returns (the provider's URL, the state's hash for the
    browser session). The caller commits."""
    state = secrets.token_urlsafe(32)
    verifier = new_verifier()
    db.session.add(
        OAuthAuthorization(
            state_hash=state_hash(state),
            space_id=oauth.space_id,
            user_id=user.id,
            provider=oauth.provider,
            verifier_encrypted=encrypt(verifier),
            expires_at=utcnow() + STATE_LIFETIME,
        )
    )
    db.session.flush()
    url = authorization_url(oauth.provider, oauth.tenant, oauth.client_id, state, verifier, config)
    return url, state_hash(state)


def finish_connect(oauth: EmailOAuth | None, user, args: Mapping, session_hash: str, config):
    """Check the callback's state, then take the provider's code (or say its error). Returns
    (the connected row, how many waiting emails were queued again). The caller commits."""
    state = str(args.get("state") or "")[:MAX_STATE]
    flight = _claim_state(state, session_hash, user)
    if oauth is None or oauth.provider != flight.provider:
        raise ConnectRefused(_("Choose the provider again in Settings → Email, then Connect."))
    error = str(args.get("error") or "")[:64]
    if error:
        raise ConnectRefused(
            translated(
                explain(oauth.provider, error, args.get("error_description"), redirect_uri(config))
            )
        )
    code = str(args.get("code") or "")
    if not code or len(code) > MAX_CODE:
        raise ConnectRefused(_("The provider sent no authorization code. Connect again."))
    try:
        secret, verifier = client_secret(oauth), decrypt(flight.verifier_encrypted)
    except SecretUnreadable:
        raise ConnectRefused(_("Enter the Client Secret again (ENCRYPTION_KEY changed).")) from None
    token_url = endpoints(oauth.provider, oauth.tenant, config)[1]
    try:
        answer = fetch_token(
            oauth.provider,
            token_url,
            oauth.client_id,
            secret,
            code=code,
            redirect_uri=redirect_uri(config),
            code_verifier=verifier,
        )
    except OAuthRefused as exc:
        raise ConnectRefused(translated(exc.message)) from None
    except OSError as exc:
        label = PROVIDERS[oauth.provider].label
        raise ConnectRefused(
            _(
                "%(provider)s's token endpoint could not be reached (%(error)s). Try again in a "
                "moment.",
                provider=label,
                error=exc.__class__.__name__,
            )
        ) from None
    mailbox = mailbox_from_id_token(str(answer.get("id_token") or "")) or oauth.mailbox
    if not mailbox:
        raise ConnectRefused(
            _(
                "The provider did not say which mailbox signed in: add the openid and email "
                "permissions to the app registration, then connect again."
            )
        )
    if not answer.get("refresh_token") and (not oauth.connected or mailbox != oauth.mailbox):
        raise ConnectRefused(
            _(
                "%(provider)s sent no refresh token (the app was allowed before): remove the "
                "app's access from your account's security page, then connect again.",
                provider=PROVIDERS[oauth.provider].label,
            )
        )
    if mailbox != oauth.mailbox:
        oauth.from_alias_confirmed = False
    oauth.mailbox = mailbox
    store_tokens(oauth, answer)
    oauth.grant_refused_at = None
    db.session.flush()
    return oauth, resume_space(oauth.space_id)


def _claim_state(state: str, session_hash: str, user) -> OAuthAuthorization:
    """The Connect this callback answers, used up now; ConnectRefused for any other."""
    refused = ConnectRefused(
        _(
            "This sign-in answer does not belong to a Connect started here in this browser "
            "(or it expired, or was already used). Click Connect again."
        )
    )
    if not state or not session_hash or not hmac.compare_digest(state_hash(state), session_hash):
        raise refused
    table = OAuthAuthorization.__table__
    now = utcnow()
    used = db.session.execute(
        sa.update(table)
        .where(
            table.c.state_hash == session_hash,
            table.c.user_id == user.id,
            table.c.space_id == user.space_id,
            table.c.used_at.is_(None),
            table.c.expires_at > now,
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:
        raise refused
    return db.session.execute(
        sa.select(OAuthAuthorization).where(OAuthAuthorization.state_hash == session_hash)
    ).scalar_one()


def disconnect(oauth: EmailOAuth) -> None:
    """Forget the grant (the provider keeps its own record until the admin removes the app)."""
    oauth.refresh_token_encrypted = ""
    oauth.access_token_encrypted = ""
    oauth.access_expires_at = None
    oauth.mailbox = ""
    oauth.from_alias_confirmed = False

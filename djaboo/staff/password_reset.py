"""Reset links: a random token in the link, only its SHA-256 stored; usable once, for an hour.

A new link ends the user's older unused ones, and so does any new password (accounts.set_password).
A link of a deactivated user does not work. Rules add and flush; the caller commits once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from djaboo.config import require_base_url
from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.i18n import _l
from djaboo.staff.accounts import check_password_strength, end_password_resets, set_password
from djaboo.staff.models import PasswordReset, User

LIFETIME = timedelta(hours=1)
TOKEN_BYTES = 32
# token_urlsafe(32) makes 43 characters; anything else is no token of ours (and is not hashed).
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
UNUSABLE = _l(
    "This link cannot be used: it was used already, it is more than an hour old, a newer link "
    "was sent since, or it was never a link to choose a password. Ask for a new one."
)


class ResetRefused(ValueError):
    """The link does not (or no longer) open a password change; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def reset_link(token: str) -> str:
    """The absolute link on BASE_URL, never on the request's Host header (which anyone sending
    the request chooses: a poisoned host would mail the victim a link to the attacker's site)."""
    return f"{require_base_url(current_app.config)}/reset-password/{token}"


def create_reset(user: User, now: datetime | None = None) -> tuple[PasswordReset, str]:
    """A new link for the user (flushed) and its token, which exists only in what is returned;
    the user's earlier unused links stop working."""
    now = now or utcnow()
    end_password_resets(user.id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    reset = PasswordReset(
        user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + LIFETIME
    )
    db.session.add(reset)
    db.session.flush()
    return reset, token


def usable_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired link of an active user that this token opens, else None. Only
    reads: opening the page of a link never uses it up."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    reset = db.session.execute(
        sa.select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset if reset.user.active else None


def use_reset(token: str, new_password: str) -> User:
    """Set the new password through the link and use the link up; every session of the user
    ends (set_password). Raises ResetRefused for a link that cannot be used, AccountError for
    a password the rules refuse (the link then stays usable)."""
    reset = usable_reset(token)
    if reset is None:
        raise ResetRefused(str(UNUSABLE))
    check_password_strength(new_password)
    now = utcnow()
    # Conditional: of two submissions of one link at once, one changes the password.
    used = db.session.execute(
        sa.update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise ResetRefused(str(UNUSABLE))
    user = reset.user
    set_password(user, new_password)
    return user

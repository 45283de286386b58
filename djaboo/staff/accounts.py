"""Staff accounts: creation, passwords, roles and deactivation, with the last-admin rule.

Rules add and flush; the caller commits once.
"""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash, generate_password_hash

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.i18n import LANGUAGES, _
from djaboo.mail.sanitize import sanitize_html
from djaboo.spaces.models import Space
from djaboo.staff.models import ROLES, PasswordReset, User

MIN_PASSWORD_LENGTH = 10

# Checked when the email is unknown so a miss costs as long as a hit (no enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A change to an account that the rules refuse; the message is shown to the user."""


def normalize_email(email: str) -> str:
    """One valid addr-spec, lower-cased; raises AccountError with the validator's reason."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:  # the validator's detail stays its own (English)
        raise AccountError(
            _(
                "%(value)s is not a valid email address: %(reason)s",
                value=repr((email or "").strip()[:254]),
                reason=str(exc),
            )
        ) from None
    return result.normalized.lower()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))


def set_password(user: User, password: str) -> None:
    """Hash and store a new password, end every other session of this user and every reset
    link sent to them before (however the password was set: profile, admin, link, command)."""
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)
    user.rotate_session_token()
    if user.id is not None:
        end_password_resets(user.id)


def end_password_resets(user_id: int) -> None:
    """The user's unused reset links stop working now (they expire; used_at stays "used")."""
    now = utcnow()
    db.session.execute(
        sa.update(PasswordReset)
        .where(
            PasswordReset.user_id == user_id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def password_matches(user: User | None, password: str) -> bool:
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return False
    return check_password_hash(user.password_hash, password or "")


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == (email or "").strip().lower())
    ).scalar_one_or_none()


def email_taken(email: str, except_user_id: int | None = None) -> bool:
    query = sa.select(User.id).where(User.email == email)
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.execute(query).first() is not None


def create_user(space: Space, *, email: str, name: str, role: str, password: str) -> User:
    """Add a user to a space; the email must be unused in every space."""
    email = normalize_email(email)
    if email_taken(email):
        raise AccountError(_("This email address already has an account."))
    if role not in ROLES:
        raise AccountError(_("Unknown role %(role)s.", role=repr(role)))
    name = (name or "").strip()
    if not name:
        raise AccountError(_("A name is required."))
    user = User(space=space, email=email, name=name, role=role, active=True)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def set_signature(user: User, html: str) -> None:
    """Store the user's own email signature, sanitized so it can carry no script."""
    user.signature_html = sanitize_html(html or "")


def set_language(user: User, language: str | None) -> None:
    """Profile → Language: one of the product's languages, or None to follow the space's
    default language (anything else is None too)."""
    user.language = language if language in LANGUAGES else None


def set_notice_choices(
    user: User, *, estimate_answers: bool, own_failures: bool, space_failures: bool | None
) -> None:
    """Profile → Email me when…: which notices the user gets (djaboo/notices/). Only an
    admin chooses space_failures (None: kept as stored, for when they become one)."""
    user.notify_estimate_answers = bool(estimate_answers)
    user.notify_own_failures = bool(own_failures)
    if space_failures is not None and user.is_admin:
        user.notify_space_failures = bool(space_failures)


def update_membership(user: User, *, role: str, active: bool) -> None:
    """Change a user's role or active flag, refusing to leave the space without an active admin."""
    if role not in ROLES:
        raise AccountError(_("Unknown role %(role)s.", role=repr(role)))
    losing_admin = user.is_admin and user.active and (role != "admin" or not active)
    if losing_admin:
        # Lock the space row so two admins demoting each other at once cannot both succeed.
        db.session.execute(sa.select(Space.id).where(Space.id == user.space_id).with_for_update())
        others = db.session.execute(
            sa.select(sa.func.count(User.id)).where(
                User.space_id == user.space_id,
                User.role == "admin",
                User.active.is_(True),
                User.id != user.id,
            )
        ).scalar_one()
        if others == 0:
            raise AccountError(
                _("This is the last active admin of the space; make another user admin first.")
            )
    if user.active and not active:
        user.rotate_session_token()
    user.role = role
    user.active = active

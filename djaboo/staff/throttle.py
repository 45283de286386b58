"""Sign-in and password-reset throttling: failures and requests are counted in the database so
every web process sees them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.staff.models import LoginFailure, PasswordResetRequest


def seconds_until_allowed(
    email: str, ip: str, *, max_per_email: int, max_per_ip: int, window: int
) -> int:
    """0 when a sign-in may be tried now, else how many seconds until the oldest failure expires."""
    since = utcnow() - timedelta(seconds=window)
    waits = []
    for column, value, limit in (
        (LoginFailure.email, email, max_per_email),
        (LoginFailure.ip, ip, max_per_ip),
    ):
        times = (
            db.session.execute(
                sa.select(LoginFailure.created_at)
                .where(column == value, LoginFailure.created_at > since)
                .order_by(LoginFailure.created_at.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
        if len(times) >= limit:
            waits.append((times[-1] + timedelta(seconds=window) - utcnow()).total_seconds())
    return max(0, int(max(waits, default=0)) + 1) if waits else 0


def record_failure(email: str, ip: str) -> None:
    db.session.add(LoginFailure(email=email[:254], ip=ip[:64]))


def clear_failures(email: str, window: int) -> None:
    """Forget this address's failures after a success; prune everything older than the window."""
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
    db.session.execute(
        sa.delete(LoginFailure).where(
            LoginFailure.created_at < utcnow() - timedelta(seconds=window)
        )
    )


def reset_request_allowed(
    email: str, ip: str, *, per_email: int, email_window: int, per_ip: int, ip_window: int
) -> bool:
    """Whether a reset link may be asked for now: fewer than per_email requests for this
    address in email_window seconds, and fewer than per_ip from this client in ip_window."""
    now = utcnow()
    for column, value, limit, window in (
        (PasswordResetRequest.email, email, per_email, email_window),
        (PasswordResetRequest.ip, ip, per_ip, ip_window),
    ):
        count = db.session.execute(
            sa.select(sa.func.count(PasswordResetRequest.id)).where(
                column == value, PasswordResetRequest.created_at > now - timedelta(seconds=window)
            )
        ).scalar_one()
        if count >= limit:
            return False
    return True


def record_reset_request(email: str, ip: str, keep: int) -> None:
    """Count this request; forget those older than `keep` seconds (the longest window)."""
    db.session.execute(
        sa.delete(PasswordResetRequest).where(
            PasswordResetRequest.created_at < utcnow() - timedelta(seconds=keep)
        )
    )
    db.session.add(PasswordResetRequest(email=email[:254], ip=ip[:64]))

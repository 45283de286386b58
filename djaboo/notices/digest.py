"""The daily digest of failed emails (Settings → Email → Tell staff about failed emails: Once a
day): one notice per staff member and day listing the emails that went wrong, run by
`djaboo reminders run` (and the mail worker's reminder runs), however often it runs.

The digest of day D leaves from the reminders' send hour of D in the space's time zone and
lists what went wrong in the 24 hours before that hour (an email counts at its last attempt;
one never tried at its recording). The key notice:digest:<space>:<D>:<user> makes it once per
staff member and day. A day whose run never came (the scheduler stopped for over a day) gets
no digest later: the next run sends the digest of its own day.

Who gets what: an admin who wants to hear of any email of the space gets them all; everyone
else who wants to hear of their own gets the ones they sent (for a reminder: of the documents
they own). Nobody gets an empty digest.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer

from djaboo.db import utcnow
from djaboo.documents.reminders import reminder_settings_for
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.notices.failures import (
    UNTOLD_ORIGINS,
    document_labels,
    document_owners,
    failed_email_facts,
)
from djaboo.notices.mail_events import FAILED_DIGEST
from djaboo.notices.merge_fields import DigestFacts
from djaboo.notices.sending import NoticeSender, app_link, record_notices
from djaboo.settings.models import EmailSettings
from djaboo.spaces.clock import space_zone
from djaboo.spaces.models import Space
from djaboo.staff.models import User

log = logging.getLogger(__name__)
LISTED = 50  # emails listed in one digest; its count says how many there were
READ = 1000  # rows read for one space's day (the admins' count is exact beyond it)
OUTBOX = OutboxMessage


def send_failure_digests(now_utc: datetime | None = None) -> list[int]:
    """Record every digest due now in every space in digest mode; returns the outbox ids.
    One space's failure is logged and never stops the others."""
    now_utc = now_utc or utcnow()
    space_ids = (
        db.session.execute(
            sa.select(EmailSettings.space_id)
            .where(EmailSettings.failure_notices == "digest")
            .order_by(EmailSettings.space_id)
        )
        .scalars()
        .all()
    )
    recorded = []
    for space_id in space_ids:
        try:
            recorded += _space_digests(db.session.get(Space, space_id), now_utc)
            db.session.commit()
        except Exception:  # noqa: BLE001 - one space's poison must not stop the others
            db.session.rollback()
            log.exception("failure digest of space %s not recorded; the others go on", space_id)
    return recorded


def digest_window(space: Space, send_hour: int, now_utc: datetime):
    """(day, start, end): the day whose digest may leave now (today from the send hour on,
    else yesterday) and the 24 hours it covers, ending at that day's send hour."""
    zone = space_zone(space.timezone)
    local = now_utc.astimezone(zone)
    day = local.date() if local.hour >= send_hour else local.date() - timedelta(days=1)

    def at_send_hour(d: date) -> datetime:
        return datetime.combine(d, time(send_hour), tzinfo=zone).astimezone(UTC)

    return day, at_send_hour(day - timedelta(days=1)), at_send_hour(day)


def went_wrong_between(space_id: int, start: datetime, end: datetime):
    """The space's emails that went wrong in [start, end) (delivery.went_wrong, in SQL: a sent
    email with refused recipients carries their summary in last_error), and those whose bounce
    came back then (djaboo/mail/bounces.py)."""
    when = sa.func.coalesce(OUTBOX.claimed_at, OUTBOX.created_at)
    return sa.and_(
        OUTBOX.space_id == space_id,
        OUTBOX.origin.not_in(UNTOLD_ORIGINS),
        sa.or_(
            sa.and_(
                sa.or_(
                    OUTBOX.status.in_(("failed", "attention", "unknown")),
                    sa.and_(OUTBOX.status == "sent", OUTBOX.last_error != ""),
                ),
                when >= start,
                when < end,
            ),
            # A bounce comes back after the send: counted on the day it came back.
            sa.and_(
                OUTBOX.status == "bounced", OUTBOX.bounced_at >= start, OUTBOX.bounced_at < end
            ),
        ),
    )


def _space_digests(space: Space, now_utc: datetime) -> list[int]:
    sender = NoticeSender.for_space(space)
    if not sender.can_send:
        return []
    day, start, end = digest_window(space, reminder_settings_for(space.id).send_hour, now_utc)
    prefix = f"notice:digest:{space.id}:{day.isoformat()}:"
    done = set(
        db.session.execute(
            sa.select(OUTBOX.idempotency_key).where(
                OUTBOX.space_id == space.id, OUTBOX.idempotency_key.startswith(prefix)
            )
        ).scalars()
    )
    users = [u for u in _told(space.id) if f"{prefix}{u.id}" not in done]
    if not users:
        return []
    wrong = went_wrong_between(space.id, start, end)
    rows = (
        db.session.execute(
            sa.select(OUTBOX)
            .options(defer(OUTBOX.stored))
            .where(wrong)
            .order_by(OUTBOX.id)
            .limit(READ)
        )
        .scalars()
        .all()
    )
    if not rows:
        return []
    total = len(rows)
    if total == READ:
        total = db.session.execute(sa.select(sa.func.count()).where(wrong)).scalar_one()
    owners = document_owners([r for r in rows if r.sent_by_id is None])
    labels = document_labels(rows)
    facts = {}
    notices = []
    for user in users:
        everything = user.is_admin and user.notify_space_failures
        mine = (
            rows
            if everything
            else [r for r in rows if (r.sent_by_id or owners.get(r.id)) == user.id]
        )
        if not mine:
            continue
        for row in mine[:LISTED]:
            if row.id not in facts:
                facts[row.id] = failed_email_facts(row, labels)
        digest = DigestFacts(
            day=day,
            count=total if everything else len(mine),
            failures=tuple(facts[r.id] for r in mine[:LISTED]),
            log_link=app_link("/emails"),
        )
        notices.append(
            sender.notice(user, FAILED_DIGEST, {"failed_digest": digest}, f"{prefix}{user.id}")
        )
    return record_notices(notices)


def _told(space_id: int) -> list[User]:
    """Who may get a digest: active staff who want to hear of their own failed emails, and
    active admins who want to hear of all of them."""
    return list(
        db.session.execute(
            sa.select(User)
            .where(
                User.space_id == space_id,
                User.active.is_(True),
                sa.or_(
                    User.notify_own_failures.is_(True),
                    sa.and_(User.role == "admin", User.notify_space_failures.is_(True)),
                ),
            )
            .order_by(User.id)
        ).scalars()
    )

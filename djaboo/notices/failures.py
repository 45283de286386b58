"""The sender and the admins hear when an email went wrong: failed for good, refused for some
of its recipients, needs attention or unknown (djaboo/mail/delivery.py, went_wrong).

The mail worker calls notify_failure(row) once that outcome is stored, in a transaction of its
own (`djaboo mail worker` passes it in; the mail core knows no feature). Each staff member
gets one notice per email (key notice:failed:<outbox id>:<user id>): a user who is both the
sender and an admin gets one; a resent email that fails again is not told twice.

- A notice never causes another: the failure of a notice (or of a test email, whose report
  says it all) is not told.
- A space whose settings are wrong (login refused, certificate…) pauses, and its notices would
  wait in that same paused queue: instead of one notice per email, the admins get one per
  pause (key notice:paused:<space>:<pause since>:<user>), which leaves once the settings are
  saved again, with the emails that waited.
- An email told as "needs attention" may go out after all once the settings are saved again:
  it was told once, and that is not taken back.
- In digest mode (Settings → Email → Tell staff about failed emails: Once a day) nothing is
  recorded here: digest.py reads the day's failures.
"""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.documents.kinds import KINDS
from djaboo.extensions import db
from djaboo.mail.outbox import MailPause, OutboxMessage
from djaboo.notices.mail_events import EMAIL_FAILED, SENDING_PAUSED
from djaboo.notices.merge_fields import FailedEmailFacts, PauseFacts
from djaboo.notices.sending import NoticeSender, app_link, record_notices
from djaboo.spaces.models import Space
from djaboo.staff.models import User

# Emails whose failure nobody is told of: notices themselves (no loops), test emails.
UNTOLD_ORIGINS = ("notice", "test")
_KIND_BY_NAME = {kind.name: kind for kind in KINDS}


def notify_failure(row: OutboxMessage) -> list[int]:
    """For the mail worker (Notify): record the notices about this email that went wrong;
    returns their outbox ids. `row` is detached and only read."""
    if row.origin in UNTOLD_ORIGINS:
        return []
    sender = NoticeSender.for_space(db.session.get(Space, row.space_id))
    if sender.settings.failure_notices == "digest" or not sender.can_send:
        return []
    pause = db.session.get(MailPause, row.space_id) if row.status == "attention" else None
    if pause is not None:
        parts = {"mail_paused": PauseFacts(pause.reason, app_link("/settings/email"))}
        since = int(pause.since.timestamp())
        return record_notices(
            [
                sender.notice(
                    user, SENDING_PAUSED, parts, f"notice:paused:{row.space_id}:{since}:{user.id}"
                )
                for user in told_admins(row.space_id)
            ]
        )
    parts = {"failed_email": failed_email_facts(row, document_labels([row]))}
    return record_notices(
        [
            sender.notice(user, EMAIL_FAILED, parts, f"notice:failed:{row.id}:{user.id}")
            for user in told_users(row.space_id, sender_of(row))
        ]
    )


def told_admins(space_id: int) -> list[User]:
    """The active admins who want to hear of any email of the space that fails."""
    return list(
        db.session.execute(
            sa.select(User)
            .where(
                User.space_id == space_id,
                User.active.is_(True),
                User.role == "admin",
                User.notify_space_failures.is_(True),
            )
            .order_by(User.id)
        ).scalars()
    )


def told_users(space_id: int, sender_id: int | None) -> list[User]:
    """The email's sender (if they want to hear of their own) and the told admins; once each."""
    wanted = sa.and_(User.role == "admin", User.notify_space_failures.is_(True))
    if sender_id is not None:
        wanted = sa.or_(wanted, sa.and_(User.id == sender_id, User.notify_own_failures.is_(True)))
    return list(
        db.session.execute(
            sa.select(User)
            .where(User.space_id == space_id, User.active.is_(True), wanted)
            .order_by(User.id)
        ).scalars()
    )


def sender_of(row: OutboxMessage) -> int | None:
    """Who sent it: the staff member who clicked Send; for an automatic email (a reminder) the
    owner of its document, in whose name it went."""
    if row.sent_by_id is not None:
        return row.sent_by_id
    return document_owners([row]).get(row.id)


def document_owners(rows) -> dict[int, int]:
    """outbox id -> owner of its document, for rows about a document (one query per kind)."""
    return {row_id: owner for row_id, (owner, _) in _documents(rows).items() if owner is not None}


def document_labels(rows) -> dict[int, str]:
    """outbox id -> "Invoice INV-000042", for rows about a document."""
    return {row_id: label for row_id, (_, label) in _documents(rows).items()}


def _documents(rows) -> dict[int, tuple[int | None, str]]:
    found: dict[int, tuple[int | None, str]] = {}
    for name, kind in _KIND_BY_NAME.items():
        wanted = {
            r.id: (r.space_id, r.doc_id)
            for r in rows
            if r.doc_type == name and r.doc_id is not None
        }
        if not wanted:
            continue
        model = kind.model
        documents = {
            (d.space_id, d.id): d
            for d in db.session.execute(
                sa.select(model.space_id, model.id, model.owner_id, model.number).where(
                    model.id.in_({doc_id for _, doc_id in wanted.values()})
                )
            )
        }
        for row_id, doc in wanted.items():
            if doc := documents.get(doc):
                found[row_id] = (doc.owner_id, f"{kind.label} {doc.number}")
    return found


def failed_email_facts(row: OutboxMessage, labels: dict[int, str]) -> FailedEmailFacts:
    reason = row.last_error or row.server_reply
    results = row.recipient_summary
    return FailedEmailFacts(
        subject=row.subject,
        recipients=row.to_display or ", ".join(row.recipients or []),
        status=row.status_label,
        results=results if results != reason else "",  # partly refused: the reason says it
        reason=reason,
        link=app_link(f"/emails/{row.id}"),
        document=labels.get(row.id, ""),
    )

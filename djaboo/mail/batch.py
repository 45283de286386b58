"""One batch of one space's mail: claim it, withdraw what is no longer wanted, send the rest on
one connection, renewing the claim as it goes, and record each outcome as it happens.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from djaboo.database_timeouts import UNREACHABLE, describe
from djaboo.extensions import db
from djaboo.mail.claims import DEFAULT_LEASE, Claim, claim_due
from djaboo.mail.delivery import (
    fail,
    outcome_connection,
    send_claimed,
    unexpected,
    went_wrong,
    worker_name,
)
from djaboo.mail.errors import ConfigurationError, MailError
from djaboo.mail.outbox import MailPause, OutboxMessage
from djaboo.mail.transports import TransportSettings, open_transport

log = logging.getLogger(__name__)
CONNECTIONS_PER_SPACE = 2  # default; MAIL_CONNECTIONS_PER_SPACE in the config

# Given claimed rows, the ones that must not go out any more, each with the reason (the
# documents layer knows: a reminder whose invoice was paid meanwhile).
Withdraw = Callable[[list[OutboxMessage]], dict[int, str]]
SettingsFor = Callable[[int], TransportSettings]
# Told of an email whose outcome went wrong (delivery.went_wrong), once that outcome is stored:
# a feature records what it wants (notices to staff) in the session; the call is committed on
# its own, and whatever it raises is logged, never the delivery's concern. The row is detached.
Notify = Callable[[OutboxMessage], object]
# Asked once per batch with the space's id: the hook to tell of each email the server accepted,
# once that is stored (e.g. to mark its copy in the mailbox's Sent folder pending,
# djaboo/settings/sent_copies.py: a quick write, never a slow call, as it runs in the delivery
# thread), or None when the space wants none (asking per email cost a query per message). The
# hook is committed on its own like Notify; what it or the asking raises is logged, and never
# changes the send's outcome.
Sent = Callable[[int], Callable[[OutboxMessage], object] | None]


def serve_space(
    space_id: int,
    settings_for: SettingsFor,
    *,
    batch: int = 100,
    connections: int = CONNECTIONS_PER_SPACE,
    lease: timedelta = DEFAULT_LEASE,
    withdraw: Withdraw | None = None,
    stop: threading.Event | None = None,
    notify: Notify | None = None,
    sent: Sent | None = None,
) -> int:
    """Claim up to `batch` of the space's due rows and deliver them; returns how many were
    claimed (0: nothing due, or the space already has `connections` live claims)."""
    claim = claim_due(space_id, worker_name(), batch, connections, lease)
    if claim is None:
        return 0
    session = db.session()
    rows = (
        session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.id.in_(claim.ids)).order_by("id")
        )
        .scalars()
        .all()
    )
    reasons = withdraw(rows) if withdraw else {}
    # The rows are ours now: detached, they never reload, and the session's connection goes
    # back to the pool while the server talks (only outcomes are written, on their own).
    for row in rows:
        session.expunge(row)
    rows = _withdraw(rows, reasons, claim)
    on_sent = _sent_hook(sent, space_id) if sent and rows else None
    session.commit()
    if rows:
        _deliver(claim, rows, settings_for, stop, notify, on_sent)
    return len(claim.ids)


def _deliver(
    claim: Claim, rows: list[OutboxMessage], settings_for, stop, notify=None, sent=None
) -> None:
    """One connection for the batch; each outcome committed on its own (a later failure never
    rolls back an earlier success)."""
    pending = list(rows)

    def told(row: OutboxMessage, stored: bool) -> None:
        if stored and notify is not None and went_wrong(row):
            claim.renewed_next = None  # a hook may take long: the next row is renewed again
            _tell(notify, row)
        if stored and sent is not None and row.status == "sent":
            claim.renewed_next = None
            _tell(sent, row)

    with outcome_connection() as outcomes:
        transport = None
        try:
            settings = settings_for(claim.space_id)
            # Every step within the deadline that keeps the claim alive (see Claim).
            deadline = claim.message_deadline
            settings = dataclasses.replace(
                settings, timeout=min(settings.timeout, deadline), deadline=deadline
            )
            transport = open_transport(settings)
            transport.open()
            while pending and not (stop and stop.is_set()):
                if claim.renewal_due():
                    held = claim.renew([r.id for r in pending], outcomes, whole=True)
                    pending = [r for r in pending if r.id in held]
                    if not pending:
                        break
                    row = pending.pop(0)
                else:
                    row = pending.pop(0)
                    # Renewed right before its send: by the last outcome's statement, or here.
                    if claim.renewed_next != row.id and not claim.renew([row.id], outcomes):
                        continue  # taken over: the new holder sends it
                claim.renewed_next = None
                # The next row is renewed with this one's outcome, unless the whole batch's
                # renewal comes first.
                after = pending[0].id if pending and not claim.renewal_due() else None
                told(row, send_claimed(row, transport, claim, outcomes, after))
                if row.status == "attention" and db.session.get(MailPause, claim.space_id):
                    break  # paused: the others wait for the settings to be fixed
        except MailError as error:  # no connection (or no settings): nothing was sent
            row = pending.pop(0) if pending else None
            if row is not None:
                told(row, fail(row, error, claim, outcomes))
            if not isinstance(error, ConfigurationError):
                for other in pending:  # the server is unreachable now: they wait as well
                    told(other, fail(other, error, claim, outcomes))
                pending = []
        except sa.exc.DBAPIError as exc:
            log.warning(
                "delivery for space %s stopped, the database failed (%s); its claims expire "
                "and are retried",
                claim.space_id,
                describe(exc),
                exc_info=not isinstance(exc, UNREACHABLE),
            )
            return
        except Exception as exc:  # the connection could not even be opened: none of them go
            error = unexpected(exc)
            for row in pending:
                told(row, fail(row, error, claim, outcomes))
            pending = []
        finally:
            if transport is not None:
                transport.close()
        claim.release([r.id for r in pending], outcomes)


def _sent_hook(sent: Sent, space_id: int):
    """The space's hook for accepted emails in this batch; None (logged) if asking failed."""
    try:
        return sent(space_id)
    except Exception as exc:
        db.session.rollback()
        log.warning(
            "space %s: the hook for accepted emails could not be prepared: %s",
            space_id,
            describe(exc),
            exc_info=not isinstance(exc, UNREACHABLE),
        )
        return None


def _tell(notify: Notify, row: OutboxMessage) -> None:
    """notify(row) in a transaction of its own: committed, or rolled back and logged."""
    try:
        notify(row)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.warning(
            "email %s (%s): telling about it failed: %s",
            row.id,
            row.status,
            describe(exc),
            exc_info=not isinstance(exc, UNREACHABLE),
        )


def _withdraw(rows: list[OutboxMessage], reasons: dict[int, str], claim: Claim):
    """Close the rows that are no longer wanted (committed); returns the others."""
    if not reasons:
        return rows
    table = OutboxMessage.__table__
    for row_id, reason in reasons.items():
        db.session.execute(
            sa.update(table)
            .where(table.c.id == row_id, claim.held())
            .values(status="withdrawn", last_error=reason, claimed_at=None)
        )
    db.session.commit()
    return [row for row in rows if row.id not in reasons]

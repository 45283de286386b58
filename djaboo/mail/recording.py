"""One way into the outbox: every email, whatever caused it, is recorded by `record_emails`.

A staff member's send, a reminder, a test email, a payment thank-you, a notice to staff: each
is a `NewEmail` with its origin and a key unique in its space, inserted here in the caller's
transaction (committed with the action that caused it, before the worker may see it). The
origin is stored, never guessed from the key; the key is checked (length and alphabet) here,
whatever the caller did before. An email of an automatic origin (outbox.AUTOMATIC_ORIGINS) must
have been composed as automatic, and no other email may be: what robots are told not to answer
follows from why the email exists.

Feature rules decide what an email says and what else its recording changes (a document's
status, its public link, the reminder ledger); the insert, its checks and its states are here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from djaboo.db import insert_skipping_duplicates, utcnow
from djaboo.extensions import db
from djaboo.mail.bounces import new_token, verp_sender
from djaboo.mail.compose import Composed
from djaboo.mail.dkim import DkimSigner, sign
from djaboo.mail.outbox import AUTOMATIC_ORIGINS, ORIGINS, OutboxMessage
from djaboo.mail.parts import split_message, store_parts

OUTBOX = OutboxMessage.__table__
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._-]{0,79}")
MAX_PROBLEM = 2000


# Who signs a space's emails: a feature registers one lookup (settings: the space's DKIM key,
# when signing is on); the core never reads settings itself.
SignerLookup = Callable[[int], DkimSigner | None]
_signer_lookups: list[SignerLookup] = []


def register_signer_lookup(lookup: SignerLookup) -> None:
    """Sign every recorded email of a space with the signer `lookup(space_id)` returns (None:
    unsigned). Registering the same function again changes nothing."""
    if lookup not in _signer_lookups:
        _signer_lookups.append(lookup)


def _signed(emails: list[NewEmail]) -> list[NewEmail]:
    """The emails with their final bytes signed, for each space that signs (looked up once)."""
    signers: dict[int, DkimSigner | None] = {}
    result = []
    for email in emails:
        if email.composed is not None and email.space_id not in signers:
            signers[email.space_id] = next(
                (s for s in (f(email.space_id) for f in _signer_lookups) if s is not None), None
            )
        signer = signers.get(email.space_id)
        if email.composed is None or signer is None:
            result.append(email)
            continue
        envelope = email.composed.envelope
        signed = replace(envelope, message=sign(envelope.message, signer))
        result.append(replace(email, composed=replace(email.composed, envelope=signed)))
    return result


class RecordingError(ValueError):
    """A caller's mistake (unknown origin, malformed key): a bug, never a customer's input."""


@dataclass(frozen=True)
class NewEmail:
    """An email to record. `composed` is None for one that could not be made: it is recorded
    as "Needs attention" with `problem`, so it is seen once instead of silently skipped."""

    space_id: int
    origin: str
    key: str
    composed: Composed | None
    event: str = ""
    doc_type: str = ""
    doc_id: int | None = None
    sent_by_id: int | None = None
    problem: str = ""
    # Shown in the log when the email could not be made (a composed one says it itself).
    to_display: str = ""
    subject: str = ""
    # The process that sends it itself at once (a test email's report) instead of the worker:
    # recorded as "sending", held by that name under a new token, so no worker takes it while
    # its lease runs, and a worker does once the holder died.
    held_by: str = ""
    # Send later: an aware moment; the email waits as "scheduled" until then (the worker
    # claims it once it is due, djaboo/mail/claims.py). Made now: its bytes do not change.
    not_before: datetime | None = None

    def values(self, now) -> dict:
        if self.origin not in ORIGINS:
            raise RecordingError(f"unknown origin {self.origin!r}")
        if not KEY.fullmatch(self.key):
            raise RecordingError(f"malformed key {self.key[:100]!r}")
        if self.not_before is not None and (self.held_by or self.not_before.tzinfo is None):
            raise RecordingError("not_before must be aware, and a held email goes at once")
        composed = self.composed
        if composed is not None and (self.origin in AUTOMATIC_ORIGINS) != (
            composed.message["Auto-Submitted"] is not None
        ):
            raise RecordingError(
                f"an email of origin {self.origin!r} must be composed with automatic="
                f"{self.origin in AUTOMATIC_ORIGINS} (outbox.AUTOMATIC_ORIGINS)"
            )
        values = {
            "space_id": self.space_id,
            "origin": self.origin,
            "idempotency_key": self.key,
            "event": self.event,
            "doc_type": self.doc_type,
            "doc_id": self.doc_id,
            "sent_by_id": self.sent_by_id,
            "created_at": now,
            "status": "queued",
            "attempts": 0,
        }
        if composed is None:
            return values | {
                "message_id": "",
                "sender": "",
                "recipients": [],
                "to_display": self.to_display,
                "subject": self.subject,
                "raw": b"",
                "smtputf8": False,
                "status": "attention",
                "last_error": f"Not sent: this email could not be made. {self.problem}"[
                    :MAX_PROBLEM
                ],
            }
        values |= {
            "message_id": composed.message_id,
            "sender": composed.envelope.sender,
            "recipients": list(composed.envelope.recipients),
            "to_display": composed.to_display,
            "subject": composed.subject,
            "raw": composed.envelope.message,
            "smtputf8": composed.envelope.smtputf8,
        }
        if self.not_before is not None:
            values |= {
                "status": "scheduled",
                "next_attempt_at": self.not_before,
                "not_before": self.not_before,
            }
        if self.held_by:
            values |= {
                "status": "sending",
                "claimed_by": self.held_by[:200],
                "claimed_at": now,
                "claim_token": secrets.token_hex(16),
                "attempts": 1,
            }
        return values


@dataclass(frozen=True)
class Recorded:
    id: int
    key: str
    token: str  # the claim token of a held email, else ""
    raw: bytes = b""  # the stored bytes (signed, when the space signs): what goes out


def record_emails(emails: list[NewEmail], *, skip_duplicates: bool = False) -> list[Recorded]:
    """Insert the emails in the caller's transaction (one statement, whatever their number).

    A key already used in the space raises IntegrityError (the caller rolls back: a double
    click, a concurrent run), or with skip_duplicates is left out of the result."""
    if not emails:
        return []
    now = utcnow()
    # Signed last: every header is final, and the stored bytes are the bytes that go out.
    # (The envelope sender is not in the message: a VERP address does not touch the bytes.)
    rows = [email.values(now) for email in _signed(emails)]
    _envelope_senders(rows)
    statement = (
        insert_skipping_duplicates(db.session, OUTBOX) if skip_duplicates else sa.insert(OUTBOX)
    )
    # One column set for every row: an executemany needs the same keys in each.
    columns = set().union(*rows)
    defaults = {
        "claimed_by": "",
        "claim_token": "",
        "last_error": "",
        "claimed_at": None,
        "next_attempt_at": None,
        "not_before": None,
        "bounce_token": "",
    }
    rows = [{c: row.get(c, defaults.get(c)) for c in columns} for row in rows]
    # Big attachments apart, once per space and content (djaboo/mail/parts.py).
    parts, full = {}, {}
    for row in rows:
        key = (row["space_id"], row["idempotency_key"])
        full[key] = row["raw"]
        row["raw"], parts[key] = split_message(row["raw"])  # the column "raw" stores it
    inserted = db.session.execute(
        statement.returning(
            OUTBOX.c.id, OUTBOX.c.idempotency_key, OUTBOX.c.claim_token, OUTBOX.c.space_id
        ),
        rows,
    ).all()
    store_parts([(id_, space_id, parts[(space_id, key)]) for id_, key, _, space_id in inserted])
    # The bytes are already here: not read back (a reminder run's PDFs would come back twice).
    return [
        Recorded(id_, key, token, raw=full[(space_id, key)])
        for id_, key, token, space_id in inserted
    ]


# The space's Return-Path for bounces ("" : none), looked up by the feature that keeps it
# (djaboo/settings/bounces.py registers it; the mail core imports no settings).
ReturnPath = Callable[[int], str]
_return_path: list[ReturnPath] = []


def set_return_path_lookup(lookup: ReturnPath | None) -> None:
    """Register (or, with None, remove) the lookup of a space's Return-Path for bounces."""
    _return_path[:] = [lookup] if lookup is not None else []


def _envelope_senders(rows: list[dict]) -> None:
    """With a Return-Path for bounces, each composed email's envelope sender becomes its own
    VERP address (djaboo/mail/bounces.py), its token stored with it."""
    if not _return_path:
        return
    found: dict[int, str] = {}
    for row in rows:
        if not row.get("sender"):
            continue  # could not be made: sends nothing
        space_id = row["space_id"]
        if space_id not in found:
            found[space_id] = _return_path[0](space_id) or ""
        if found[space_id]:
            token = new_token()
            row["sender"] = verp_sender(found[space_id], token)
            row["bounce_token"] = token


def record_email(email: NewEmail) -> Recorded:
    """One email (see record_emails)."""
    return record_emails([email])[0]


def existing_email(space_id: int, key: str) -> OutboxMessage | None:
    """The email already recorded under this key in the space, if any."""
    return db.session.execute(
        sa.select(OutboxMessage).where(
            OutboxMessage.space_id == space_id, OutboxMessage.idempotency_key == key
        )
    ).scalar_one_or_none()


def existing_emails(space_id: int, keys: list[str]) -> dict[str, OutboxMessage]:
    """The emails already recorded in the space under any of these keys, by key."""
    if not keys:
        return {}
    rows = db.session.execute(
        sa.select(OutboxMessage).where(
            OutboxMessage.space_id == space_id, OutboxMessage.idempotency_key.in_(set(keys))
        )
    ).scalars()
    return {row.idempotency_key: row for row in rows}


def settle_held(recorded: Recorded, changes: dict) -> bool:
    """Write the outcome of a held email, only while its holder still holds it; False when a
    worker took it over after the lease ran out (its outcome is the worker's to write)."""
    result = db.session.execute(
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id == recorded.id,
            OUTBOX.c.status == "sending",
            OUTBOX.c.claim_token == recorded.token,
        )
        .values(**changes)
    )
    return result.rowcount == 1

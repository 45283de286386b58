"""Settings → Email → Bounces: the Return-Path for bounces, the Bounce mailbox that `djaboo
mail worker` reads, and Save a copy in the mailbox's Sent folder.

- The Return-Path is looked up by the mail core when an email is recorded (registered with
  djaboo/mail/recording.py): each email's envelope sender becomes its VERP address.
- read_bounce_mailboxes() runs in the mail worker every few minutes (EVERY): for each space
  with a mailbox, at most MAX_MESSAGES messages per pass, of each its first MAX_BYTES; each is
  parsed (djaboo/mail/bounces.py); a bounce marks its email Bounced (committed), and is told as
  a failure like the others (`notify`, passed in by the CLI: the staff notice of failures);
  every message read is then moved to PROCESSED_FOLDER, never deleted. Safe in several
  workers at once: marking is idempotent (only a "sent" email becomes "bounced").
- save_sent_copy(row): the worker's Sent hook; the copy's failure is stored on the email
  (sent_copy_error), never the send's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.database_timeouts import UNREACHABLE
from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db
from djaboo.mail import imap
from djaboo.mail.bounces import find_email, mark_bounced, parse
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.parts import message_bytes
from djaboo.mail.recording import set_return_path_lookup
from djaboo.secrets_at_rest import SecretUnreadable, decrypt
from djaboo.settings.transport_settings import host_policy_from_config

log = logging.getLogger(__name__)
EVERY = 180.0  # seconds between reads of the bounce mailboxes in the mail worker
MAX_MESSAGES = 50  # per mailbox and pass
MAX_BYTES = 256 * 1024  # of each message: the report and returned headers come first
MAX_ERROR = 500


class BounceSettings(db.Model):
    """One row per space (its own table: Settings → Email's other parts change theirs)."""

    __tablename__ = "bounce_settings"
    __table_args__ = (sa.CheckConstraint("imap_port BETWEEN 1 AND 65535", name="imap_port"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), unique=True
    )
    return_path: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    imap_host: Mapped[str] = mapped_column(sa.String(253), default="", server_default="")
    imap_port: Mapped[int] = mapped_column(default=993, server_default="993")
    imap_ssl: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    imap_username: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    # Fernet token like the SMTP password (djaboo/secrets_at_rest.py).
    imap_password_encrypted: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    save_sent_copy: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The last read of the mailbox (worker or Check mailbox) and what went wrong ("" : fine).
    checked_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    check_error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    @property
    def has_mailbox(self) -> bool:
        return bool(self.imap_host and self.imap_username)


def bounce_settings_for(space_id: int) -> BounceSettings:
    """The space's row, or unsaved defaults (a GET never writes)."""
    found = db.session.execute(
        sa.select(BounceSettings).where(BounceSettings.space_id == space_id)
    ).scalar_one_or_none()
    return found or BounceSettings(space_id=space_id, imap_port=993, imap_ssl=True)


def return_path_for(space_id: int) -> str:
    return (
        db.session.execute(
            sa.select(BounceSettings.return_path).where(BounceSettings.space_id == space_id)
        ).scalar_one_or_none()
        or ""
    )


def register() -> None:
    set_return_path_lookup(return_path_for)


def mailbox_settings(settings: BounceSettings) -> imap.MailboxSettings:
    try:
        password = (
            decrypt(settings.imap_password_encrypted) if settings.imap_password_encrypted else ""
        )
    except SecretUnreadable:
        raise imap.MailboxError(
            "The stored IMAP password can no longer be decrypted (ENCRYPTION_KEY was changed): "
            "enter it again."
        ) from None
    return imap.MailboxSettings(
        host=settings.imap_host,
        port=settings.imap_port,
        ssl=settings.imap_ssl,
        username=settings.imap_username,
        password=password,
        timeout=30.0,
        host_policy=host_policy_from_config(current_app.config),
    )


def read_mailbox(
    settings: BounceSettings, notify: Callable[[OutboxMessage], object] | None = None
) -> dict[str, int]:
    """One pass over one space's bounce mailbox; counts by kind. Raises MailboxError."""
    counts: dict[str, int] = {}
    space_id = settings.space_id
    conn = imap.connect(mailbox_settings(settings))
    try:
        fetched = imap.fetch_inbox(conn, MAX_MESSAGES, MAX_BYTES)
        if fetched:
            imap.ensure_folder(conn, imap.PROCESSED_FOLDER)
        for message in fetched:
            parsed = parse(message.data)
            kind = parsed.kind
            if kind == "bounce":
                row = find_email(space_id, parsed)
                if row is None:
                    kind = "unmatched"
                elif mark_bounced(row, parsed):
                    db.session.commit()
                    if notify is not None:
                        _notify(notify, row)
                else:
                    kind = "already"
            db.session.rollback()  # nothing else is written for this message
            counts[kind] = counts.get(kind, 0) + 1
            imap.move(conn, message.uid, imap.PROCESSED_FOLDER)
    finally:
        imap.close(conn)
    return counts


def _notify(notify, row: OutboxMessage) -> None:
    try:
        notify(row)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the bounce is stored; telling is a bonus
        db.session.rollback()
        log.exception("email %s bounced and telling about it failed", row.id)


def check_space_mailbox(space_id: int, notify=None) -> str:
    """Read the space's mailbox now and store the outcome (committed); returns the error or ""."""
    settings = bounce_settings_for(space_id)
    if not settings.has_mailbox or settings.id is None:
        return "No bounce mailbox is set."
    error = ""
    try:
        read_mailbox(settings, notify)
    except imap.MailboxError as exc:
        error = str(exc)[:MAX_ERROR]
    except (OSError, imap.imaplib.IMAP4.error) as exc:
        error = f"The IMAP server stopped answering ({exc})."[:MAX_ERROR]
    db.session.rollback()
    settings = db.session.get(BounceSettings, settings.id)
    if settings is not None:
        settings.checked_at = utcnow()
        settings.check_error = error
        db.session.commit()
    return error


def read_bounce_mailboxes(notify: Callable[[OutboxMessage], object] | None = None) -> int:
    """For the mail worker: read every space's bounce mailbox once; returns how many had an
    error. One space's failure is stored on its settings and never stops the others."""
    spaces = (
        db.session.execute(
            sa.select(BounceSettings.space_id)
            .where(BounceSettings.imap_host != "", BounceSettings.imap_username != "")
            .order_by(BounceSettings.space_id)
        )
        .scalars()
        .all()
    )
    errors = 0
    for space_id in spaces:
        try:
            if check_space_mailbox(space_id, notify):
                errors += 1
        except UNREACHABLE:
            db.session.rollback()
            raise
        except Exception:  # noqa: BLE001 - one space's poison must not stop the others
            db.session.rollback()
            errors += 1
            log.exception("bounce mailbox of space %s failed; the others go on", space_id)
    return errors


def save_sent_copy(row: OutboxMessage) -> None:
    """The worker's Sent hook: APPEND the sent message to the mailbox's \\Sent folder when the
    space asks for it; a failure is written on the email (flushed; the worker commits)."""
    settings = db.session.execute(
        sa.select(BounceSettings).where(BounceSettings.space_id == row.space_id)
    ).scalar_one_or_none()
    if settings is None or not settings.save_sent_copy or not settings.has_mailbox:
        return
    stored = db.session.execute(
        sa.select(OutboxMessage.stored).where(OutboxMessage.id == row.id)
    ).scalar_one_or_none()
    raw = message_bytes(row.id, stored) if stored else None
    if not raw:
        return
    error = ""
    try:
        imap.append_sent(mailbox_settings(settings), raw)
    except imap.MailboxError as exc:
        error = f"Not saved in the Sent folder: {exc}"
    except Exception as exc:  # noqa: BLE001 - never the send's failure
        error = f"Not saved in the Sent folder: {type(exc).__name__}: {exc}"
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(sent_copy_error=error[:MAX_ERROR])
    )

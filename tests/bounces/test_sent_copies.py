"""The Sent folder copy as a job of its own (djaboo/settings/sent_copies.py), against a real
Dovecot and the SMTP fixture, through the real worker, on both databases: delivery only marks
the copy pending (no IMAP in the delivery thread); the job saves a space's copies over one IMAP
login; a failed copy waits for its backoff, is tried again, and is never a second send."""

from __future__ import annotations

import email
import time
from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import OutboxMessage
from djaboo.notices.failures import notify_failure
from djaboo.settings import sent_copies
from djaboo.settings.sent_copies import mark_pending, save_sent_copies
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.bounces.test_bounces import admin, email_to, fresh, save_bounces, send_invoice


def deliver_only() -> None:
    """The delivery part of the worker (its Sent hook included), without the copy job."""
    while worker.run_once(transport_settings_for_space, notify=notify_failure, sent=mark_pending):
        pass


def logins(dovecot, settle: float = 0.3) -> int:
    """The IMAP logins Dovecot has logged so far (its log is written a moment later)."""
    time.sleep(settle)
    return dovecot.log().count(f"Login: user=<{dovecot.user}>")


def test_two_emails_are_copied_over_one_imap_login_after_delivery(app, idle_shop, dovecot, login):
    shop = admin(app, idle_shop, login)
    save_bounces(shop, dovecot, save_sent_copy="y")
    send_invoice(shop)
    rows = [email_to("jane@example.org"), email_to("bob@example.org")]
    before = logins(dovecot)
    deliver_only()
    assert logins(dovecot) == before  # delivery never talks IMAP
    rows = [fresh(r.id) for r in rows]
    assert [(r.status, r.sent_copy) for r in rows] == [("sent", "pending")] * 2
    assert len(shop.server.messages) == 2

    assert save_sent_copies() == 2
    assert logins(dovecot) == before + 1
    rows = [fresh(r.id) for r in rows]
    assert [(r.sent_copy, r.sent_copy_error) for r in rows] == [("saved", "")] * 2
    copies = [email.message_from_bytes(m) for m in dovecot.folder("Sent")]
    assert sorted(c["Message-ID"] for c in copies) == sorted(r.message_id for r in rows)
    after = logins(dovecot)
    assert save_sent_copies() == 0 and logins(dovecot) == after  # nothing left: no login


def test_a_failed_copy_waits_is_tried_again_then_given_up_never_resent(
    app, idle_shop, dovecot, login
):
    shop = admin(app, idle_shop, login)
    save_bounces(shop, dovecot, save_sent_copy="y")
    dovecot.stop()
    send_invoice(shop)
    row = email_to("jane@example.org")
    deliver_only()
    assert save_sent_copies() == 0
    row = fresh(row.id)
    assert (row.status, row.sent_copy, row.sent_copy_attempts) == ("sent", "pending", 1)
    assert row.sent_copy_error.startswith("Not saved in the Sent folder: Could not connect")
    assert row.sent_copy_error.endswith("It will be tried again.")
    assert row.sent_copy_next_at > utcnow()
    page = shop.client.get(f"/emails/{row.id}").get_data(as_text=True)
    assert "Sent folder copy" in page and "It will be tried again." in page

    dovecot.start()
    assert save_sent_copies() == 0  # its backoff is not over
    db.session.execute(
        sa.update(OutboxMessage).values(sent_copy_next_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert save_sent_copies() == 2  # both contacts' copies
    row = fresh(row.id)
    assert (row.sent_copy, row.sent_copy_error) == ("saved", "")
    assert len(dovecot.folder("Sent")) == 2
    assert len(shop.server.messages) == 2  # a copy is never a second send

    # A copy that keeps failing is given up after MAX_ATTEMPTS, and says so.
    dovecot.stop()
    send_invoice(shop)
    last = email_to("jane@example.org")
    deliver_only()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == last.id)
        .values(sent_copy_attempts=sent_copies.MAX_ATTEMPTS - 1)
    )
    db.session.commit()
    save_sent_copies()
    last = fresh(last.id)
    assert last.sent_copy == "failed" and last.sent_copy_next_at is None
    assert last.sent_copy_error.endswith(f"Given up after {sent_copies.MAX_ATTEMPTS} attempts.")
    assert len(shop.server.messages) == 4

"""Bounces and the Sent folder copy, against a real IMAP server (Dovecot, tests/fixtures/
dovecot.py) and the SMTP fixture, through the real mail worker, on both databases.

A bounce delivered to the mailbox marks the right email and contact within one pass of the
worker's bounce job (VERP token, else Message-ID); an auto-reply is ignored; what was read is
moved to Djaboo/Processed, never deleted; a wrong password shows on the settings page; a copy
of each sent email lands in the \\Sent folder, and a failing copy never fails the send."""

from __future__ import annotations

import email
import re

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import BouncedAddress, OutboxMessage
from djaboo.notices.failures import notify_failure
from djaboo.settings.bounces import read_bounce_mailboxes
from djaboo.settings.sent_copies import mark_pending, save_sent_copies
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.mail.test_bounce_parsing import sample
from tests.notices.conftest import notices
from tests.notices.conftest import send_invoice as send_to


def send_invoice(shop):
    """Staff send the shop's invoice to all its contacts: one email each."""
    return send_to(shop, contacts=[c.id for c in shop.customer.contacts])


def deliver() -> None:
    """The worker as `djaboo mail worker --once` runs it: told of failures and of each sent
    email (its Sent folder copy pending), then its job that saves the copies."""
    while worker.run_once(transport_settings_for_space, notify=notify_failure, sent=mark_pending):
        pass
    save_sent_copies()


def save_bounces(shop, imap, **overrides):
    data = {
        "return_path": "",
        "imap_host": "127.0.0.1",
        "imap_port": str(imap.port),
        "imap_username": imap.user,
        "imap_password": imap.password,
    } | overrides
    data = {k: v for k, v in data.items() if v is not None}
    client = shop.admin_client
    response = client.submit("/settings/email/bounces", data, page="/settings/email")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def admin(app, shop, login):
    shop.admin_client = app.test_client()
    login(shop.admin_client, shop.admin)
    return shop


def email_to(address: str) -> OutboxMessage:
    """The latest email sent by staff to this address (one email per contact)."""
    rows = db.session.execute(
        sa.select(OutboxMessage)
        .where(OutboxMessage.origin == "manual")
        .order_by(OutboxMessage.id.desc())
    ).scalars()
    return next(r for r in rows if address in r.recipients)


def fresh(row_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, row_id)


def test_a_verp_bounce_marks_its_email_and_contact_in_one_pass(app, idle_shop, dovecot, login):
    shop = admin(app, idle_shop, login)
    save_bounces(shop, dovecot, return_path="bounces+x@app.example.net")
    send_invoice(shop)
    sent = email_to("jane@example.org")
    other = email_to("bob@example.org")  # sent with it: not marked
    deliver()
    row = fresh(sent.id)
    assert row.status == "sent"
    match = re.fullmatch(r"bounces\+([a-f0-9]{20})@app\.example\.net", row.sender)
    assert match and match.group(1) == row.bounce_token
    assert fresh(other.id).bounce_token not in ("", row.bounce_token)
    assert any(m.mail_from == row.sender for m in shop.server.messages)

    # A Postfix bounce to that VERP address; the returned Message-ID is not ours: the token
    # alone finds the email. Then an auto-reply, which is ignored.
    dovecot.deliver(sample("postfix.eml", to=row.sender, rcpt="jane@example.org", mid="<x@y>"))
    dovecot.deliver(sample("autoreply.eml", to=row.sender, rcpt="jane@example.org"))
    assert read_bounce_mailboxes(notify_failure) == 0

    row = fresh(sent.id)
    assert row.status == "bounced"
    assert "jane@example.org: 5.1.1" in row.bounce_reason
    assert "User unknown" in row.bounce_reason
    assert fresh(other.id).status == "sent"
    [address] = db.session.execute(sa.select(BouncedAddress)).scalars().all()
    assert (address.email, address.outbox_id) == ("jane@example.org", sent.id)
    # Nothing deleted: both moved to Djaboo/Processed.
    assert dovecot.folder("INBOX") == []
    processed = dovecot.folder("Djaboo/Processed")
    assert len(processed) == 2
    assert {email.message_from_bytes(m)["Subject"] for m in processed} == {
        "Undelivered Mail Returned to Sender",
        "Automatic reply: Invoice INV-0006",
    }
    # The staff hear of it like of any failure.
    told = [n for n in notices() if f":{sent.id}:" in n.idempotency_key]
    assert told and all("Bounced" in n.raw.decode("utf-8", "replace") for n in told)

    page = shop.client.get(f"/customers/{shop.customer.id}").get_data(as_text=True)
    assert re.search(r"jane@example\.org&gt;.*Address bounced [A-Z][a-z]{2} \d{1,2}, \d{4}", page)
    assert "bob@example.org&gt;" in page and page.count("Address bounced") == 1
    page = shop.client.get(f"/emails/{sent.id}").get_data(as_text=True)
    assert "Bounced" in page and "5.1.1" in page
    page = shop.client.get(f"/invoices/{shop.invoice.id}/send").get_data(as_text=True)
    assert "jane@example.org: Address bounced" in page

    # A second pass finds nothing new; the same bounce again changes nothing.
    dovecot.deliver(sample("postfix.eml", to=row.sender, rcpt="jane@example.org", mid="<x@y>"))
    assert read_bounce_mailboxes(notify_failure) == 0
    assert fresh(sent.id).status == "bounced"
    assert len(dovecot.folder("Djaboo/Processed")) == 3


def test_without_return_path_the_message_id_finds_the_email(app, idle_shop, dovecot, login):
    shop = admin(app, idle_shop, login)
    save_bounces(shop, dovecot)
    send_invoice(shop)
    sent = email_to("bob@example.org")
    deliver()
    row = fresh(sent.id)
    assert row.bounce_token == "" and "+" not in row.sender
    # An Exchange NDR for a recipient that is not the email's: not marked.
    dovecot.deliver(
        sample("exchange.eml", to=row.sender, rcpt="x@else.example", mid=row.message_id)
    )
    read_bounce_mailboxes()
    assert fresh(sent.id).status == "sent"
    # Gmail's, for bob: marked.
    dovecot.deliver(sample("gmail.eml", to=row.sender, rcpt="bob@example.org", mid=row.message_id))
    read_bounce_mailboxes()
    row = fresh(sent.id)
    assert row.status == "bounced" and "bob@example.org: 5.1.1" in row.bounce_reason
    assert len(dovecot.folder("Djaboo/Processed")) == 2


def test_a_wrong_password_shows_on_the_settings_page(app, idle_shop, dovecot, login):
    shop = admin(app, idle_shop, login)
    save_bounces(shop, dovecot, imap_password="wrong")
    dovecot.deliver(sample("postfix.eml"))
    response = shop.admin_client.submit("/settings/email/bounces/check", {}, page="/settings/email")
    assert response.status_code == 302
    page = shop.admin_client.get("/settings/email").get_data(as_text=True)
    assert "The IMAP server refused the username or password" in page
    assert len(dovecot.folder("INBOX")) == 1  # untouched
    # The worker's job stores the same; fixed, the check reads the mailbox.
    assert read_bounce_mailboxes() == 1
    save_bounces(shop, dovecot)
    shop.admin_client.submit("/settings/email/bounces/check", {}, page="/settings/email")
    page = shop.admin_client.get("/settings/email").get_data(as_text=True)
    assert "refused the username" not in page and "Bounce mailbox read" in page
    assert dovecot.folder("INBOX") == []


def test_a_copy_goes_to_the_sent_folder_and_a_failed_copy_never_fails_the_send(
    app, idle_shop, dovecot, login
):
    shop = admin(app, idle_shop, login)
    save_bounces(shop, dovecot, save_sent_copy="y")
    send_invoice(shop)
    rows = [email_to("jane@example.org"), email_to("bob@example.org")]
    deliver()
    rows = [fresh(r.id) for r in rows]
    assert all(r.status == "sent" and r.sent_copy_error == "" for r in rows)
    copies = [email.message_from_bytes(m) for m in dovecot.folder("Sent")]
    assert sorted(c["Message-ID"] for c in copies) == sorted(r.message_id for r in rows)
    assert all(b"Subject:" in m for m in dovecot.folder("Sent"))

    dovecot.stop()
    send_invoice(shop)
    second = email_to("jane@example.org")
    deliver()
    row = fresh(second.id)
    assert row.status == "sent"
    assert row.sent_copy_error.startswith("Not saved in the Sent folder: Could not connect")
    page = shop.client.get(f"/emails/{second.id}").get_data(as_text=True)
    assert "Sent folder copy" in page and "Not saved in the Sent folder" in page


def test_bounce_settings_refuse_bad_input(app, idle_shop, dovecot, login):
    shop = admin(app, idle_shop, login)
    client = shop.admin_client
    for data in (
        {"return_path": "not an address"},
        {"imap_host": "bad host!", "imap_username": "u"},
        {"imap_host": "127.0.0.1"},  # no username
        {"save_sent_copy": "y"},  # no mailbox
        {"imap_port": "70000", "imap_host": "127.0.0.1", "imap_username": "u"},
    ):
        response = client.submit("/settings/email/bounces", data, page="/settings/email")
        assert response.status_code == 400, data
        assert "The bounce settings were not saved" in response.get_data(as_text=True)


def test_in_digest_mode_a_bounce_is_in_the_digest_of_the_day_it_came_back(
    app, idle_shop, dovecot, login
):
    from djaboo.notices.digest import send_failure_digests
    from tests.notices.test_digest import choose_digest, next_digest_run

    shop = admin(app, idle_shop, login)
    choose_digest(app, shop, login)
    save_bounces(shop, dovecot, return_path="bounces+@app.example.net")
    send_invoice(shop)
    sent = email_to("jane@example.org")
    deliver()
    row = fresh(sent.id)
    dovecot.deliver(sample("qmail.eml", to=row.sender, rcpt="jane@example.org", mid="<x@y>"))
    read_bounce_mailboxes(notify_failure)
    row = fresh(sent.id)
    assert row.status == "bounced" and "No such user here" in row.bounce_reason
    assert notices() == []  # nothing at once in digest mode
    digests = send_failure_digests(next_digest_run(row.bounced_at))
    assert digests
    deliver()
    texts = [fresh(i).raw.decode("utf-8", "replace") for i in digests]
    assert any("Bounced" in t and row.subject in t for t in texts)

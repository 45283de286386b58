"""A person's hand on the queue (issue #12, items 7 and 8): Cancel, Retry now, Send now,
Resend several at once, and Send at. Real SMTP server, real worker (its loop or one pass of
it), both engines."""

import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.models import Invoice
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.claims import claim_due
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.transport_settings import transport_settings_for_space
from djaboo.spaces.clock import space_time
from djaboo.spaces.models import Space
from tests.documents.conftest import send_form, wait_for_delivery
from tests.settings.conftest import form_data

ZONE = "Europe/Paris"


def deliver_all() -> int:
    handled = 0
    while n := worker.run_once(transport_settings_for_space):
        handled += n
    return handled


def in_zone(shop, zone=ZONE):
    space = db.session.get(Space, shop.admin.space_id)
    space.timezone = zone
    db.session.commit()
    return space


def send_at_value(space, moment: datetime, seconds: bool = False) -> str:
    """What a person types into Send at for this moment, on the space's clock."""
    return space_time(space, moment).strftime("%Y-%m-%dT%H:%M:%S" if seconds else "%Y-%m-%dT%H:%M")


def queue(shop, invoice_id=None, **overrides) -> OutboxMessage:
    """Send the invoice through the send form; the row it recorded."""
    invoice_id = invoice_id or shop.invoice.id
    data = send_form(shop.client, invoice_id, **overrides)
    if "contacts" not in overrides:  # one contact: one email (each contact gets their own)
        data["contacts"] = data["contacts"][:1]
    response = shop.client.post(f"/invoices/{invoice_id}/send", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    newest = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1)
    return db.session.execute(newest).scalar_one()


def row(row_id) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, row_id)


def act(shop, row_id, action, **data):
    return shop.client.submit(
        f"/emails/{row_id}/{action}", data, page=f"/emails/{row_id}", follow_redirects=True
    )


def test_cancel_queued_retrying_and_scheduled_emails_but_not_one_being_sent(idle_shop):
    shop, server = idle_shop, idle_shop.server
    space = in_zone(shop)
    being_sent = queue(shop)
    # Another worker claimed it (the real claim) while the page still showed "Queued".
    assert claim_due(shop.admin.space_id, "other-host:1:1", 10, 2).ids == [being_sent.id]
    server.script.data = "451 4.3.0 Try again later"
    retrying = queue(shop)
    assert deliver_all() == 1
    assert row(retrying.id).status == "retry"
    server.script.data = None
    queued = queue(shop)
    scheduled = queue(shop, send_at=send_at_value(space, utcnow() + timedelta(days=1)))
    assert scheduled.status == "scheduled"

    log = shop.client.get("/emails").get_data(as_text=True)
    for email in (retrying, queued, scheduled):
        assert f'action="/emails/{email.id}/cancel"' in log
    page = act(shop, retrying.id, "cancel").get_data(as_text=True)
    assert "The email is cancelled; it will not be sent." in page and "Cancelled" in page
    act(shop, queued.id, "cancel", back="log", status="queued")
    page = shop.client.submit(
        f"/emails/{scheduled.id}/cancel",
        {"back": "log"},
        page="/emails",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "<h1>Emails</h1>" in page  # back to the log it was clicked in
    page = act(shop, being_sent.id, "cancel").get_data(as_text=True)
    assert "Too late: it is being sent." in page

    assert row(being_sent.id).status == "sending"
    for email in (retrying, queued, scheduled):
        cancelled = row(email.id)
        assert cancelled.status == "cancelled" and cancelled.status_label == "Cancelled"
        assert cancelled.last_error.startswith("Cancelled by Sam Staff.")
    assert "Last attempt: The server refused" in row(retrying.id).last_error
    assert "451 4.3.0 Try again later" in row(retrying.id).last_error
    # Even once their time has come, nothing sends them.
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(1)))
    db.session.commit()
    assert deliver_all() == 0 and server.messages == []
    assert "Cancelled" in shop.client.get("/emails?status=cancelled").get_data(as_text=True)
    # And a cancelled email is not cancelled, resent or sent "now" again.
    for action in ("cancel", "send-now", "resend"):
        act(shop, queued.id, action)
        assert row(queued.id).status == "cancelled"


def test_retry_now_delivers_at_once_and_the_next_attempt_is_shown_on_the_spaces_clock(shop):
    space = in_zone(shop)
    shop.server.script.data = "451 4.3.0 Try again later"
    email = wait_for_delivery(queue(shop).id)
    assert email.status == "retry"
    assert email.next_attempt_at > utcnow() + timedelta(seconds=30)  # the backoff: a minute
    expected = space_time(space, email.next_attempt_at).strftime("%Y-%m-%d %H:%M %Z")
    assert expected.endswith(("CET", "CEST"))
    for url in ("/emails", f"/emails/{email.id}"):
        page = shop.client.get(url).get_data(as_text=True)
        assert f"Next attempt {expected}" in page or f'"next-attempt">{expected}' in page, url
        assert "Retry now" in page
    shop.server.script.data = None
    started = time.monotonic()
    page = act(shop, email.id, "send-now").get_data(as_text=True)
    assert "The email is queued; it goes out now." in page
    email = wait_for_delivery(email.id)
    assert email.status == "sent" and email.attempts == 2
    assert time.monotonic() - started < 15  # not at the backoff's minute
    [got] = shop.server.messages
    assert got.message["Message-ID"] == email.message_id
    assert "Too late: it was sent already." in act(shop, email.id, "send-now").get_data(
        as_text=True
    )


def test_a_scheduled_email_waits_for_its_time_then_the_worker_wakes_for_it(
    idle_shop, mail_worker, engine_name
):
    shop = idle_shop
    space = in_zone(shop)
    # PostgreSQL: NOTIFY at the insert, then nothing for 30 s; the worker must wake for the
    # time itself. SQLite has no NOTIFY: its ordinary poll finds the new row.
    mail_worker(interval=30.0 if engine_name == "postgresql" else None)
    when = (utcnow() + timedelta(seconds=4)).replace(microsecond=0)
    email = queue(shop, send_at=send_at_value(space, when, seconds=True))
    made = email.raw
    assert email.status == "scheduled" and email.next_attempt_at == when == email.not_before
    assert db.session.get(Invoice, shop.invoice.id).status == "unpaid"  # changed at once
    log = shop.client.get("/emails?status=scheduled").get_data(as_text=True)
    assert "Scheduled" in log and f"/emails/{email.id}" in log and "Send now" in log
    detail = shop.client.get(f"/emails/{email.id}").get_data(as_text=True)
    assert space_time(space, when).strftime("%Y-%m-%d %H:%M %Z") in detail
    while utcnow() < when - timedelta(seconds=1):
        assert row(email.id).status == "scheduled" and shop.server.messages == []
        time.sleep(0.2)
    deadline = when + timedelta(seconds=4)
    while row(email.id).status != "sent" and utcnow() < deadline:
        time.sleep(0.05)
    sent = row(email.id)
    assert sent.status == "sent", (sent.status, sent.last_error)
    assert when <= sent.sent_at < deadline
    [got] = shop.server.messages
    assert got.content == made  # made when it was scheduled, as previewed, sent unchanged


def test_send_now_sends_a_scheduled_email_at_once(shop):
    space = in_zone(shop)
    email = queue(shop, send_at=send_at_value(space, utcnow() + timedelta(days=3)))
    time.sleep(0.6)  # a worker pass or two: not due, not sent
    assert row(email.id).status == "scheduled" and shop.server.messages == []
    page = act(shop, email.id, "send-now").get_data(as_text=True)
    assert "The email is queued; it goes out now." in page
    assert abs(row(email.id).not_before - utcnow()) < timedelta(seconds=30)
    assert wait_for_delivery(email.id).status == "sent"
    assert len(shop.server.messages) == 1


def test_retries_of_a_scheduled_email_get_their_days_from_its_time(idle_shop):
    """The give-up age counts from when the email was to go, not from when it was made."""
    shop = idle_shop
    space = in_zone(shop)
    scheduled = queue(shop, send_at=send_at_value(space, utcnow() + timedelta(days=20)))
    plain = queue(shop)
    ten_days_ago = utcnow() - timedelta(days=10)
    db.session.execute(sa.update(OutboxMessage).values(created_at=ten_days_ago))
    # Its time came (as in twenty days, made ten days before that).
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == scheduled.id)
        .values(next_attempt_at=utcnow(), not_before=utcnow())
    )
    db.session.commit()
    shop.server.script.data = "451 4.3.0 Try again later"
    assert deliver_all() == 2
    assert row(scheduled.id).status == "retry"
    assert row(plain.id).status == "failed"  # queued ten days ago: given up


def test_resend_several_failed_emails_at_once_ignoring_other_spaces_ids(
    idle_shop, app, create_space, create_customer, create_invoice, login
):
    shop = idle_shop
    other = create_space(name="Other Ltd")
    other_client = app.test_client()
    login(other_client, other)
    other_client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=shop.server.port, encryption="none")
    )
    foreign_invoice = create_invoice(
        create_customer(other.space, contacts=[("Zed", "Zee", "zed@example.org")]), other
    )
    shop.server.script.rcpt = {"*": "550 5.1.1 No such user"}
    first, second = queue(shop), queue(shop)
    not_selected = queue(shop)
    other_shop = type("OtherShop", (), {"client": other_client, "invoice": foreign_invoice})
    foreign = queue(other_shop)
    deliver_all()
    assert {row(e.id).status for e in (first, second, not_selected, foreign)} == {"failed"}
    shop.server.script.rcpt = {}

    log = shop.client.get("/emails").get_data(as_text=True)
    assert f'name="ids" value="{first.id}" form="selected-emails"' in log
    assert f'/emails/{foreign.id}"' not in log
    too_many = shop.client.submit(
        "/emails/selected",
        {"action": "resend", "ids": [str(first.id)] * 201},
        page="/emails",
        follow_redirects=True,
    )
    assert "At most 200 emails at once." in too_many.get_data(as_text=True)
    assert row(first.id).status == "failed"
    no_token = shop.client.post("/emails/selected", data={"action": "resend", "ids": first.id})
    assert no_token.status_code == 400 and row(first.id).status == "failed"

    page = shop.client.submit(
        "/emails/selected",
        {
            "action": "resend",
            "ids": [first.id, second.id, foreign.id, "abc", "99999999999", "-3"],
            "status": "failed",
        },
        page="/emails",
    )
    assert page.status_code == 302 and page.headers["Location"].endswith("/emails?status=failed")
    flashed = shop.client.get("/emails").get_data(as_text=True)
    assert "2 email(s) queued again. 1 left as they were" in flashed
    assert row(foreign.id).status == "failed"  # another space's: untouched
    assert {row(e.id).status for e in (first, second)} == {"queued"}
    deliver_all()
    assert {row(e.id).status for e in (first, second)} == {"sent"}
    assert row(not_selected.id).status == "failed" and row(foreign.id).status == "failed"
    assert len(shop.server.messages) == 2


def test_cancel_several_at_once(idle_shop):
    shop = idle_shop
    space = in_zone(shop)
    a, b = queue(shop), queue(shop, send_at=send_at_value(space, utcnow() + timedelta(hours=5)))
    response = shop.client.submit(
        "/emails/selected", {"action": "cancel", "ids": [a.id, b.id]}, page="/emails"
    )
    assert response.status_code == 302
    assert {row(a.id).status, row(b.id).status} == {"cancelled"}
    assert deliver_all() == 0 and shop.server.messages == []


def next_skipped_local_time(zone: str) -> datetime:
    """The first wall-clock time after now that the zone's clocks skip (summer time begins)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    moment = utcnow().replace(minute=30, second=0, microsecond=0)
    for _ in range(24 * 366):
        moment += timedelta(hours=1)
        local = moment.astimezone(tz).replace(tzinfo=None)
        before = (moment - timedelta(hours=1)).astimezone(tz).replace(tzinfo=None)
        if local - before == timedelta(hours=2):
            return before + timedelta(hours=1)
    raise AssertionError(f"{zone} skips no hour in the coming year")


@pytest.mark.parametrize("case", ["past", "skipped", "too_far", "garbage"])
def test_send_at_in_the_past_a_skipped_hour_or_beyond_a_year_is_refused(idle_shop, case):
    shop = idle_shop
    space = in_zone(shop)
    value, message = {
        "past": (
            send_at_value(space, utcnow() - timedelta(minutes=5)),
            "Choose a time in the future",
        ),
        "skipped": (
            next_skipped_local_time(ZONE).strftime("%Y-%m-%dT%H:%M"),
            f"does not exist in {ZONE}: the clocks skip that hour",
        ),
        "too_far": (
            send_at_value(space, utcnow() + timedelta(days=400)),
            "At most a year ahead.",
        ),
        "garbage": ("9999-99-99T99:99", "Not a valid datetime value."),
    }[case]
    data = send_form(shop.client, shop.invoice.id, send_at=value)
    response = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0
    db.session.expire_all()
    assert db.session.get(Invoice, shop.invoice.id).status == "draft"


def test_the_send_page_says_when_the_email_is_made_and_the_status_changes(idle_shop):
    in_zone(idle_shop)
    page = idle_shop.client.get(f"/invoices/{idle_shop.invoice.id}/send").get_data(as_text=True)
    assert 'type="datetime-local"' in page and "Send at" in page
    assert "The email is made now, as previewed, and sent at that time." in page
    assert f"({ZONE})" in page
    assert "The invoice is marked “Unpaid” now, not then: the attached PDF says “Unpaid”." in page


def test_a_year_9999_send_at_is_refused_without_an_overflow(idle_shop):
    data = send_form(idle_shop.client, idle_shop.invoice.id, send_at="9999-12-31T23:59")
    response = idle_shop.client.post(f"/invoices/{idle_shop.invoice.id}/send", data=data)
    assert response.status_code == 400 and "At most a year ahead." in response.get_data(
        as_text=True
    )
    data = send_form(idle_shop.client, idle_shop.invoice.id, send_at="0001-01-01T00:00")
    response = idle_shop.client.post(f"/invoices/{idle_shop.invoice.id}/send", data=data)
    assert response.status_code == 400 and "Choose a time in the future" in response.get_data(
        as_text=True
    )

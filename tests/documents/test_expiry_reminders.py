"""Estimate expiry reminders (issue #12 item 2): the reminder run queues "Estimate expiring soon"
once per sent estimate expiring within N days, through the reminder ledger."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from djaboo.documents.kinds import ESTIMATE
from djaboo.documents.models import Estimate, EstimateLine, ReminderLog
from djaboo.documents.numbering import next_number
from djaboo.documents.reminders import (
    reminder_day,
    reminder_settings_for,
    reminders_no_longer_due,
    run_reminders,
)
from djaboo.documents.totals import refresh_totals
from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.settings.conftest import form_data

NOW = datetime.now(UTC).replace(hour=23, minute=0)  # after the send hour, in a UTC space
DAY = reminder_day(NOW, "UTC", 9)


def deliver_all():
    while worker.run_once(transport_settings_for_space, withdraw=reminders_no_longer_due):
        pass


@pytest.fixture
def quoting_shop(create_space, create_user, create_customer, client, login, smtp_server):
    admin = create_space(name="Acme Ltd")
    server = smtp_server()
    login(client, admin)
    client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    owner = create_user(admin.space, signature="<p>OWNER SIGNATURE</p>")
    customer = create_customer(admin.space)

    def estimate(status="sent", expires_in=2, customer=customer):
        est = Estimate(
            space_id=admin.space_id,
            customer_id=customer.id,
            number=next_number(admin.space_id, ESTIMATE),
            owner_id=owner.id,
            issue_date=DAY - timedelta(days=20),
            expiry_date=DAY + timedelta(days=expires_in),
            currency="EUR",
            status=status,
            version=1,
        )
        est.lines.append(
            EstimateLine(
                position=1,
                description="Garden design",
                quantity=Decimal(1),
                unit_price=Decimal(900),
                tax_rate=Decimal(20),
            )
        )
        refresh_totals(est)
        db.session.add(est)
        db.session.commit()
        return est

    return SimpleNamespace(
        admin=admin, server=server, owner=owner, customer=customer, estimate=estimate, client=client
    )


def reminders():
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.doc_type == "estimate")
            .order_by(OutboxMessage.doc_id)
        )
        .scalars()
        .all()
    )


def test_a_new_space_reminds_three_days_before(quoting_shop):
    settings = reminder_settings_for(quoting_shop.admin.space_id)
    assert (settings.estimate_expiry_enabled, settings.estimate_expiry_days) == (True, 3)


def test_one_reminder_per_estimate_however_often_the_run_runs(quoting_shop):
    due = quoting_shop.estimate(expires_in=2)
    last_day = quoting_shop.estimate(expires_in=3)
    today = quoting_shop.estimate(expires_in=0)  # valid until the end of today
    quoting_shop.estimate(expires_in=4)  # not yet
    quoting_shop.estimate(expires_in=-1)  # expired yesterday
    for status in ("draft", "accepted", "declined"):
        quoting_shop.estimate(status=status)
    queued = run_reminders(NOW)
    assert len(queued) == 3
    for _ in range(3):
        assert run_reminders(NOW) == []
    rows = reminders()
    assert [r.doc_id for r in rows] == [due.id, last_day.id, today.id]
    assert {(r.origin, r.event, r.status) for r in rows} == {
        ("reminder", "estimate_expiring", "queued")
    }
    assert [r.idempotency_key for r in rows] == [  # one per recipient contact (here one)
        f"estimate-expiring:{e.id}:{e.customer.recipients[0].id}" for e in (due, last_day, today)
    ]
    logs = db.session.execute(sa.select(ReminderLog).order_by(ReminderLog.estimate_id)).scalars()
    logs = logs.all()
    assert [(log.estimate_id, log.invoice_id, log.stage, log.occurrence) for log in logs] == [
        (e.id, None, "expiring", 0) for e in (due, last_day, today)
    ]
    assert sorted(log.outbox_id for log in logs) == sorted(queued)

    deliver_all()
    assert run_reminders(NOW) == []
    assert len(quoting_shop.server.messages) == 3
    [got] = [m for m in quoting_shop.server.messages if due.number in m.message["Subject"]]
    expiry = (DAY + timedelta(days=2)).strftime("%b %-d, %Y")
    assert got.message["Subject"] == f"Estimate {due.number} expires on {expiry}"
    assert got.rcpt_tos == [quoting_shop.customer.contacts[0].email]
    assert got.message["Reply-To"].addresses[0].addr_spec == quoting_shop.owner.email
    html = got.message.get_body(("html",)).get_content()
    assert "/p/estimate/" in html and "€1,080.00" in html and "OWNER SIGNATURE" in html
    [pdf] = [p for p in got.message.iter_attachments()]
    assert pdf.get_filename() == f"{due.number}.pdf"


def test_invoice_and_estimate_reminders_share_the_ledger(quoting_shop, create_invoice):
    late = create_invoice(
        quoting_shop.customer,
        quoting_shop.owner,
        status="unpaid",
        due_in_days=30,
        issue_date=DAY - timedelta(days=32),
    )
    estimate = quoting_shop.estimate()
    assert len(run_reminders(NOW)) == 2
    assert run_reminders(NOW) == []
    logs = db.session.execute(sa.select(ReminderLog.invoice_id, ReminderLog.estimate_id)).all()
    assert sorted(logs, key=str) == sorted([(late.id, None), (None, estimate.id)], key=str)


def set_settings(client, **fields):
    data = {
        "due_soon_enabled": "y",
        "due_soon_days": "2",
        "due_soon_event": "invoice_due_soon",
        "overdue_first_days": "1",
        "overdue_event": "invoice_overdue",
        "resend_every_days": "3",
        "max_resends": "3",
        "repeat_event": "invoice_overdue_repeat",
        "send_hour": "9",
        "timezone": "UTC",
        "attach_pdf": "y",
        "thank_you_enabled": "y",
        "estimate_expiry_enabled": "y",
        "estimate_expiry_days": "3",
        **fields,
    }
    return client.submit("/settings/reminders", {k: v for k, v in data.items() if v is not None})


def test_off_in_settings_none(quoting_shop):
    quoting_shop.estimate()
    response = set_settings(quoting_shop.client, estimate_expiry_enabled=None)
    assert response.status_code == 302
    assert run_reminders(NOW) == []
    response = set_settings(quoting_shop.client, estimate_expiry_days="10")
    far = quoting_shop.estimate(expires_in=9)
    assert len(run_reminders(NOW)) == 2  # on again, and 10 days ahead
    assert far.id in [r.doc_id for r in reminders()]


def test_not_to_a_customer_whose_reminders_are_off(quoting_shop, create_customer):
    quiet = create_customer(quoting_shop.admin.space, reminders=False)
    quoting_shop.estimate(customer=quiet)
    assert run_reminders(NOW) == []


def test_an_inactive_template_is_not_sent_and_goes_once_active_again(quoting_shop):
    estimate = quoting_shop.estimate()
    db.session.execute(
        sa.update(EmailTemplate)
        .where(EmailTemplate.event == "estimate_expiring")
        .values(active=False)
    )
    db.session.commit()
    assert run_reminders(NOW) == []
    assert db.session.execute(sa.select(sa.func.count(ReminderLog.id))).scalar_one() == 0
    db.session.execute(sa.update(EmailTemplate).values(active=True))
    db.session.commit()
    assert len(run_reminders(NOW)) == 1
    assert [r.doc_id for r in reminders()] == [estimate.id]


@pytest.mark.parametrize("answer", ["accepted", "declined"])
def test_an_estimate_answered_before_its_reminder_goes_out_is_withdrawn(quoting_shop, answer):
    answered = quoting_shop.estimate()
    open_one = quoting_shop.estimate()
    assert len(run_reminders(NOW)) == 2
    # The customer answers while the reminder waits in the queue.
    db.session.execute(
        sa.update(Estimate)
        .where(Estimate.id == answered.id)
        .values(status=answer, version=Estimate.version + 1)
    )
    db.session.commit()
    deliver_all()
    [got] = quoting_shop.server.messages
    assert open_one.number in got.message["Subject"]
    withdrawn = next(r for r in reminders() if r.doc_id == answered.id)
    assert withdrawn.status == "withdrawn" and withdrawn.sent_at is None
    assert withdrawn.last_error == f"Not sent: estimate {answered.number} is {answer} now."


def test_a_reminder_that_waited_past_the_expiry_date_is_withdrawn(quoting_shop):
    estimate = quoting_shop.estimate(expires_in=1)
    assert len(run_reminders(NOW)) == 1
    db.session.execute(
        sa.update(Estimate)
        .where(Estimate.id == estimate.id)
        .values(expiry_date=DAY - timedelta(days=1))
    )
    db.session.commit()
    deliver_all()
    assert quoting_shop.server.messages == []
    [row] = reminders()
    assert row.status == "withdrawn" and "expired on" in row.last_error


def test_concurrent_runs_send_one_email_per_estimate(app, quoting_shop):
    estimates = [quoting_shop.estimate() for _ in range(6)]
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                results.extend(run_reminders(NOW))
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(r.doc_id for r in reminders()) == sorted(e.id for e in estimates)
    assert len(results) == len(estimates)
    deliver_all()
    assert len(quoting_shop.server.messages) == len(estimates)


def by_hand(estimate, event, days_ago=0):
    db.session.add(
        OutboxMessage(
            space_id=estimate.space_id,
            idempotency_key=f"by-hand-{estimate.id}-{event}",
            message_id=f"<h{estimate.id}@x>",
            sender="a@x.example",
            recipients=["b@x.example"],
            raw=b"x",
            status="sent",
            origin="manual",
            event=event,
            doc_type="estimate",
            doc_id=estimate.id,
            created_at=datetime.now(UTC) - timedelta(days=days_ago),
        )
    )
    db.session.commit()


def test_emailed_by_hand_today_or_already_reminded_by_hand(quoting_shop):
    sent_today = quoting_shop.estimate()
    by_hand(sent_today, "estimate_sent")
    reminded = quoting_shop.estimate()
    by_hand(reminded, "estimate_expiring", days_ago=5)
    sent_long_ago = quoting_shop.estimate()
    by_hand(sent_long_ago, "estimate_sent", days_ago=5)
    assert len(run_reminders(NOW)) == 1
    [row] = [r for r in reminders() if r.origin == "reminder"]
    assert row.doc_id == sent_long_ago.id


def test_an_email_that_cannot_be_made_is_recorded_once_as_needing_attention(
    quoting_shop, create_customer
):
    broken = create_customer(quoting_shop.admin.space, contacts=[("Bo", "Gus", "bo@@example")])
    estimate = quoting_shop.estimate(customer=broken)
    good = quoting_shop.estimate()
    assert len(run_reminders(NOW)) == 2
    assert run_reminders(NOW) == []
    rows = {r.doc_id: r for r in reminders()}
    assert rows[good.id].status == "queued"
    assert rows[estimate.id].status == "attention" and "bo@@example" in rows[estimate.id].last_error


def test_settings_page_labels_and_bounds(quoting_shop):
    page = quoting_shop.client.get("/settings/reminders").get_data(as_text=True)
    for label in (
        "Email the customer when a payment is recorded",
        "Remind customers before an estimate expires",
        "Days before the expiry date",
    ):
        assert label in page
    for bad, message in (
        ("0", "Enter a number from 1 to 60."),
        ("61", "Enter a number from 1 to 60."),
        ("abc", "Not a valid integer value."),
        ("", "This field is required."),
    ):
        response = set_settings(quoting_shop.client, estimate_expiry_days=bad)
        assert response.status_code == 400 and message in response.get_data(as_text=True), bad
    assert reminder_settings_for(quoting_shop.admin.space_id).estimate_expiry_days == 3
    response = set_settings(
        quoting_shop.client,
        estimate_expiry_days="60",
        thank_you_enabled=None,
        estimate_expiry_enabled=None,
    )
    assert response.status_code == 302
    db.session.expire_all()
    settings = reminder_settings_for(quoting_shop.admin.space_id)
    assert (
        settings.estimate_expiry_days,
        settings.estimate_expiry_enabled,
        settings.thank_you_enabled,
    ) == (60, False, False)
    page = quoting_shop.client.get("/settings/reminders").get_data(as_text=True)
    assert 'value="60"' in page

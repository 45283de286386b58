"""Overdue reminders: exactly one per (invoice, stage, occurrence), in the space's time zone."""

import threading
import time
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from djaboo.documents.models import Invoice, ReminderLog
from djaboo.documents.reminders import (
    Due,
    reminder_day,
    reminder_settings_for,
    run_reminders,
    stage_due,
)
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import OutboxMessage
from tests.settings.conftest import form_data

SETTINGS = SimpleNamespace(
    due_soon_enabled=True, due_soon_days=2, overdue_first_days=1, resend_every_days=3, max_resends=3
)
DUE = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 7), None),
        (date(2026, 3, 8), ("due_soon", 0)),
        (date(2026, 3, 9), ("due_soon", 0)),
        (date(2026, 3, 10), None),
        (date(2026, 3, 11), ("overdue", 0)),
        (date(2026, 3, 13), ("overdue", 0)),
        (date(2026, 3, 14), ("overdue", 1)),
        (date(2026, 3, 20), ("overdue", 3)),
        (date(2026, 6, 1), ("overdue", 3)),
    ],
)
def test_stage_due(day, expected):
    due = stage_due(SimpleNamespace(id=1, due_date=DUE), SETTINGS, day)
    assert (due and (due.stage, due.occurrence)) == (expected or None)


def test_stages_can_be_switched_off():
    settings = SimpleNamespace(
        **{**vars(SETTINGS), "due_soon_enabled": False, "resend_every_days": 0}
    )
    invoice = SimpleNamespace(id=1, due_date=DUE)
    assert stage_due(invoice, settings, date(2026, 3, 9)) is None
    assert stage_due(invoice, settings, date(2026, 4, 30)) == Due(1, "overdue", 0)


def test_the_reminder_day_follows_the_spaces_clock_and_send_hour():
    # 07:30 UTC is 08:30 in Paris: before a 9 o'clock send hour, it is still yesterday's turn.
    assert reminder_day(datetime(2026, 3, 10, 7, 30, tzinfo=UTC), "Europe/Paris", 9) == date(
        2026, 3, 9
    )
    assert reminder_day(datetime(2026, 3, 10, 8, 30, tzinfo=UTC), "Europe/Paris", 9) == date(
        2026, 3, 10
    )
    # The spring-forward night in Paris: 01:30 UTC is 03:30 local, no day is skipped.
    assert reminder_day(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "Europe/Paris", 0) == date(
        2026, 3, 29
    )
    assert reminder_day(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "Asia/Tokyo", 9) == date(
        2026, 3, 10
    )  # 08:30 on the 11th in Tokyo: not yet
    assert reminder_day(datetime(2026, 3, 11, 0, 30, tzinfo=UTC), "Asia/Tokyo", 9) == date(
        2026, 3, 11
    )


@pytest.fixture
def overdue_shop(
    create_space, create_user, create_customer, create_invoice, client, login, smtp_server
):
    admin = create_space(name="Acme Ltd")
    server = smtp_server()
    login(client, admin)
    client.submit(
        "/settings/email",
        form_data(
            host="127.0.0.1", port=server.port, encryption="none", signature_html="<p>GLOBAL</p>"
        ),
    )
    owner = create_user(admin.space, signature="<p>OWNER SIGNATURE</p>")
    customer = create_customer(admin.space)
    today = date.today()

    def invoice(status="unpaid", days_late=5, **kw):
        return create_invoice(
            customer,
            owner,
            status=status,
            due_in_days=30,
            issue_date=today - timedelta(days=30 + days_late),
            **kw,
        )

    return SimpleNamespace(
        admin=admin, server=server, owner=owner, customer=customer, invoice=invoice, client=client
    )


def now_after_send_hour():
    return datetime.now(UTC).replace(hour=23, minute=0)


def test_one_reminder_per_invoice_however_often_the_job_runs(overdue_shop):
    late = overdue_shop.invoice()
    for status in ("paid", "cancelled", "draft"):
        overdue_shop.invoice(status=status)
    assert len(run_reminders(now_after_send_hour())) == 1
    assert run_reminders(now_after_send_hour()) == []
    [log] = db.session.execute(sa.select(ReminderLog)).scalars().all()
    assert (log.invoice_id, log.stage, log.occurrence) == (late.id, "overdue", 1)
    [row] = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert row.event == "invoice_overdue" and row.sent_by_id is None

    worker.run_once(
        lambda space_id: __import__(
            "djaboo.settings.transport_settings", fromlist=["x"]
        ).transport_settings_for_space(space_id)
    )
    [got] = overdue_shop.server.messages
    html = got.message.get_body(("html",)).get_content()
    assert "OWNER SIGNATURE" in html and "GLOBAL" not in html
    assert "5 days overdue" in html and late.number in html
    assert got.message["Reply-To"].addresses[0].addr_spec == overdue_shop.owner.email


def test_catch_up_sends_the_stage_due_now_once(overdue_shop):
    overdue_shop.invoice(days_late=30)  # cron missed weeks
    run_reminders(now_after_send_hour())
    logs = db.session.execute(sa.select(ReminderLog)).scalars().all()
    assert [(r.stage, r.occurrence) for r in logs] == [("overdue", 3)]


def test_opt_outs_and_manual_sends(overdue_shop):
    quiet = overdue_shop.invoice()
    quiet.reminders_enabled = False
    manual = overdue_shop.invoice()
    db.session.add(
        OutboxMessage(
            space_id=manual.space_id,
            idempotency_key="by-hand",
            message_id="<h@x>",
            sender="a@x.example",
            recipients=["b@x.example"],
            raw=b"x",
            status="sent",
            doc_type="invoice",
            doc_id=manual.id,
        )
    )
    db.session.commit()
    assert run_reminders(now_after_send_hour()) == []
    overdue_shop.customer.reminders_enabled = False
    quiet.reminders_enabled = True
    db.session.commit()
    assert run_reminders(now_after_send_hour()) == []


def test_paid_between_selection_and_send_is_not_reminded(overdue_shop, monkeypatch):
    from djaboo.documents import reminders

    invoice = overdue_shop.invoice()
    real = reminders.due_reminders

    def select_then_pay(*args):
        found = real(*args)
        db.session.execute(sa.update(Invoice).where(Invoice.id == invoice.id).values(status="paid"))
        return found

    monkeypatch.setattr(reminders, "due_reminders", select_then_pay)
    assert run_reminders(now_after_send_hour()) == []
    assert db.session.execute(sa.select(sa.func.count(ReminderLog.id))).scalar_one() == 0


def test_concurrent_runs_send_one_email_per_invoice(app, overdue_shop):
    invoices = [overdue_shop.invoice() for _ in range(6)]
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                results.extend(run_reminders(now_after_send_hour()))
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
    rows = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert sorted(r.doc_id for r in rows) == sorted(i.id for i in invoices)
    assert len(results) == len(invoices)


def test_reminder_settings_page(client, create_space, create_user, login):
    admin = create_space()
    login(client, admin)
    page = client.get("/settings/reminders").get_data(as_text=True)
    assert "Send a notice before the due date" in page
    response = client.submit(
        "/settings/reminders",
        {
            "due_soon_enabled": "y",
            "due_soon_days": "5",
            "overdue_first_days": "2",
            "resend_every_days": "7",
            "max_resends": "4",
            "send_hour": "8",
            "timezone": "Europe/Paris",
            "attach_pdf": "",
            "estimate_expiry_days": "3",
        },
    )
    assert response.status_code == 302
    settings = reminder_settings_for(admin.space_id)
    db.session.refresh(settings)
    assert (
        settings.due_soon_days,
        settings.resend_every_days,
        settings.send_hour,
        settings.attach_pdf,
    ) == (5, 7, 8, False)
    bad = client.submit(
        "/settings/reminders",
        {
            "due_soon_days": "-1",
            "send_hour": "24",
            "overdue_first_days": "1",
            "resend_every_days": "1",
            "max_resends": "1",
            "timezone": "Mars/Olympus",
        },
    )
    html = bad.get_data(as_text=True)
    assert "Enter a number from 0 to 60." in html and "Enter an hour from 0 to 23." in html
    assert "Not a valid choice" in html
    staff = client.application.test_client()
    login(staff, create_user(admin.space))
    assert staff.get("/settings/reminders").status_code == 403


def deliver_all():
    from djaboo.settings.transport_settings import transport_settings_for_space

    while worker.run_once(transport_settings_for_space):
        pass


def subjects(server):
    return sorted(m.message["Subject"] for m in server.messages)


def test_each_stage_sends_the_template_chosen_for_it(overdue_shop, create_customer):
    first = overdue_shop.invoice(days_late=5)  # occurrence 1, but never reminded: first notice
    again = overdue_shop.invoice(days_late=5)
    db.session.add(
        ReminderLog(space_id=again.space_id, invoice_id=again.id, stage="overdue", occurrence=0)
    )
    db.session.commit()
    assert len(run_reminders(now_after_send_hour())) == 2
    deliver_all()
    assert subjects(overdue_shop.server) == [
        f"Overdue: invoice {first.number}",
        f"Still unpaid: invoice {again.number}",
    ]
    # An admin picks another template for the first notice in Settings → Reminders.
    page = overdue_shop.client.get("/settings/reminders").get_data(as_text=True)
    assert "Template for the first overdue notice" in page and "Template for the repeats" in page
    response = overdue_shop.client.submit(
        "/settings/reminders",
        {
            "due_soon_enabled": "y",
            "due_soon_days": "2",
            "due_soon_event": "invoice_due_soon",
            "overdue_first_days": "1",
            "overdue_event": "invoice_resent",
            "resend_every_days": "3",
            "max_resends": "3",
            "repeat_event": "invoice_overdue_repeat",
            "send_hour": "9",
            "timezone": "UTC",
            "attach_pdf": "",
            "estimate_expiry_days": "3",
        },
    )
    assert response.status_code == 302
    late = overdue_shop.invoice(days_late=1)
    run_reminders(now_after_send_hour())
    deliver_all()
    [row] = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.doc_id == late.id)
    ).scalars()
    assert row.event == "invoice_resent" and late.number in row.subject
    assert b"Content-Type: application/pdf" not in row.raw  # "Attach the invoice PDF" is off


def test_a_run_is_chunked_and_links_each_log_to_its_email(overdue_shop, monkeypatch):
    from djaboo.documents import reminders

    monkeypatch.setattr(reminders, "CHUNK", 2)
    invoices = [overdue_shop.invoice(days_late=2) for _ in range(5)]
    queued = run_reminders(now_after_send_hour())
    assert len(queued) == 5
    logs = db.session.execute(sa.select(ReminderLog)).scalars().all()
    assert sorted(log.outbox_id for log in logs) == sorted(queued)
    rows = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert sorted(r.doc_id for r in rows) == sorted(i.id for i in invoices)
    assert len({r.message_id for r in rows}) == 5
    deliver_all()
    assert len(overdue_shop.server.messages) == 5
    for invoice, got in zip(
        invoices, sorted(overdue_shop.server.messages, key=_number), strict=True
    ):
        html = got.message.get_body(("html",)).get_content()
        assert invoice.number in html and "/p/invoice/" in html
        assert got.rcpt_tos == [overdue_shop.customer.contacts[0].email]


def _number(got):
    return got.message["Subject"].split()[-1]


def test_an_invoice_edited_while_its_chunk_is_composed_goes_out_as_edited(
    overdue_shop, monkeypatch
):
    from decimal import Decimal

    from djaboo.documents import reminders

    invoice = overdue_shop.invoice(days_late=2)
    real = reminders.compose_chunk
    composed = []

    def compose_then_edit(batch, chunk):
        """Staff save the invoice once, right after the run composed its first chunk."""
        drafts = real(batch, chunk)
        composed.append(len(chunk))
        if len(composed) == 1:
            db.session.execute(
                sa.update(Invoice)
                .where(Invoice.id == invoice.id)
                .values(total=Decimal("999.00"), version=Invoice.version + 1)
            )
            db.session.commit()
        return drafts

    monkeypatch.setattr(reminders, "compose_chunk", compose_then_edit)
    assert len(run_reminders(now_after_send_hour())) == 1
    assert composed == [1, 1]  # composed again, as a chunk of one, from the edited invoice
    deliver_all()
    [got] = overdue_shop.server.messages
    assert "999.00" in got.message.get_body(("html",)).get_content()


def test_one_bad_address_does_not_hold_back_the_others(overdue_shop, create_customer):
    good = overdue_shop.invoice(days_late=2)
    broken = create_customer(overdue_shop.admin.space, contacts=[("Bo", "Gus", "bo@@example")])
    bad = overdue_shop.invoice(days_late=2)
    bad.customer_id = broken.id
    db.session.commit()
    queued = run_reminders(now_after_send_hour())
    [sent] = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.id.in_(queued)))
    assert sent[0].doc_id == good.id and sent[0].status == "queued"
    # The refused one is not silently skipped: it needs attention, with the reason, once.
    refused = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.doc_id == bad.id)
    ).scalar_one()
    assert refused.status == "attention" and "bo@@example" in refused.last_error
    assert refused.raw == b"" and refused.recipients == [] and refused.origin == "reminder"
    assert run_reminders(now_after_send_hour()) == []


def test_a_reminder_paid_before_it_goes_out_is_withdrawn_not_sent(overdue_shop):
    from djaboo.documents.reminders import reminders_no_longer_due
    from djaboo.settings.transport_settings import transport_settings_for_space

    paid = overdue_shop.invoice(days_late=2)
    still_due = overdue_shop.invoice(days_late=2)
    assert len(run_reminders(now_after_send_hour())) == 2
    # The customer pays while the reminder waits in the queue (the relay was down, say).
    db.session.execute(sa.update(Invoice).where(Invoice.id == paid.id).values(status="paid"))
    db.session.commit()
    while worker.run_once(transport_settings_for_space, withdraw=reminders_no_longer_due):
        pass
    [got] = overdue_shop.server.messages
    assert still_due.number in got.message["Subject"]
    withdrawn = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.doc_id == paid.id)
    ).scalar_one()
    assert withdrawn.status == "withdrawn" and withdrawn.sent_at is None
    assert withdrawn.last_error == f"Not sent: invoice {paid.number} is paid now."
    page = overdue_shop.client.get(f"/emails/{withdrawn.id}").get_data(as_text=True)
    assert "Not sent: no longer needed" in page and "is paid now" in page


def test_a_staff_send_and_the_reminder_run_about_one_invoice_take_turns(app, overdue_shop):
    """Both lock the invoice before recording (djaboo/documents/recording.py): the run waits
    for the staff member's send to commit, then sees it and leaves the reminder for later."""
    from djaboo.documents.sending import SendRequest, queue_document_email
    from djaboo.staff.models import User

    invoice = overdue_shop.invoice(days_late=2)
    holding, release, errors, queued = threading.Event(), threading.Event(), [], []

    def staff_sends():
        with app.app_context():
            try:
                document = db.session.get(Invoice, invoice.id)
                request = SendRequest(
                    event="invoice_sent",
                    contact_ids=[c.id for c in document.customer.contacts],
                    subject="Invoice {invoice_number}",
                    body_html="<p>Sent by hand</p>",
                    send_key="by-hand-" + "0" * 24,
                )
                queue_document_email(document, db.session.get(User, overdue_shop.owner.id), request)
                holding.set()
                release.wait(20)
                db.session.commit()
            except Exception as exc:  # reported below
                errors.append(exc)
                holding.set()
            finally:
                db.session.remove()

    def reminder_run():
        with app.app_context():
            try:
                queued.extend(run_reminders(now_after_send_hour()))
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    staff = threading.Thread(target=staff_sends)
    staff.start()
    assert holding.wait(20)
    run = threading.Thread(target=reminder_run)
    run.start()
    time.sleep(2)  # long enough for an unlocked run to record its reminder
    release.set()
    staff.join(20)
    run.join(60)
    assert not errors
    assert queued == []
    rows = db.session.execute(sa.select(OutboxMessage.origin)).scalars().all()
    assert rows == ["manual"]


def test_every_reminder_is_recorded_with_its_origin(overdue_shop):
    overdue_shop.invoice(days_late=2)
    [row_id] = run_reminders(now_after_send_hour())
    row = db.session.get(OutboxMessage, row_id)
    assert (row.origin, row.sent_by_id) == ("reminder", None)
    page = overdue_shop.client.get("/emails").get_data(as_text=True)
    assert "Automatic reminder" in page


def test_each_recipient_gets_their_own_reminder_in_the_invoices_thread(
    overdue_shop, create_customer, create_invoice
):
    """One reminder email per recipient contact, greeted by name, marked automatic, following
    the first email that contact had about the invoice; the ledger row points to the first
    of them; when the invoice is paid before they go out, all of them are withdrawn."""
    from datetime import timedelta

    from djaboo.documents.reminders import reminders_no_longer_due
    from djaboo.settings.transport_settings import transport_settings_for_space
    from tests.documents.conftest import send_form

    customer = create_customer(
        overdue_shop.admin.space,
        contacts=[("Wile", "Coyote", "wile@acme.example"), ("Road", "Runner", "road@acme.example")],
    )
    wile, road = customer.contacts
    issued = date.today() - timedelta(days=32)
    threaded, paid_later = (
        create_invoice(customer, overdue_shop.owner, status="unpaid", issue_date=issued)
        for _ in range(2)
    )
    # Sent by hand days ago, to both: each contact's first email about the invoice.
    overdue_shop.client.post(
        f"/invoices/{threaded.id}/send", data=send_form(overdue_shop.client, threaded.id)
    )
    db.session.execute(
        sa.update(OutboxMessage).values(
            status="sent", created_at=datetime.now(UTC) - timedelta(days=3)
        )
    )
    db.session.commit()
    by_hand = {
        r.recipients[0]: r.message_id
        for r in db.session.execute(sa.select(OutboxMessage)).scalars()
    }
    assert set(by_hand) == {wile.email, road.email}

    queued = run_reminders(now_after_send_hour())
    assert len(queued) == 4
    rows = {
        (r.doc_id, r.recipients[0]): r
        for r in db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.id.in_(queued))
        ).scalars()
    }
    logs = {log.invoice_id: log for log in db.session.execute(sa.select(ReminderLog)).scalars()}
    for invoice in (threaded, paid_later):
        log = logs[invoice.id]
        mine = [rows[(invoice.id, c.email)] for c in (wile, road)]
        assert [r.idempotency_key for r in mine] == [
            f"reminder:{invoice.id}:{log.stage}:{log.occurrence}:{c.id}" for c in (wile, road)
        ]
        assert log.outbox_id == mine[0].id == min(r.id for r in mine)
        assert {r.origin for r in mine} == {"reminder"}

    db.session.execute(sa.update(Invoice).where(Invoice.id == paid_later.id).values(status="paid"))
    db.session.commit()
    while worker.run_once(transport_settings_for_space, withdraw=reminders_no_longer_due):
        pass
    statuses = dict(  # the worker took (and detached) the rows loaded above: read again
        db.session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(queued))
        ).all()
    )
    assert {statuses[r.id] for k, r in rows.items() if k[0] == paid_later.id} == {"withdrawn"}
    assert {statuses[r.id] for k, r in rows.items() if k[0] == threaded.id} == {"sent"}
    delivered = {m.message["Message-ID"]: m for m in overdue_shop.server.messages}
    assert len(delivered) == 2
    for contact, name in ((wile, "Wile"), (road, "Road")):
        got = delivered[rows[(threaded.id, contact.email)].message_id]
        assert got.rcpt_tos == [contact.email]
        assert [a.addr_spec for a in got.message["To"].addresses] == [contact.email]
        html = got.message.get_body(("html",)).get_content()
        assert f"Dear {name}," in html and ("Road" if name == "Wile" else "Wile") not in html
        assert got.message["Auto-Submitted"] == "auto-generated"
        assert got.message["X-Auto-Response-Suppress"] == "All"
        parent = by_hand[contact.email]
        assert got.message["In-Reply-To"] == parent
        assert got.message["References"] == " ".join(dict.fromkeys([by_hand[wile.email], parent]))
    # The invoice's history lists every email: the two by hand and the two reminders.
    page = overdue_shop.client.get(f"/invoices/{threaded.id}").get_data(as_text=True)
    history = page[page.index('id="emails"') :]
    assert history.count("Wile Coyote &lt;wile@acme.example&gt;") == 2
    assert history.count("Road Runner &lt;road@acme.example&gt;") == 2

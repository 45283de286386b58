"""One way out: a page only queues its email; the mail worker sends it, woken by the commit
(PostgreSQL NOTIFY, sent by a trigger in the same transaction) or by its short poll (SQLite),
so the page shows the outcome within about a second, and the space's pause and connection cap
apply to every email."""

import time

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.outbox import MailPause, OutboxMessage
from tests.documents.conftest import send_form, wait_for_delivery
from tests.mail.test_worker import statuses


def listening() -> bool:
    """A worker LISTENs for new mail (PostgreSQL)."""
    db.session.rollback()
    return bool(
        db.session.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND query = 'LISTEN djaboo_outbox'"
            )
        ).scalar_one()
    )


def start_worker(mail_worker, engine_name):
    """On PostgreSQL it polls once a minute only: a delivery within seconds can only come from
    the notification sent with the commit."""
    if engine_name != "postgresql":
        return mail_worker()
    running = mail_worker(interval=60)
    deadline = time.monotonic() + 10
    while not listening():
        assert time.monotonic() < deadline, "the worker does not listen"
        time.sleep(0.05)
    time.sleep(0.5)  # its first look (nothing due yet) is over: it waits now
    return running


def test_a_page_only_queues_its_email(idle_shop):
    response = idle_shop.client.post(
        f"/invoices/{idle_shop.invoice.id}/send",
        data=send_form(idle_shop.client, idle_shop.invoice.id),
    )
    assert response.status_code == 302
    row_ids = db.session.execute(sa.select(OutboxMessage.id)).scalars().all()
    time.sleep(1)  # long enough for the thread that used to send from the request
    assert statuses(row_ids) == ["queued", "queued"] and idle_shop.server.messages == []


def test_the_worker_sends_what_a_page_queued_at_once(idle_shop, mail_worker, engine_name):
    shop = idle_shop
    start_worker(mail_worker, engine_name)
    shop.server.script.rcpt = {"*": "550 5.1.1 No such user"}
    jane = shop.customer.contacts[0]
    shop.client.post(
        f"/invoices/{shop.invoice.id}/send",
        data=send_form(shop.client, shop.invoice.id, contacts=[str(jane.id)]),
    )
    row_id = db.session.execute(sa.select(OutboxMessage.id)).scalar_one()
    assert wait_for_delivery(row_id, timeout=10).status == "failed"
    # Resending queues the same row again, and that wakes the worker as well.
    shop.server.script.rcpt = {}
    shop.client.submit(f"/emails/{row_id}/resend", page=f"/emails/{row_id}")
    assert wait_for_delivery(row_id, timeout=10).status == "sent"
    page = shop.client.get(f"/invoices/{shop.invoice.id}").get_data(as_text=True)
    assert "Accepted by the server" in page
    # One copy (beside it: the staff's notices about the failure).
    assert len([m for m in shop.server.messages if "jane@example.org" in m.rcpt_tos]) == 1


def test_a_paused_space_keeps_what_a_page_queued(idle_shop, mail_worker):
    """The request used to send on its own thread, pause or not."""
    db.session.add(MailPause(space_id=idle_shop.admin.space_id, reason="Authentication failed"))
    db.session.commit()
    mail_worker()
    idle_shop.client.post(
        f"/invoices/{idle_shop.invoice.id}/send",
        data=send_form(idle_shop.client, idle_shop.invoice.id),
    )
    row_ids = db.session.execute(sa.select(OutboxMessage.id)).scalars().all()
    time.sleep(1.5)  # three of the worker's looks on SQLite
    assert statuses(row_ids) == ["queued", "queued"] and idle_shop.server.messages == []

"""The sender and the admins hear when an email fails for good; a notice never causes another;
a paused space tells its admins once per pause."""

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import MailPause, OutboxMessage
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.fixtures.database import TEST_BASE_URL
from tests.notices.conftest import deliver, delivered_to, notices, send_invoice
from tests.settings.conftest import form_data

REFUSED = "550 5.1.1 No such user"


def refuse_the_customers(shop) -> None:
    """The server refuses every address of the customer's email (BCC-all included)."""
    shop.server.script.rcpt = {
        a: REFUSED for a in ("jane@example.org", "bob@example.org", "audit@acme.example")
    }


def test_failed_for_good_tells_the_sender_and_each_admin_once(app, idle_shop, create_user, login):
    shop = idle_shop
    other_admin = create_user(shop.admin.space, role="admin", name="Olga Admin")
    create_user(shop.admin.space, role="staff", name="Not Told")
    refuse_the_customers(shop)
    email = send_invoice(shop)
    worker.run_once(transport_settings_for_space)  # no notify: nobody is told
    assert notices() == []
    db.session.get(OutboxMessage, email.id).status = "queued"
    db.session.commit()

    deliver()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, email.id).status == "failed"
    told = {n.recipients[0]: n for n in notices()}
    assert set(told) == {shop.staff.email, shop.admin.email, other_admin.email}
    assert {n.idempotency_key for n in told.values()} == {
        f"notice:failed:{email.id}:{u.id}" for u in (shop.staff, shop.admin, other_admin)
    }
    assert all(n.status == "sent" for n in told.values())
    [got] = delivered_to(shop.server, shop.staff.email)
    assert got.message["Subject"] == f"Not delivered: {email.subject}"
    text = got.message.get_body(("plain",)).get_content()
    assert "Status: Failed" in text and f"Invoice {shop.invoice.number}" in text
    assert "refused for jane@example.org: 550 5.1.1 No such user" in text
    assert f"{TEST_BASE_URL}/emails/{email.id}" in text

    # An admin who sends it themselves is told once, not as sender and again as admin.
    admin_client = app.test_client()
    login(admin_client, shop.admin)
    mine = send_invoice(shop, client=admin_client)
    deliver()
    told = [n.recipients[0] for n in notices() if f":{mine.id}:" in n.idempotency_key]
    assert sorted(told) == sorted([shop.admin.email, other_admin.email])


def test_choices_in_the_profile_are_kept(app, idle_shop, login):
    shop = idle_shop
    admin_client = app.test_client()
    login(admin_client, shop.admin)
    page = admin_client.get("/staff/profile").get_data(as_text=True)
    assert "any email of the space fails" in page
    admin_client.submit("/staff/profile", {"name": "Admin", "notify_estimate_answers": "y"})
    shop.client.submit("/staff/profile", {"name": "Sam Staff"})  # everything off
    refuse_the_customers(shop)
    send_invoice(shop)
    deliver()
    assert notices() == []


def test_a_notice_that_fails_causes_no_other_notice(idle_shop):
    shop = idle_shop
    shop.server.script.rcpt = {"*": REFUSED}  # the staff's addresses too
    email = send_invoice(shop)
    deliver()
    first = notices()
    assert len(first) == 2 and all(n.status == "failed" for n in first)
    assert db.session.get(OutboxMessage, email.id).status == "failed"
    # Their failure went to the same hook: nothing new, however often the worker runs.
    for n in first:
        n.status = "queued"
    db.session.commit()
    deliver()
    assert [n.id for n in notices()] == [n.id for n in first]


def test_a_partly_refused_email_is_told_too(idle_shop):
    shop = idle_shop
    shop.server.script.rcpt = {"bob@example.org": REFUSED}
    email = send_invoice(shop, cc="bob@example.org")  # Jane in To, Bob in CC: one email
    deliver()
    db.session.expire_all()
    row = db.session.get(OutboxMessage, email.id)
    assert row.status == "sent"
    assert row.last_error == "Delivered to 2; refused for bob@example.org: 550 5.1.1 No such user"
    assert {n.recipients[0] for n in notices()} == {shop.staff.email, shop.admin.email}


def test_a_paused_space_tells_its_admins_once_per_pause(app, idle_shop, login):
    shop = idle_shop
    shop.server.script.mail = "553 5.7.1 Sender address rejected: not owned by user"
    emails = [send_invoice(shop) for _ in range(3)]
    deliver()
    db.session.expire_all()
    pause = db.session.get(MailPause, shop.admin.space_id)
    assert pause is not None
    statuses = [db.session.get(OutboxMessage, e.id).status for e in emails]
    assert statuses == ["attention", "queued", "queued"]
    [notice] = notices()  # the admin's, about the pause; none per email, none to the sender
    since = int(pause.since.timestamp())
    assert notice.event == "sending_paused_notice"
    assert notice.idempotency_key == f"notice:paused:{shop.admin.space_id}:{since}:{shop.admin.id}"
    assert notice.recipients == [shop.admin.email] and notice.status == "queued"  # it waits too

    # Saving the settings lifts the pause: the emails and the notice leave together.
    shop.server.script.mail = None
    admin_client = app.test_client()
    login(admin_client, shop.admin)
    saved = admin_client.submit(
        "/settings/email",
        form_data(host="127.0.0.1", port=shop.server.port, encryption="none"),
    )
    assert saved.status_code == 302
    deliver()
    db.session.expire_all()
    assert [db.session.get(OutboxMessage, e.id).status for e in emails] == ["sent"] * 3
    [notice] = notices()
    assert notice.status == "sent"
    [got] = delivered_to(shop.server, shop.admin.email)
    text = got.message.get_body(("plain",)).get_content()
    assert "Sender address rejected" in text and f"{TEST_BASE_URL}/settings/email" in text


def test_telling_that_fails_never_stops_delivery(idle_shop):
    shop = idle_shop
    jane, bob = shop.customer.contacts
    first, second = send_invoice(shop, [jane.id]), send_invoice(shop, [bob.id])
    shop.server.script.rcpt = {a: REFUSED for a in ("jane@example.org", "audit@acme.example")}
    told = []

    def broken(row):
        told.append(row.id)
        raise RuntimeError("the notices feature broke")

    while worker.run_once(transport_settings_for_space, notify=broken):
        pass
    db.session.expire_all()
    assert told == [first.id, second.id]  # both went wrong: one failed, one partly refused
    assert db.session.get(OutboxMessage, first.id).status == "failed"
    assert db.session.get(OutboxMessage, second.id).status == "sent"
    assert [m.rcpt_tos for m in shop.server.messages] == [["bob@example.org"]]
    count = (
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.origin == "notice")
    )
    assert db.session.execute(count).scalar_one() == 0


def test_a_reminder_that_fails_tells_the_owner_of_its_invoice(idle_shop):
    """An automatic email has no sender: it went in the name of its document's owner."""
    from tests.mail.test_worker import queue

    shop = idle_shop
    [row_id] = queue(shop.admin.space_id, 1, to="jane@example.org")
    row = db.session.get(OutboxMessage, row_id)
    row.origin, row.doc_type, row.doc_id = "reminder", "invoice", shop.invoice.id
    db.session.commit()
    shop.server.script.rcpt = {"jane@example.org": REFUSED}
    deliver()
    told = {n.recipients[0] for n in notices()}
    assert told == {shop.staff.email, shop.admin.email}  # Sam owns the invoice
    [got] = delivered_to(shop.server, shop.staff.email)
    assert f"Invoice {shop.invoice.number}" in got.message.get_body(("plain",)).get_content()


def test_a_template_turned_off_sends_no_notice(idle_shop):
    from djaboo.email_templates.models import EmailTemplate

    shop = idle_shop
    db.session.execute(
        sa.update(EmailTemplate)
        .where(EmailTemplate.event == "email_failed_notice")
        .values(active=False)
    )
    db.session.commit()
    refuse_the_customers(shop)
    send_invoice(shop)
    deliver()
    assert notices() == []

"""Per-recipient results on the email's page and in the document's history, kept after a
retry succeeds for the others."""

from datetime import timedelta

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.recipient_results import recipient_outcomes, recipient_summary
from tests.notices.conftest import deliver, notices, send_invoice

SUMMARY = "Delivered to 2; refused for jane@example.org: 550 5.1.1 No such user"


def test_a_refusal_is_kept_after_the_deferred_recipient_is_reached_on_retry(idle_shop):
    shop = idle_shop
    shop.server.script.rcpt = {
        "jane@example.org": "550 5.1.1 No such user",
        "bob@example.org": "450 4.2.1 Mailbox busy, try later",
    }
    email = send_invoice(shop, cc="bob@example.org")  # Jane in To, Bob in CC: one email
    deliver()
    db.session.expire_all()
    row = db.session.get(OutboxMessage, email.id)
    assert row.status == "retry" and row.recipients == ["bob@example.org"]
    assert row.recipient_summary == (
        "Delivered to 1; refused for jane@example.org: 550 5.1.1 No such user; "
        "deferred for bob@example.org: 450 4.2.1 Mailbox busy, try later"
    )
    page = shop.client.get(f"/emails/{row.id}").get_data(as_text=True)
    assert "Deferred" in page and "450 4.2.1 Mailbox busy, try later" in page
    assert notices() == []  # still trying: nothing to tell yet

    shop.server.script.rcpt = {}
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    deliver()
    db.session.expire_all()
    row = db.session.get(OutboxMessage, email.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.recipient_results == {
        "jane@example.org": "550 5.1.1 No such user",
        "bob@example.org": "accepted",
        "audit@acme.example": "accepted",
    }
    assert row.recipient_summary == SUMMARY and row.last_error == SUMMARY
    assert [m.rcpt_tos for m in shop.server.messages[:2]] == [
        ["audit@acme.example"],
        ["bob@example.org"],
    ]

    page = shop.client.get(f"/emails/{row.id}").get_data(as_text=True)
    table = page[page.index('id="recipient-results"') :]
    assert SUMMARY in table
    for address, result, words in (
        ("jane@example.org", "Refused", "550 5.1.1 No such user"),
        ("bob@example.org", "Accepted by the server", "—"),
        ("audit@acme.example", "Accepted by the server", "—"),
    ):
        assert f"<td>{address}</td>" in table
        cells = table[table.index(f"<td>{address}</td>") :].split("</tr>")[0]
        assert result in cells and words in cells
    history = shop.client.get(f"/invoices/{shop.invoice.id}").get_data(as_text=True)
    assert SUMMARY in history[history.index('id="emails"') :]
    # Partly refused for good: the sender and the admin are told once it is settled.
    assert {n.recipients[0] for n in notices()} == {shop.staff.email, shop.admin.email}


def test_the_servers_words_are_shown_escaped(idle_shop):
    shop = idle_shop
    shop.server.script.rcpt = {"bob@example.org": "550 <img src=x onerror=alert(1)>"}
    email = send_invoice(shop, cc="bob@example.org")
    deliver()
    page = shop.client.get(f"/emails/{email.id}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_results_read_from_what_is_stored():
    assert recipient_outcomes(None) == [] and recipient_summary({}) == ""
    assert recipient_summary({"a@x.example": "accepted"}) == "Delivered to 1"
    many = {f"r{i}@x.example": f"550 5.1.1 gone {i}" for i in range(5)}
    assert recipient_summary(many) == (
        "Delivered to 0; refused for r0@x.example: 550 5.1.1 gone 0, r1@x.example: 550 5.1.1 "
        "gone 1, r2@x.example: 550 5.1.1 gone 2 and 2 more"
    )
    [long] = recipient_outcomes({"a@x.example": "552 " + "x" * 400})
    assert long.outcome == "refused" and len(long.words) == 404
    assert recipient_summary({"a@x.example": "552 " + "x" * 400}).endswith("…")
    assert recipient_outcomes({"a@x.example": "garbled"})[0].outcome == "refused"

"""Mark as sent (issue #12, item 7): a draft handed over some other way takes the status of a
first send; nothing is emailed, nothing is queued, and its page says who did it and when."""

import pytest
import sqlalchemy as sa

from djaboo.documents.kinds import CREDIT_NOTE, ESTIMATE, INVOICE
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.spaces.clock import space_time
from djaboo.spaces.models import Space
from tests.documents import test_credit_notes, test_estimates


@pytest.fixture
def drafts(idle_shop):
    """A draft of each kind in the shop's space (made through their forms)."""
    space = db.session.get(Space, idle_shop.admin.space_id)
    space.timezone = "America/New_York"
    db.session.commit()
    return {
        INVOICE: idle_shop.invoice,
        ESTIMATE: test_estimates.create(idle_shop.client, idle_shop.customer.id),
        CREDIT_NOTE: test_credit_notes.create(idle_shop.client, idle_shop.customer.id),
    }


@pytest.mark.parametrize("kind", [INVOICE, ESTIMATE, CREDIT_NOTE], ids=lambda k: k.name)
def test_mark_as_sent_changes_the_status_emails_nothing_and_says_who(idle_shop, drafts, kind):
    shop, document = idle_shop, drafts[kind]
    url = f"/{kind.url_prefix}/{document.id}"
    page = shop.client.get(url).get_data(as_text=True)
    assert "Mark as sent" in page and f'action="{url}/mark-sent"' in page
    response = shop.client.submit(f"{url}/mark-sent", page=url, follow_redirects=True)
    page = response.get_data(as_text=True)
    db.session.expire_all()
    document = db.session.get(kind.model, document.id)
    assert document.status == kind.life.sent_status
    assert document.marked_sent_by_id == shop.staff.id and document.sent_at is not None
    when = space_time(db.session.get(Space, document.space_id), document.marked_sent_at)
    assert f"Marked as sent by Sam Staff on {when:%Y-%m-%d %H:%M %Z}" in page
    assert "nothing was emailed" in page and when.strftime("%Z") in ("EST", "EDT")
    assert "Mark as sent</button>" not in page  # only a draft
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0
    assert shop.server.messages == []

    marked_at = document.marked_sent_at
    again = shop.client.submit(f"{url}/mark-sent", page="/emails", follow_redirects=True)
    assert "cannot be marked as sent: only a draft can." in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(kind.model, document.id).marked_sent_at == marked_at


def test_mark_as_sent_needs_the_token_and_the_space(
    idle_shop, app, create_space, login, create_customer, create_invoice
):
    invoice = idle_shop.invoice
    assert idle_shop.client.post(f"/invoices/{invoice.id}/mark-sent").status_code == 400
    stranger = create_space()
    client = app.test_client()
    login(client, stranger)
    assert client.submit(f"/invoices/{invoice.id}/mark-sent", page="/emails").status_code == 404
    db.session.expire_all()
    assert db.session.get(INVOICE.model, invoice.id).status == "draft"

"""The estimate's owner hears when the customer accepts or declines it on its page."""

import re

import pytest

from djaboo.documents.kinds import ESTIMATE
from djaboo.documents.models import Estimate
from djaboo.documents.public_links import active_link
from djaboo.extensions import db
from djaboo.notices.estimate_answers import notify_estimate_answer
from djaboo.spaces.models import Space
from tests.documents.test_estimates import create
from tests.fixtures.database import TEST_BASE_URL
from tests.notices.conftest import deliver, delivered_to, notices


def shared_estimate(shop) -> tuple[Estimate, str]:
    """An estimate of the staff member's (its owner), sent: its public page answers."""
    estimate = create(shop.client, shop.customer.id)
    estimate.status = "sent"
    token = active_link(ESTIMATE, estimate).token
    db.session.commit()
    return estimate, f"/p/estimate/{token}"


def answer(app, link: str, what: str, page: str | None = None) -> str:
    """The customer's answer on the public page (`page`: where to take a CSRF token from when
    that page has no form any more)."""
    response = app.test_client().submit(link, {"answer": what}, page=page)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("what", "subject", "says"),
    [
        ("accept", "Estimate {number} accepted by {customer}", "accepted estimate"),
        ("decline", "Estimate {number} declined by {customer}", "declined estimate"),
    ],
)
def test_the_owner_gets_one_notice_of_the_customers_answer(app, idle_shop, what, subject, says):
    shop = idle_shop
    estimate, link = shared_estimate(shop)
    answer(app, link, what)
    [notice] = notices()
    assert notice.idempotency_key == f"notice:answer:{estimate.id}"
    assert notice.recipients == [shop.staff.email] and notice.status == "queued"
    # Answering twice is impossible; the key makes the notice once anyway.
    assert "already" in answer(app, link, "accept", page="/login")
    assert notify_estimate_answer(db.session.get(Estimate, estimate.id), estimate.issue_date) == []
    assert len(notices()) == 1

    deliver()
    [got] = delivered_to(shop.server, shop.staff.email)
    company = shop.customer.company
    assert got.message["Subject"] == subject.format(number=estimate.number, customer=company)
    assert got.message["From"].addresses[0].addr_spec == "billing@acme.example"
    assert got.rcpt_tos == [shop.staff.email]  # the space's BCC-all is for customers' emails
    text = got.message.get_body(("plain",)).get_content()
    assert says in text and "Hello Sam," in text
    assert f"{TEST_BASE_URL}/estimates/{estimate.id}" in text  # the staff page, on BASE_URL
    # The customer's value is text, never a field: "<b>ACME</b> & {invoice_number}" as typed.
    html = got.message.get_body(("html",)).get_content()
    assert "&lt;b&gt;ACME&lt;/b&gt; &amp; {invoice_number}" in html
    assert notices()[0].status == "sent"


def test_no_notice_when_the_owner_turned_it_off_in_the_profile(app, idle_shop):
    shop = idle_shop
    page = shop.client.get("/staff/profile").get_data(as_text=True)
    assert "Email me when…" in page and "a customer accepts or declines my estimate" in page
    assert "any email of the space fails" not in page  # admins only
    response = shop.client.submit(
        "/staff/profile", {"name": "Sam Staff", "notify_own_failures": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert not shop.staff.notify_estimate_answers and shop.staff.notify_own_failures
    _, link = shared_estimate(shop)
    assert "the estimate is accepted" in answer(app, link, "accept")
    assert notices() == []


def test_the_notice_is_in_the_staff_members_language(app, idle_shop):
    """A staff member with no language of their own: their space's default one (language_for)."""
    shop = idle_shop
    db.session.get(Space, shop.admin.space_id).default_language = "fr"
    db.session.commit()
    estimate, link = shared_estimate(shop)
    answer(app, link, "decline")
    deliver()
    [got] = delivered_to(shop.server, shop.staff.email)
    assert got.message["Subject"] == f"Devis {estimate.number} refusé par {shop.customer.company}"
    assert re.search(r"Bonjour Sam,", got.message.get_body(("plain",)).get_content())


def test_the_notice_is_in_the_language_of_the_staff_members_profile(app, idle_shop):
    """Profile → Language wins over the space's default language."""
    shop = idle_shop
    db.session.get(Space, shop.admin.space_id).default_language = "fr"
    shop.staff.language = "en"
    db.session.commit()
    estimate, link = shared_estimate(shop)
    answer(app, link, "decline")
    deliver()
    [got] = delivered_to(shop.server, shop.staff.email)
    assert (
        got.message["Subject"] == f"Estimate {estimate.number} declined by {shop.customer.company}"
    )


def test_an_answer_recorded_by_staff_tells_nobody(idle_shop):
    shop = idle_shop
    estimate, _ = shared_estimate(shop)
    response = shop.client.submit(
        f"/estimates/{estimate.id}/answer", {"answer": "accept"}, page=f"/estimates/{estimate.id}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Estimate, estimate.id).status == "accepted"
    assert notices() == []


def test_the_notices_templates_are_listed_edited_and_previewed(client, create_space, login):
    from djaboo.email_templates.models import EmailTemplate
    from djaboo.notices.mail_events import NOTICE_EVENTS

    admin = create_space(name="Acme Ltd")
    login(client, admin)
    listing = client.get("/email-templates").get_data(as_text=True)
    for label in (
        "Estimate accepted (to staff)",
        "Estimate declined (to staff)",
        "Email failed (to staff)",
        "Failed emails of the day (to staff, daily digest)",
        "Sending paused (to staff)",
    ):
        assert label in listing
    for event in NOTICE_EVENTS:
        template = (
            db.session.query(EmailTemplate).filter_by(space_id=admin.space_id, event=event).first()
        )
        editor = client.get(f"/email-templates/{template.id}").get_data(as_text=True)
        preview = client.get(f"/email-templates/{template.id}/preview")
        assert preview.status_code == 200, event
        assert "no value" not in preview.get_data(as_text=True), event  # every field sampled
        assert "{staff_firstname}" in editor

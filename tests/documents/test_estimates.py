"""Estimates: numbering, sending, the customer's answer on the public page, becoming an invoice."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from djaboo.documents.kinds import ESTIMATE, INVOICE
from djaboo.documents.models import Estimate, Invoice
from djaboo.documents.public_links import active_link
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from tests.documents.conftest import estimate_send_form, wait_for_delivery


def estimate_data(customer_id, **overrides):
    data = {
        "customer_id": str(customer_id),
        "currency": "EUR",
        "issue_date": date.today().isoformat(),
        "expiry_date": (date.today() + timedelta(days=14)).isoformat(),
        "lines-0-description": "Garden design",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "900",
        "lines-0-tax_rate": "20",
    }
    data.update(overrides)
    return data


def create(client, customer_id, **overrides) -> Estimate:
    response = client.submit("/estimates/new", estimate_data(customer_id, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return db.session.execute(sa.select(Estimate).order_by(Estimate.id.desc())).scalars().first()


def test_estimates_have_their_own_numbers_and_totals(client, create_space, create_customer, login):
    admin = create_space()
    customer = create_customer(admin.space)
    login(client, admin)
    first, second = create(client, customer.id), create(client, customer.id)
    assert (first.number, second.number) == ("EST-000001", "EST-000002")
    assert str(first.total) == "1080.00" and first.status == "draft"
    response = client.submit(
        "/estimates/new",
        estimate_data(customer.id, expiry_date=(date.today() - timedelta(days=1)).isoformat()),
    )
    assert "An estimate cannot expire before its date." in response.get_data(as_text=True)
    assert "EST-000001" in client.get("/estimates").get_data(as_text=True)


def test_send_estimate_then_the_customer_accepts_and_it_becomes_an_invoice(shop, app):
    estimate = create(shop.client, shop.customer.id)
    page = shop.client.get(f"/estimates/{estimate.id}/send").get_data(as_text=True)
    assert "Estimate sent to customer" in page
    data = estimate_send_form(shop.client, estimate)
    assert shop.client.post(f"/estimates/{estimate.id}/send", data=data).status_code == 302
    row = wait_for_delivery(db.session.execute(sa.select(OutboxMessage.id)).scalar_one())
    assert row.status == "sent", row.last_error
    [got] = shop.server.messages
    assert got.message["Subject"] == f"Estimate {estimate.number}"
    link = re.search(
        r"(/p/estimate/[A-Za-z0-9_-]+)", got.message.get_body(("plain",)).get_content()
    ).group(1)
    db.session.expire_all()
    assert db.session.get(Estimate, estimate.id).status == "sent"

    customer = app.test_client()
    page = customer.get(link).get_data(as_text=True)
    assert "Accept estimate" in page and estimate.number in page
    response = customer.submit(link, {"answer": "accept"})
    assert "the estimate is accepted" in response.get_data(as_text=True)
    assert "Accept estimate" not in customer.get(link).get_data(as_text=True)
    assert customer.post(link, data={"answer": "decline"}).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(Estimate, estimate.id).status == "accepted"

    response = shop.client.submit(
        f"/estimates/{estimate.id}/convert", {}, page=f"/estimates/{estimate.id}"
    )
    assert response.status_code == 302
    invoice = db.session.execute(sa.select(Invoice).order_by(Invoice.id.desc())).scalars().first()
    assert invoice.total == db.session.get(Estimate, estimate.id).total
    assert [line.description for line in invoice.lines] == ["Garden design"]
    again = shop.client.submit(
        f"/estimates/{estimate.id}/convert",
        {},
        page=f"/estimates/{estimate.id}",
        follow_redirects=True,
    )
    assert "already an invoice" in again.get_data(as_text=True)


def test_expired_estimates_cannot_be_accepted(app, client, create_space, create_customer, login):
    admin = create_space()
    customer = create_customer(admin.space)
    login(client, admin)
    estimate = create(
        client,
        customer.id,
        issue_date=(date.today() - timedelta(days=30)).isoformat(),
        expiry_date=(date.today() - timedelta(days=1)).isoformat(),
    )
    estimate.status = "sent"
    token = active_link(ESTIMATE, estimate).token
    db.session.commit()
    visitor = app.test_client()
    page = visitor.get(f"/p/estimate/{token}").get_data(as_text=True)
    assert "Expired" in page and "Accept estimate" not in page
    response = visitor.submit(f"/p/estimate/{token}", {"answer": "accept"}, page="/login")
    assert "can no longer be accepted" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Estimate, estimate.id).status == "sent"
    assert "EST-000001" in client.get("/estimates?status=expired").get_data(as_text=True)


def test_estimate_tokens_and_ids_do_not_cross(
    app, client, create_space, create_customer, create_invoice, login
):
    mine, theirs = create_space(), create_space()
    login(client, theirs)
    foreign = create(client, create_customer(theirs.space).id)
    foreign.status = "sent"
    invoice = create_invoice(create_customer(theirs.space), theirs, status="unpaid")
    invoice_token = active_link(INVOICE, invoice).token
    db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/p/estimate/{invoice_token}").status_code == 404
    me = app.test_client()
    login(me, mine)
    for url in (
        f"/estimates/{foreign.id}",
        f"/estimates/{foreign.id}/edit",
        f"/estimates/{foreign.id}/pdf",
        f"/estimates/{foreign.id}/send",
    ):
        assert me.get(url).status_code == 404, url
    for url in (
        f"/estimates/{foreign.id}/answer",
        f"/estimates/{foreign.id}/convert",
        f"/estimates/{foreign.id}/send/preview",
    ):
        assert me.submit(url, {"answer": "accept"}, page="/estimates").status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Estimate, foreign.id).status == "sent"

"""What a newcomer and an attacker found by using the app: each case as they met it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from djaboo.documents.models import Estimate, Invoice, PublicLink
from djaboo.extensions import db
from djaboo.security_headers import CONTENT_SECURITY_POLICY, EMAIL_PREVIEW_POLICY
from tests.documents.conftest import send_form
from tests.fixtures.database import csrf_token_from


def test_a_document_with_the_most_lines_can_be_edited(shop, create_invoice):
    full = create_invoice(shop.customer, shop.staff, lines=[("Line", "1", "1", "0")] * 200)
    page = shop.client.get(f"/invoices/{full.id}/edit")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('name="lines-199-description"') == 1
    assert 'name="lines-200-description"' not in page.get_data(as_text=True)


@pytest.mark.parametrize("answer", ["maybe", "", None])
def test_an_estimate_answer_is_accept_or_decline_never_a_decline_by_default(shop, answer):
    page = shop.client.get("/estimates/new").get_data(as_text=True)
    shop.client.post(
        "/estimates/new",
        data={
            "csrf_token": csrf_token_from(page),
            "customer_id": shop.customer.id,
            "issue_date": date.today().isoformat(),
            "expiry_date": (date.today() + timedelta(days=30)).isoformat(),
            "currency": "EUR",
            "lines-0-description": "Work",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "10",
            "lines-0-tax_rate": "0",
        },
    )
    estimate = db.session.execute(sa.select(Estimate)).scalar_one()
    db.session.execute(sa.update(Estimate).values(status="sent"))
    db.session.add(
        PublicLink(
            space_id=estimate.space_id, doc_type="estimate", doc_id=estimate.id, token="t" * 43
        )
    )
    db.session.commit()
    public = shop.client.application.test_client()
    token = csrf_token_from(public.get("/p/estimate/" + "t" * 43).get_data(as_text=True))
    data = {"csrf_token": token} | ({} if answer is None else {"answer": answer})
    assert public.post("/p/estimate/" + "t" * 43, data=data).status_code == 400
    staff_token = csrf_token_from(
        shop.client.get(f"/estimates/{estimate.id}").get_data(as_text=True)
    )
    staff = shop.client.post(
        f"/estimates/{estimate.id}/answer", data={"csrf_token": staff_token, "answer": answer or ""}
    )
    assert staff.status_code == 400
    db.session.expire_all()
    assert db.session.get(Estimate, estimate.id).status == "sent"


def test_pages_with_an_email_preview_let_the_email_keep_its_styles(shop):
    """The preview frame inherits the page's policy: without inline styles it would not look
    like the email that is sent. Other pages keep the strict policy."""
    send = shop.client.get(f"/invoices/{shop.invoice.id}/send")
    assert send.headers["Content-Security-Policy"] == EMAIL_PREVIEW_POLICY
    assert "style-src 'self' 'unsafe-inline'" in EMAIL_PREVIEW_POLICY
    assert "script-src 'self';" in EMAIL_PREVIEW_POLICY  # scripts stay as strict
    assert 'srcdoc="' in send.get_data(as_text=True)
    detail = shop.client.get(f"/invoices/{shop.invoice.id}")
    assert detail.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_drafts_link_is_not_offered_and_a_previews_link_opens_a_page(shop):
    page = shop.client.get(f"/invoices/{shop.invoice.id}").get_data(as_text=True)
    assert "a draft is not shown to customers" in page and "Create public link" not in page
    token = csrf_token_from(page)
    refused = shop.client.post(
        f"/invoices/{shop.invoice.id}/create-link", data={"csrf_token": token}
    )
    assert refused.status_code == 302
    assert db.session.execute(sa.select(PublicLink)).first() is None
    # The send page previews the link the email will carry: it opens the sample page.
    send = shop.client.get(f"/invoices/{shop.invoice.id}/send").get_data(as_text=True)
    link = re.search(r"https://billing\.test\.example/djaboo(/p/sample-invoice)", send)
    assert link and shop.client.get(link.group(1)).status_code == 200
    assert shop.client.get("/p/sample-credit-note").status_code == 200


def test_hidden_field_errors_of_the_send_form_are_shown(shop):
    data = send_form(shop.client, shop.invoice.id, send_key="x" * 10_000)
    page = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    assert page.status_code == 400
    assert "This form expired; reload the page." in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invoice, shop.invoice.id).status == "draft"


def test_length_errors_count_what_was_typed(shop):
    from djaboo.mail.html_bounds import user_html_problem

    assert user_html_problem("&" * 15_000, max_chars=20_000) is None  # stored as &amp; x 15,000
    assert "30,000 characters" in user_html_problem("&" * 30_000, max_chars=20_000)

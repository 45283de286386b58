"""Customers and invoices through the pages."""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from djaboo.documents.models import Customer, Invoice
from djaboo.extensions import db


def invoice_data(customer_id, **overrides):
    data = {
        "customer_id": str(customer_id),
        "currency": "EUR",
        "issue_date": date.today().isoformat(),
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
        "notes": "Thank you",
        "reminders_enabled": "y",
        "lines-0-description": "Design work",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "150.00",
        "lines-0-tax_rate": "20",
        "lines-1-description": "",
        "lines-1-quantity": "",
        "lines-1-unit_price": "",
        "lines-1-tax_rate": "",
    }
    data.update(overrides)
    return data


def test_create_a_customer_with_its_first_contact(client, create_space, login):
    admin = create_space()
    login(client, admin)
    response = client.submit(
        "/customers/new",
        {
            "company": "Globex",
            "address": "Main St",
            "language": "fr",
            "currency": "EUR",
            "reminders_enabled": "y",
            "first_name": "Hank",
            "last_name": "Scorpio",
            "email": "Hank@Globex.example",
            "phone": "+1 555",
        },
    )
    assert response.status_code == 302
    customer = db.session.execute(sa.select(Customer)).scalar_one()
    assert customer.company == "Globex" and customer.language == "fr"
    [contact] = customer.contacts
    assert contact.email == "Hank@globex.example" and contact.is_primary


def test_contact_email_must_be_one_address(client, create_space, create_customer, login):
    admin = create_space()
    customer = create_customer(admin.space)
    login(client, admin)
    response = client.submit(
        f"/customers/{customer.id}/contacts",
        {"email": "a@example.org, b@example.org", "receives_documents": "y"},
        page=f"/customers/{customer.id}",
    )
    assert response.status_code == 400
    assert "is not a valid email address" in response.get_data(as_text=True)


def test_create_invoice_numbers_and_totals(client, create_space, create_customer, login):
    admin = create_space()
    customer = create_customer(admin.space)
    login(client, admin)
    for _ in (1, 2):
        response = client.submit("/invoices/new", invoice_data(customer.id))
        assert response.status_code == 302
    invoices = db.session.execute(sa.select(Invoice).order_by(Invoice.id)).scalars().all()
    assert [i.number for i in invoices] == ["INV-000001", "INV-000002"]
    first = invoices[0]
    assert (first.subtotal, first.tax_total, first.total) == (
        Decimal("300.00"),
        Decimal("60.00"),
        Decimal("360.00"),
    )
    assert first.status == "draft" and first.owner_id == admin.id and len(first.lines) == 1
    page = client.get(f"/invoices/{first.id}").get_data(as_text=True)
    assert "€360.00" in page and "Design work" in page


def test_invoice_errors_are_inline_and_nothing_is_saved(
    client, create_space, create_customer, login
):
    admin = create_space()
    customer = create_customer(admin.space)
    login(client, admin)
    response = client.submit(
        "/invoices/new",
        invoice_data(
            customer.id,
            **{
                "lines-0-unit_price": "",
                "lines-0-tax_rate": "150",
                "due_date": (date.today() - timedelta(days=1)).isoformat(),
            },
        ),
    )
    html = response.get_data(as_text=True)
    assert "Enter a unit price." in html and "A tax rate is between 0 and 100." in html
    assert "The due date cannot be before the issue date." in html
    response = client.submit(
        "/invoices/new",
        invoice_data(
            customer.id,
            **{"lines-0-description": "", "lines-0-quantity": "", "lines-0-unit_price": ""},
        ),
    )
    assert "Add at least one line." in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(Invoice.id))).scalar_one() == 0


def test_payments_move_the_status(client, create_space, create_customer, create_invoice, login):
    admin = create_space()
    invoice = create_invoice(create_customer(admin.space), admin, status="unpaid")
    login(client, admin)
    page = f"/invoices/{invoice.id}"
    client.submit(
        f"{page}/payments", {"amount": "100", "paid_on": date.today().isoformat()}, page=page
    )
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "partially_paid"
    response = client.submit(
        f"{page}/payments",
        {"amount": "9999", "paid_on": date.today().isoformat()},
        page=page,
        follow_redirects=True,
    )
    assert "more than the amount due" in response.get_data(as_text=True)
    client.submit(
        f"{page}/payments", {"amount": "1340", "paid_on": date.today().isoformat()}, page=page
    )
    db.session.expire_all()
    paid = db.session.get(Invoice, invoice.id)
    assert paid.status == "paid" and paid.amount_due == 0


def test_list_search_sort_and_overdue_filter(
    client, create_space, create_customer, create_invoice, login
):
    admin = create_space()
    acme = create_customer(admin.space, company="Acme Corp")
    globex = create_customer(admin.space, company="Globex")
    late = create_invoice(
        acme, admin, status="unpaid", due_in_days=-3, issue_date=date.today() - timedelta(days=40)
    )
    create_invoice(globex, admin, status="unpaid")
    login(client, admin)
    html = client.get("/invoices?status=overdue").get_data(as_text=True)
    assert late.number in html and "Globex" not in html.split("<tbody>")[1]
    html = client.get("/invoices?q=glob").get_data(as_text=True)
    assert "Globex" in html and "Acme Corp" not in html.split("<tbody>")[1]
    for hostile in (
        "sort=id;DROP TABLE invoice",
        "q=' OR 1=1--",
        "page=abc",
        "q=%25",
        "sort[]=x",
        "status=nope",
    ):
        assert client.get(f"/invoices?{hostile}").status_code == 200


def test_pdf_has_the_invoice_text_and_fetches_nothing(
    client, create_space, create_customer, create_invoice, login, tmp_path
):
    import subprocess

    admin = create_space(name="Acme Ltd")
    invoice = create_invoice(
        create_customer(admin.space, company="Globex"),
        admin,
        notes='<img src="file:///etc/passwd"> {{ 7*7 }}',
        lines=[("Night shift <b>support</b>", "2", "75.50", "10")],
    )
    login(client, admin)
    response = client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    for expected in (
        "Invoice INV-000001",
        "Acme Ltd",
        "Globex",
        "Night shift <b>support</b>",
        "€166.10",
        '<img src="file:///etc/passwd"> {{ 7*7 }}',
    ):
        assert expected in text, expected
    assert "root:" not in text
    # cached: the same version renders once
    assert client.get(f"/invoices/{invoice.id}/pdf").data == response.data


def test_pdf_renderer_refuses_every_url():
    import pytest

    from djaboo.documents.pdf_child import _fetcher

    fetcher = _fetcher()
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:6379/",
        "https://example.com/x.css",
    ):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"

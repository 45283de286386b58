"""Send later in the browser, by the visible labels: Send at, Scheduled, Cancel."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.spaces.clock import space_time
from djaboo.spaces.models import Space
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.settings.conftest import form_data

pytestmark = pytest.mark.browser


def test_send_later_then_cancel(
    page,
    app,
    live_server,
    create_space,
    create_user,
    create_customer,
    create_invoice,
    login,
    smtp_server,
    browser_login,
    mail_worker,
):
    server = smtp_server()
    admin = create_space(name="Acme Ltd")
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    space = db.session.get(Space, admin.space_id)
    space.timezone = "Asia/Tokyo"
    db.session.commit()
    staff = create_user(admin.space, name="Sam Staff")
    customer = create_customer(admin.space, contacts=[("Hank", "Scorpio", "hank@globex.example")])
    invoice = create_invoice(customer, staff)
    browser_login(page, staff, DEFAULT_PASSWORD)
    mail_worker()

    page.goto(f"{live_server.url}/invoices/{invoice.id}")
    page.get_by_role("link", name="Send invoice").click()
    expect(page.locator("#send-at-help")).to_contain_text(
        "The email is made now, as previewed, and sent at that time."
    )
    expect(page.locator("#send-at-help")).to_contain_text("Asia/Tokyo")
    tomorrow = space_time(space, utcnow() + timedelta(days=1)).replace(hour=10, minute=0)
    page.get_by_label("Send at").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#flash")).to_contain_text(f"scheduled for {tomorrow:%Y-%m-%d} 10:00 JST")
    expect(page.locator("#emails")).to_contain_text("Scheduled")

    page.get_by_role("link", name="Emails", exact=True).first.click()
    expect(page.locator("tbody")).to_contain_text("Scheduled")
    expect(page.locator("tbody")).to_contain_text(f"Next attempt {tomorrow:%Y-%m-%d} 10:00 JST")
    page.locator("tbody").get_by_role("link").first.click()
    expect(page.locator("#next-attempt")).to_have_text(f"{tomorrow:%Y-%m-%d} 10:00 JST")
    page.get_by_role("button", name="Cancel", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("The email is cancelled; it will not be sent.")
    [row] = db.session.execute(db.select(OutboxMessage)).scalars().all()
    db.session.refresh(row)
    assert row.status == "cancelled" and server.messages == []

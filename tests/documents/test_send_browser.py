"""A staff member's everyday flow, in the browser by the visible labels."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import rich_editor
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.settings.conftest import form_data

pytestmark = pytest.mark.browser


def test_customer_invoice_preview_send_history(
    page,
    app,
    live_server,
    create_space,
    create_user,
    login,
    smtp_server,
    browser_login,
    mail_worker,
    page_problems,
):
    server = smtp_server()
    admin = create_space(name="Acme Ltd")
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    staff = create_user(
        admin.space, name="Sam Staff", signature="<p>Cheers, Sam from Acme accounts</p>"
    )
    browser_login(page, staff, DEFAULT_PASSWORD)
    mail_worker()  # as `make run` starts one: pages only queue email

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Company").fill("Globex")
    page.get_by_label("First name").fill("Hank")
    page.get_by_label("Last name").fill("Scorpio")
    page.get_by_label("Email").fill("hank@globex.example")
    page.get_by_role("button", name="Create customer").click()
    expect(page.locator("#flash")).to_contain_text("Customer Globex created.")

    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Description 1").fill("Hammock installation")
    page.get_by_label("Quantity 1").fill("2")
    page.get_by_label("Unit price 1").fill("125")
    page.get_by_label("Tax % 1").fill("20")
    page.get_by_role("button", name="Create invoice").click()
    expect(page.locator("#flash")).to_contain_text("Invoice INV-000001 created as a draft.")

    page.get_by_role("link", name="Send invoice").click()
    expect(page.get_by_label("Hank Scorpio <hank@globex.example>")).to_be_checked()
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("body")).to_contain_text("Cheers, Sam from Acme accounts")
    expect(frame.locator("body")).to_contain_text("€300.00")
    # The message is a rich-text editor; a merge field goes where the cursor is.
    rich_editor(page, "Message").click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Ref. ")
    page.get_by_role("button", name="{invoice_number}").click()
    page.keyboard.type(": ")
    expect(frame.locator("p").first).to_have_text(re.compile(r"^Ref\.\sINV-000001:\sDear Hank"))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("queued")

    expect(page.locator("#emails")).to_contain_text("Hank Scorpio")
    for _ in range(20):  # as a person would: reload until the worker has sent it
        page.wait_for_timeout(500)
        page.reload()
        if "Accepted by the server" in page.locator("#emails").inner_text():
            break
    expect(page.locator("#emails")).to_contain_text("Accepted by the server")
    [got] = server.messages
    assert got.rcpt_tos == ["hank@globex.example"]
    [pdf] = list(got.message.iter_attachments())
    assert pdf.get_filename() == "INV-000001.pdf" and pdf.get_content().startswith(b"%PDF")
    html = got.message.get_body(("html",)).get_content()
    assert "Cheers, Sam from Acme accounts" in html
    assert re.search(r"<p[^>]*>Ref\.(&nbsp;| )INV-000001:(&nbsp;| )Dear Hank", html)
    assert page_problems == []

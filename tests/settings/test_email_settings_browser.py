"""An admin configures outgoing mail in the browser, by the visible labels, and tests it."""

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USERNAME

pytestmark = pytest.mark.browser


def test_wrong_pairing_then_save_and_send_a_test_email(
    page, live_server, create_space, browser_login, smtp_server, trust_test_ca
):
    server = smtp_server(tls="starttls", auth=True)
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)

    page.get_by_text("Setup").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings → Email").click()
    expect(page.get_by_role("heading", name="Settings → Email")).to_be_visible()

    page.get_by_label("Provider preset").select_option(label="Gmail / Google Workspace")
    expect(page.get_by_label("SMTP Host")).to_have_value("smtp.gmail.com")
    expect(page.locator("#preset-note")).to_contain_text("app password")

    page.get_by_label("Email Encryption").select_option(label="SSL")
    page.get_by_label("SMTP Host").fill("127.0.0.1")
    page.get_by_label("SMTP Port").fill("587")
    page.get_by_label("Email", exact=True).fill("billing@acme.example")
    page.get_by_label("SMTP Username").fill(SMTP_USERNAME)
    page.get_by_label("SMTP Password").fill(SMTP_PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("SSL does not work on port 587")).to_be_visible()
    expect(page.get_by_label("SMTP Host")).to_have_value("127.0.0.1")

    page.get_by_label("Email Encryption").select_option(label="TLS")
    page.get_by_label("SMTP Port").fill(str(server.port))
    page.get_by_label("SMTP Password").fill(SMTP_PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("Email settings saved.")
    expect(page.locator("#password-state")).to_contain_text("•••• (set)")

    page.get_by_label("Send test email to").fill("me@acme.example")
    page.get_by_role("button", name="Send Test Email").click()
    expect(page.get_by_text("Test email sent.")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("cell", name="AUTH", exact=True)).to_be_visible()
    expect(page.locator("table.steps")).to_contain_text(re.compile("credentials hidden"))
    assert SMTP_PASSWORD not in page.content()

    [got] = server.messages
    assert got.rcpt_tos == ["me@acme.example"] and got.login == SMTP_USERNAME
    assert "Acme Ltd" in got.message.get_body(("html",)).get_content()

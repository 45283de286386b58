"""An admin connects Microsoft 365 in Chromium, by the visible labels: the provider's consent
page (the loopback authorization server's) is accepted, the page says Connected as, and a test
email goes out with AUTH XOAUTH2; the token appears on no page."""

import pytest
from playwright.sync_api import expect

from djaboo.settings.oauth_providers import CALLBACK_PATH
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.fixtures.oauth_server import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_MAILBOX

pytestmark = pytest.mark.browser


def test_connect_microsoft_365_and_send_a_test_email(
    app, page, live_server, create_space, browser_login, smtp_server, oauth_server, trust_test_ca
):
    auth = oauth_server()
    auth.auto_approve = False  # a consent page with a button, as Microsoft shows
    app.config.update(auth.config(), BASE_URL=live_server.url)
    auth.redirect_uris.add(live_server.url + CALLBACK_PATH)
    server = smtp_server(tls="starttls", xoauth2=auth.token_valid)
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/settings/email")

    page.get_by_label("Email Protocol").select_option(label="Microsoft 365 (OAuth)")
    expect(page.get_by_label("SMTP Host")).to_have_value("smtp.office365.com")
    expect(page.get_by_label("SMTP Port")).to_have_value("587")
    expect(page.get_by_label("Tenant ID")).to_have_value("organizations")
    expect(page.get_by_label("Redirect URI to register")).to_have_value(
        live_server.url + CALLBACK_PATH
    )
    expect(page.get_by_label("SMTP Password")).to_be_hidden()
    page.get_by_label("SMTP Host").fill("127.0.0.1")  # editable: the test's server
    page.get_by_label("SMTP Port").fill(str(server.port))
    page.get_by_label("Email", exact=True).fill(OAUTH_MAILBOX)
    page.get_by_label("Client ID").fill(OAUTH_CLIENT_ID)
    page.get_by_label("Client Secret").fill(OAUTH_CLIENT_SECRET)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("Email settings saved.")

    page.get_by_role("button", name="Connect Microsoft 365").click()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(f"Connected as {OAUTH_MAILBOX}").first).to_be_visible()
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()
    expect(page.get_by_text("Last refresh:")).to_be_visible()

    page.get_by_label("Send test email to").fill("me@acme.example")
    page.get_by_role("button", name="Send Test Email").click()
    expect(page.get_by_text("Test email sent.")).to_be_visible(timeout=15_000)
    expect(page.locator("table.steps")).to_contain_text(
        f"AUTH XOAUTH2 as {OAUTH_MAILBOX} (token hidden)"
    )
    [got] = server.messages
    assert got.login == OAUTH_MAILBOX and got.rcpt_tos == ["me@acme.example"]
    content = page.content()
    for token in auth.smtp_tokens_issued():
        assert token not in content

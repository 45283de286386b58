"""An admin connects Microsoft 365, or Google, in Chromium, by the visible labels: the
provider's consent page (the loopback authorization server's) is accepted, the page says
Connected as, and a test email goes out with AUTH XOAUTH2 (Microsoft over STARTTLS on 587,
Google over implicit TLS on 465, as their defaults); the token appears on no page."""

import pytest
from playwright.sync_api import expect

from djaboo.settings.oauth_providers import CALLBACK_PATH
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.fixtures.oauth_server import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_MAILBOX

pytestmark = pytest.mark.browser

PROVIDERS = {  # label, protocol, host, port, encryption filled in, the test server's TLS
    "microsoft": ("Microsoft 365", "smtp.office365.com", "587", "tls", "starttls"),
    "google": ("Google", "smtp.gmail.com", "465", "ssl", "implicit"),
}


@pytest.mark.parametrize("provider", ["microsoft", "google"])
def test_connect_and_send_a_test_email(
    app,
    page,
    live_server,
    create_space,
    browser_login,
    smtp_server,
    oauth_server,
    trust_test_ca,
    provider,
):
    label, host, port, encryption, tls = PROVIDERS[provider]
    auth = oauth_server()
    auth.auto_approve = False  # a consent page with a button, as both providers show
    app.config.update(auth.config(), BASE_URL=live_server.url)
    auth.redirect_uris.add(live_server.url + CALLBACK_PATH)
    server = smtp_server(tls=tls, xoauth2=auth.token_valid)
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/settings/email")

    page.get_by_label("Email Protocol").select_option(label=f"{label} (OAuth)")
    expect(page.get_by_label("SMTP Host")).to_have_value(host)
    expect(page.get_by_label("SMTP Port")).to_have_value(port)
    expect(page.get_by_label("Email Encryption")).to_have_value(encryption)
    if provider == "microsoft":
        expect(page.get_by_label("Tenant ID")).to_have_value("organizations")
    else:
        expect(page.get_by_label("Tenant ID")).to_be_hidden()
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

    page.get_by_role("button", name=f"Connect {label}").click()
    expect(page.get_by_text(f"wants to send email as {OAUTH_MAILBOX}")).to_be_visible()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text(f"Connected as {OAUTH_MAILBOX}").first).to_be_visible()
    expect(page.get_by_role("button", name="Disconnect")).to_be_visible()
    expect(page.get_by_text("Last refresh:")).to_be_visible()
    [asked] = [r for r in auth.authorize_requests if r.get("decision") == "accept"]
    assert asked["code_challenge_method"] == "S256" and "prompt" not in asked
    assert (asked.get("access_type") == "offline") == (provider == "google")

    page.get_by_label("Send test email to").fill("me@acme.example")
    page.get_by_role("button", name="Send Test Email").click()
    expect(page.get_by_text("Test email sent.")).to_be_visible(timeout=15_000)
    expect(page.locator("table.steps")).to_contain_text(
        f"AUTH XOAUTH2 as {OAUTH_MAILBOX} (token hidden)"
    )
    [got] = server.messages
    assert got.login == OAUTH_MAILBOX and got.rcpt_tos == ["me@acme.example"]
    assert got.tls  # STARTTLS or implicit TLS, as chosen
    content = page.content()
    for token in auth.smtp_tokens_issued():
        assert token not in content

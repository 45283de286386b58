"""An admin sets up DKIM in the browser, by the visible labels: generate, copy the record,
publish it, Check domain, Sign outgoing emails. The page is saved as a PNG to look at."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.settings.test_dkim import key_row, publish

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_generate_copy_check_and_sign(
    page,
    live_server,
    create_space,
    browser_login,
    dns_server,
    page_problems,
):
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/settings/email")
    page.get_by_label("Email", exact=True).fill("billing@acme.example")
    page.get_by_label("SMTP Host").fill("203.0.113.10")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Email settings saved.")).to_be_visible()
    page.get_by_role("link", name="DKIM").click()
    expect(page.get_by_role("heading", name="DKIM", exact=True)).to_be_visible()

    expect(page.get_by_label("Key type")).to_have_value("rsa")
    expect(page.get_by_label("Selector")).to_have_value("djaboo")
    page.get_by_role("button", name="Generate key").click()
    expect(page.get_by_text("New key generated.")).to_be_visible()
    record = page.locator("#dkim-record")
    expect(record).to_have_value(re.compile(r"^v=DKIM1; k=rsa; p=MIIBIjAN\S{384}$"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#dkim-copied")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == record.input_value()

    key = key_row(admin.space_id)
    publish(dns_server, key)
    dns_server.zone[("acme.example", "TXT")] = ["v=spf1 ip4:203.0.113.0/24 -all"]
    dns_server.zone[("_dmarc.acme.example", "TXT")] = ["v=DMARC1; p=quarantine"]
    page.get_by_label("Sign outgoing emails").check()
    page.locator("#dkim-signing").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Outgoing emails are signed.")).to_be_visible()
    expect(page.get_by_label("Sign outgoing emails")).to_be_checked()

    page.get_by_role("button", name="Check domain").click()
    expect(page.locator("#domain-verdict")).to_have_text(
        "Gmail and Yahoo will accept bulk mail from this domain."
    )
    expect(page.locator('[data-check="MX"]')).to_contain_text("Add an MX record")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "settings-email-dkim.png"), full_page=True)
    assert page_problems == []

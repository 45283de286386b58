"""TEMPORARY (not committed): screenshots of Settings → Email and a test-email report in ja."""

import pytest
from playwright.sync_api import expect

from djaboo.extensions import db
from djaboo.spaces.models import Space
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USERNAME

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_screens(page, live_server, create_space, browser_login, smtp_server, trust_test_ca):
    server = smtp_server(tls="starttls", auth=True)
    admin = create_space(name="株式会社アクメ")
    browser_login(page, admin, DEFAULT_PASSWORD)
    space = db.session.get(Space, admin.space_id)
    space.default_language = "ja"
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/settings/email")
    page.locator("#preset").select_option("gmail")
    page.fill("#host", "127.0.0.1")
    page.fill("#port", str(server.port))
    page.locator("#encryption").select_option("tls")
    page.fill("#from_email", "billing@acme.example")
    page.fill("#username", SMTP_USERNAME)
    page.fill("#password", SMTP_PASSWORD)
    page.get_by_role("button", name="保存").first.click()
    page.screenshot(path="/tmp/i18n-settings-email-ja.png", full_page=True)
    page.get_by_role("button", name="テストメール送信").click()
    expect(page.get_by_text("テストメールを送信しました。")).to_be_visible(timeout=15_000)
    page.screenshot(path="/tmp/i18n-settings-report-ja.png", full_page=True)
    page.goto(live_server.url + "/settings/email/dkim")
    page.get_by_role("button", name="鍵を生成").click()
    page.screenshot(path="/tmp/i18n-settings-dkim-ja.png", full_page=True)
    page.goto(live_server.url + "/email-templates")
    page.screenshot(path="/tmp/i18n-settings-templates-ja.png", full_page=True)

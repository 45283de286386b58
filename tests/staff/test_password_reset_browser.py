"""Forgot your password? in the browser: ask, receive the email, choose, sign in."""

import pytest
from playwright.sync_api import expect

from djaboo.staff.password_reset_views import CHANGED, SENT
from tests.fixtures.database import TEST_BASE_URL
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.staff.conftest import link_in, wait_for_messages

pytestmark = pytest.mark.browser
NEW_PASSWORD = "typed-in-the-browser"


def test_forgot_password_from_the_sign_in_page(page, live_server, team, mail_worker):
    mail_worker()
    page.goto(live_server.url + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("Email").fill(team.staff.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("#flash")).to_have_text(str(SENT))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    (message,) = wait_for_messages(team.server, 1)
    # The link is on BASE_URL (the address customers reach, a proxy's); this server is that
    # installation without the proxy's path prefix.
    link = link_in(message).replace(TEST_BASE_URL, live_server.url)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill("not-the-same-password")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("The passwords differ.")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#flash")).to_have_text(str(CHANGED))

    page.get_by_label("Email").fill(team.staff.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {team.staff.name}")).to_be_visible()

    page.goto(link)  # used: it says so, and offers a new one
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()

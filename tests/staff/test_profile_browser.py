"""The first flow a person does: sign in, open the profile, save a signature, sign out."""

import pytest
from playwright.sync_api import expect

from djaboo.extensions import db
from djaboo.staff.models import User
from tests.fixtures.browser import rich_editor
from tests.fixtures.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_save_signature_sign_out(page, live_server, create_space, browser_login):
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name=f"Welcome, {admin.name}")).to_be_visible()

    page.get_by_role("link", name=admin.name).click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.get_by_role("button", name="Change mode").click()  # the editor's HTML source view
    page.get_by_role("textbox", name="Email signature (HTML source)").fill(
        "<p>Cheers,<br><b>Ada</b></p><img src=x onerror=\"document.title='pwned'\">"
    )
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#flash")).to_have_text("Your profile is saved.")
    preview = page.frame_locator("iframe.signature-preview")
    expect(preview.locator("b")).to_have_text("Ada")
    assert page.title() != "pwned"

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#flash")).to_have_text("You are signed out.")
    page.goto(live_server.url + "/staff/profile")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    db.session.expire_all()
    stored = db.session.get(User, admin.id).signature_html
    assert "<b>Ada</b>" in stored and "onerror" not in stored


def test_signature_typed_as_two_lines_keeps_its_line_break(
    page, live_server, create_space, browser_login, page_problems
):
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    page.get_by_role("link", name=admin.name).click()
    signature = rich_editor(page, "Email signature")
    signature.click()
    page.keyboard.type("Cheers,")
    page.keyboard.press("Enter")
    page.keyboard.type("Ada from accounts")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#flash")).to_have_text("Your profile is saved.")

    db.session.expire_all()
    assert db.session.get(User, admin.id).signature_html == "Cheers,<br>Ada from accounts"
    preview = page.frame_locator("iframe.signature-preview").locator("body")
    expect(preview).to_have_text("Cheers,\nAda from accounts", use_inner_text=True)
    # Back in the editor as two lines.
    expect(signature).to_have_text("Cheers,\nAda from accounts", use_inner_text=True)
    assert page_problems == []


def test_without_javascript_the_signature_is_a_plain_textarea_that_keeps_lines(
    browser, live_server, create_space
):
    admin = create_space(name="Acme Ltd")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/staff/profile")
    page.get_by_label("Email signature").fill("Cheers,\nAda")  # the form's own textarea
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#flash")).to_have_text("Your profile is saved.")
    db.session.expire_all()
    assert db.session.get(User, admin.id).signature_html == "Cheers,<br>\nAda"
    preview = page.frame_locator("iframe.signature-preview").locator("body")
    expect(preview).to_have_text("Cheers,\nAda", use_inner_text=True)
    context.close()


def test_email_me_when_choices_are_saved(page, live_server, create_space, browser_login):
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/staff/profile")
    choices = page.get_by_role("group", name="Email me when…")
    expect(choices).to_be_visible()
    for label in (
        "a customer accepts or declines my estimate",
        "an email I sent fails",
        "any email of the space fails",
    ):
        expect(choices.get_by_label(label)).to_be_checked()  # on unless turned off
    choices.get_by_label("any email of the space fails").uncheck()
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#flash")).to_have_text("Your profile is saved.")
    expect(page.get_by_label("any email of the space fails")).not_to_be_checked()
    expect(page.get_by_label("an email I sent fails")).to_be_checked()
    db.session.expire_all()
    user = db.session.get(User, admin.id)
    assert (user.notify_own_failures, user.notify_space_failures) == (True, False)

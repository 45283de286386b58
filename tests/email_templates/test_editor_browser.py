"""Admins edit a template with the live preview; staff preview emails signed as they would be."""

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import rich_editor
from tests.fixtures.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def test_edit_insert_field_live_preview_save(
    page, live_server, create_space, browser_login, template_of, page_problems
):
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    page.get_by_text("Setup").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Email Templates").click()
    page.get_by_role("link", name="Edit Invoice sent to customer (English)").click()
    expect(page.get_by_role("heading", name="Invoice sent to customer")).to_be_visible()
    body = rich_editor(page, "Body")
    expect(body).to_be_visible()  # the page's scripts have run

    subject = page.get_by_label("Subject")
    subject.fill("Your bill ")
    page.get_by_role("button", name="{invoice_number}").click()
    expect(subject).to_have_value("Your bill {invoice_number}")
    expect(page.locator("#preview-subject")).to_have_text("Your bill INV-000042")

    # The body is a rich-text editor: bold text, a new line, a merge field at the cursor.
    body.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("Dear ")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("valued customer")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type(",")
    page.keyboard.press("Enter")
    page.keyboard.type("Amount due: ")
    page.get_by_role("button", name="{invoice_amount_due}").click()
    page.keyboard.type(" by Friday.")
    expect(body.locator("strong")).to_have_text("valued customer")
    expect(body.locator("p")).to_have_text(
        ["Dear valued customer,", "Amount due: {invoice_amount_due} by Friday."]
    )
    # The live preview follows the editor.
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("body")).to_contain_text("Amount due: $1,234.80 by Friday.")
    expect(frame.locator("strong")).to_have_text("valued customer")  # the only bold text now
    expect(frame.locator("body")).to_contain_text("Acme Ltd")  # the predefined header

    # The HTML source view shows what the editor holds; what is typed there comes back.
    page.get_by_role("button", name="Change mode").click()
    source = page.get_by_role("textbox", name="Body (HTML source)")
    expect(source).to_be_visible()
    typed = (
        "<p>Dear <strong>valued customer</strong>,</p>"
        "<p>Amount due: {invoice_amount_due} by Friday.</p>"
    )
    # A space typed last before a click is kept by the browser as a no-break space.
    assert source.input_value().replace("&nbsp;", " ") == typed
    source.press("Control+End")
    table = '<table><tr><td style="color:#123456">{invoice_number}</td></tr></table>'
    source.press_sequentially(table)
    page.get_by_role("button", name="Change mode").click()
    expect(source).to_be_hidden()
    expect(body.locator("td")).to_have_text("{invoice_number}")
    expect(frame.locator("td")).to_have_text("INV-000042")

    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_have_text("Template saved.")
    saved = template_of(admin.space_id, "invoice_sent")
    assert saved.subject == "Your bill {invoice_number}"
    assert saved.body_html.replace("&nbsp;", " ") == (
        typed
        + '<table><tbody><tr><td style="color:#123456">{invoice_number}</td></tr></tbody></table>'
    )
    # The saved text comes back into the editor, and nothing on the way broke the policy.
    expect(body.locator("td")).to_have_text("{invoice_number}")
    assert page_problems == []


def test_staff_preview_is_signed_with_their_own_signature_or_the_global_one(
    browser, live_server, create_space, create_user, template_of
):
    admin = create_space(name="Acme Ltd")
    with_sig = create_user(
        admin.space, name="Sam Staff", signature="<p>Cheers, <b>Sam</b> from accounts</p>"
    )
    without_sig = create_user(admin.space, name="Nora Newcomer")
    for user, expected, absent in (
        (with_sig, "Cheers, Sam from accounts", "Kind regards"),
        (without_sig, "Kind regards,\nAcme Ltd", "Cheers"),
    ):
        context = browser.new_context()
        page = context.new_page()
        page.goto(live_server.url + "/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Setup").click()
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Email Templates"
        ).click()
        page.get_by_role("link", name="Preview Invoice sent to customer (English)").click()
        body = page.frame_locator("#preview-frame").locator("body")
        expect(body).to_contain_text(expected.split("\n")[0])
        expect(body).not_to_contain_text(absent)
        if user is without_sig:
            expect(body).to_contain_text("Acme Ltd")
        context.close()

"""Admins edit a template with the live preview; staff preview emails signed as they would be."""

import pytest
from playwright.sync_api import expect

from tests.fixtures.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def test_edit_insert_field_live_preview_save(
    page, live_server, create_space, browser_login, template_of
):
    admin = create_space(name="Acme Ltd")
    browser_login(page, admin, DEFAULT_PASSWORD)
    page.get_by_text("Setup").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Email Templates").click()
    page.get_by_role("link", name="Edit Invoice sent to customer (English)").click()
    expect(page.get_by_role("heading", name="Invoice sent to customer")).to_be_visible()

    subject = page.get_by_label("Subject")
    subject.fill("Your bill ")
    page.get_by_role("button", name="{invoice_number}").click()
    expect(subject).to_have_value("Your bill {invoice_number}")
    expect(page.locator("#preview-subject")).to_have_text("Your bill INV-000042")

    body = page.get_by_label("Body")
    body.fill("<p>Amount due: </p>")
    body.press("End")
    for _ in range(4):
        body.press("ArrowLeft")
    page.get_by_role("button", name="{invoice_amount_due}").click()
    expect(body).to_have_value("<p>Amount due: {invoice_amount_due}</p>")
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("p").first).to_contain_text("Amount due: $1,234.80")
    expect(frame.locator("body")).to_contain_text("Acme Ltd")  # the predefined header

    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_have_text("Template saved.")
    saved = template_of(admin.space_id, "invoice_sent")
    assert saved.subject == "Your bill {invoice_number}"
    assert saved.body_html == "<p>Amount due: {invoice_amount_due}</p>"


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

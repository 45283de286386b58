import json

import pytest

from djaboo.email_templates.catalogue import template_for
from djaboo.email_templates.default_texts import DEFAULT_TEXTS
from djaboo.mail.events import EVENTS, LANGUAGES
from tests.email_templates.conftest import edit_data


@pytest.fixture
def admin(client, create_space, login):
    admin = create_space(name="Acme Ltd")
    login(client, admin)
    return admin


def test_every_event_and_language_is_seeded(client, admin):
    html = client.get("/email-templates").get_data(as_text=True)
    for event in EVENTS.values():
        assert event.label in html
    for label in LANGUAGES.values():
        assert label in html
    assert html.count(">Edit</a>") == len(EVENTS) * len(LANGUAGES)


def test_save_sanitizes_and_keeps_merge_fields(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_sent")
    body = (
        '<p onclick="x()">Hi {contact_firstname}</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)><iframe></iframe>'
        '<form action="https://evil.example"></form><a href="{invoice_link}">pay</a>'
    )
    response = client.submit(
        f"/email-templates/{t.id}",
        edit_data(
            t, body_html=body, subject="Your invoice {invoice_number}", from_name="Acme Billing"
        ),
    )
    assert response.status_code == 302
    saved = template_of(admin.space_id, "invoice_sent")
    assert saved.subject == "Your invoice {invoice_number}" and saved.from_name == "Acme Billing"
    for bad in ("onclick", "<script", "javascript:", "onerror", "<iframe", "<form"):
        assert bad not in saved.body_html
    assert "<p>Hi {contact_firstname}</p>" in saved.body_html
    assert '<a href="{invoice_link}" rel="noopener noreferrer">pay</a>' in saved.body_html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject", "Invoice {invoce_number}", "Unknown merge field {invoce_number}"),
        (
            "body_html",
            "<p>{custmer_name} {estimate_number}</p>",
            "Unknown merge fields {custmer_name}, {estimate_number}",
        ),
        ("subject", "Invoice\r\nBcc: evil@example.org", "A subject cannot contain line breaks."),
        ("subject", "Invoice\u2028Bcc: evil@example.org", "A subject cannot contain line breaks."),
        ("from_name", "Acme\nBcc: x@example.org", "Line breaks are not allowed here."),
        ("subject", "", "This field is required."),
    ],
)
def test_bad_templates_are_refused_with_a_named_error(
    client, admin, template_of, field, value, message
):
    t = template_of(admin.space_id, "invoice_sent")
    response = client.submit(f"/email-templates/{t.id}", edit_data(t, **{field: value}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert template_of(admin.space_id, "invoice_sent").subject == t.subject


def test_template_syntax_is_never_evaluated(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_sent")
    payloads = (
        "{{ 7*7 }} ${{7*7}} <%= 7*7 %> {{ config }} {{ request.environ }} "
        "{{ ''.__class__.__mro__ }} {{ cycler.__init__.__globals__.os.popen('id') }}"
    )
    response = client.submit(
        f"/email-templates/{t.id}",
        edit_data(t, subject="{{ 7*7 }} {invoice_number}", body_html=f"<p>{payloads}</p>"),
    )
    assert response.status_code == 302
    page = client.get(f"/email-templates/{t.id}/preview").get_data(as_text=True)
    preview = page[
        page.index('id="preview"') : page.index("</section>", page.index('id="preview"'))
    ]
    assert "{{ 7*7 }} INV-000042" in preview
    assert "{{ 7*7 }} ${{7*7}} &amp;lt;%= 7*7 %&amp;gt; {{ config }}" in preview
    assert "49" not in preview.replace("000042", "")
    assert "test-secret-key" not in page and "uid=" not in page


def test_charset_of_the_space_is_enforced(client, admin, template_of):
    from tests.settings.conftest import form_data

    client.submit("/settings/email", form_data(charset="iso-8859-1"))
    t = template_of(admin.space_id, "invoice_sent")
    response = client.submit(f"/email-templates/{t.id}", edit_data(t, subject="Total 10 €"))
    assert "&#39;€&#39; (U+20AC EURO SIGN)" in response.get_data(as_text=True)


def test_reset_to_default(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_overdue", "fr")
    client.submit(f"/email-templates/{t.id}", edit_data(t, subject="Changed {invoice_number}"))
    client.submit(f"/email-templates/{t.id}/reset", page=f"/email-templates/{t.id}")
    reset = template_of(admin.space_id, "invoice_overdue", "fr")
    assert (reset.subject, reset.body_html) == DEFAULT_TEXTS[("invoice_overdue", "fr")]


def test_live_preview_shows_the_unsaved_text(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_sent")
    response = client.submit(
        f"/email-templates/{t.id}/preview",
        edit_data(
            t,
            subject="Pay {invoice_number}",
            body_html="<p>Due {invoice_amount_due} {logo_url}</p>",
        ),
        page=f"/email-templates/{t.id}",
    )
    data = json.loads(response.get_data(as_text=True))
    assert data["subject"] == "Pay INV-000042"
    assert "Due $1,234.80" in data["html"] and "{logo_url} (no value)" in data["html"]
    assert "logo_url" in data["missing"]
    assert data["errors"] == {}
    assert template_of(admin.space_id, "invoice_sent").subject == t.subject  # nothing saved


def test_a_body_typed_as_plain_lines_keeps_its_line_breaks(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_sent")
    typed = "Dear {contact_firstname},\r\n\r\nPlease pay {invoice_amount_due}.\r\n{email_signature}"
    preview = client.submit(
        f"/email-templates/{t.id}/preview",
        edit_data(t, body_html=typed),
        page=f"/email-templates/{t.id}",
    )
    data = json.loads(preview.get_data(as_text=True))
    assert "Dear Jane,<br>\n<br>\nPlease pay $1,234.80.<br>" in data["html"]
    assert "Dear Jane,\n\nPlease pay $1,234.80.\n" in data["text"]
    response = client.submit(f"/email-templates/{t.id}", edit_data(t, body_html=typed))
    assert response.status_code == 302
    assert template_of(admin.space_id, "invoice_sent").body_html == (
        "Dear {contact_firstname},<br>\n<br>\nPlease pay {invoice_amount_due}.<br>\n"
        "{email_signature}"
    )


@pytest.mark.parametrize(
    "body, error",
    [
        ("<p>{oops}</p>", "Unknown merge field {oops}"),
        ("<div>" * 3000 + "deep" + "</div>" * 3000, "levels deep; at most 40"),
        ("<p>" + "x" * 100_001 + "</p>", "too long"),
    ],
)
def test_invalid_text_is_never_previewed(client, admin, template_of, body, error):
    """The preview answers with the form's errors: nothing invalid reaches the renderer."""
    t = template_of(admin.space_id, "invoice_sent")
    response = client.submit(
        f"/email-templates/{t.id}/preview",
        edit_data(t, body_html=body),
        page=f"/email-templates/{t.id}",
    )
    assert response.status_code == 400
    data = json.loads(response.get_data(as_text=True))
    assert set(data) == {"errors"} and error in data["errors"]["body_html"][0]
    page = client.submit(f"/email-templates/{t.id}", edit_data(t, body_html=body, action="preview"))
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and error in html
    assert "Fix the errors in the form to see the preview." in html
    assert 'srcdoc=""' in html  # the frame is empty


def test_preview_is_sandboxed_and_escapes_everything(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_sent")
    html = client.get(f"/email-templates/{t.id}/preview").get_data(as_text=True)
    assert (
        '<iframe id="preview-frame" class="preview-frame" title="Email preview" sandbox\n' in html
    )
    assert "allow-scripts" not in html and "allow-same-origin" not in html
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in html


def test_signature_in_preview_follows_the_rule(
    app, client, create_space, create_user, login, template_of
):
    admin = create_space(name="Acme Ltd")
    with_sig = create_user(admin.space, signature="<p>Personally, <b>Sam</b></p>")
    without_sig = create_user(admin.space)
    t = template_of(admin.space_id, "invoice_sent")
    for user, expected in (
        (with_sig, "Personally, &lt;b&gt;Sam&lt;/b&gt;"),
        (without_sig, "Kind regards,&lt;br&gt;Acme Ltd"),
    ):
        c = app.test_client()
        login(c, user)
        page = c.get(f"/email-templates/{t.id}/preview").get_data(as_text=True)
        assert expected in page, user.email


def test_staff_cannot_change_templates(client, create_space, create_user, login, template_of):
    admin = create_space()
    login(client, create_user(admin.space))
    t = template_of(admin.space_id, "invoice_sent")
    assert client.get(f"/email-templates/{t.id}").status_code == 403
    for url in (
        f"/email-templates/{t.id}",
        f"/email-templates/{t.id}/reset",
        f"/email-templates/{t.id}/preview",
        "/email-templates/default-language",
    ):
        response = client.submit(
            url, edit_data(t, subject="Hacked", default_language="fr"), page="/email-templates"
        )
        assert response.status_code == 403, url
    assert template_of(admin.space_id, "invoice_sent").subject == t.subject
    assert client.get(f"/email-templates/{t.id}/preview").status_code == 200


def test_another_spaces_templates_are_404(client, create_space, login, template_of):
    mine, theirs = create_space(), create_space()
    login(client, mine)
    t = template_of(theirs.space_id, "invoice_sent")
    for url in (f"/email-templates/{t.id}", f"/email-templates/{t.id}/preview"):
        assert client.get(url).status_code == 404
    response = client.submit(
        f"/email-templates/{t.id}", edit_data(t, subject="Hacked"), page="/email-templates"
    )
    assert response.status_code == 404
    assert template_of(theirs.space_id, "invoice_sent").subject == t.subject


def test_language_fallback(client, admin, app):
    space_id = admin.space_id
    assert template_for(space_id, "invoice_sent", "fr", "en").language == "fr"
    assert template_for(space_id, "invoice_sent", "de", "ja").language == "ja"
    assert template_for(space_id, "invoice_sent", None, "de").language == "en"


def test_default_language_is_saved(client, admin):
    client.submit(
        "/email-templates/default-language", {"default_language": "ja"}, page="/email-templates"
    )
    from djaboo.extensions import db
    from djaboo.spaces.models import Space

    db.session.expire_all()
    assert db.session.get(Space, admin.space_id).default_language == "ja"


def test_header_and_footer_accept_only_fields_of_every_email(client, admin):
    from tests.settings.conftest import form_data

    response = client.submit(
        "/settings/email", form_data(header_html="<p>{companyname} {invoice_number}</p>")
    )
    assert "Unknown merge field here: {invoice_number}" in response.get_data(as_text=True)
    ok = client.submit(
        "/settings/email",
        form_data(
            header_html="<p>{companyname} {logo_url}</p>", logo_url="https://acme.example/logo.png"
        ),
    )
    assert ok.status_code == 302


def test_preview_with_a_real_document_of_the_space(
    client, admin, template_of, create_customer, create_invoice, create_space
):
    customer = create_customer(
        admin.space,
        company="Real Customer GmbH",
        contacts=[("Greta", "Real", "greta@real.example")],
    )
    invoice = create_invoice(customer, admin, status="unpaid")
    t = template_of(admin.space_id, "invoice_sent")
    page = client.get(f"/email-templates/{t.id}?preview_document={invoice.id}").get_data(
        as_text=True
    )
    assert f">{invoice.number} · Real Customer GmbH</option>" in page
    assert "Dear Greta" in page and invoice.number in page and "€1,440.00" in page
    data = edit_data(t, preview_document=str(invoice.id))
    preview = client.submit(
        f"/email-templates/{t.id}/preview", data, page=f"/email-templates/{t.id}"
    ).get_json()
    assert "Greta Real <greta@real.example>" in preview["recipient"]
    other = create_space()
    foreign = create_invoice(
        create_customer(other.space, company="Foreign Co"), other, status="unpaid"
    )
    page = client.get(f"/email-templates/{t.id}?preview_document={foreign.id}").get_data(
        as_text=True
    )
    assert "Foreign Co" not in page and "INV-000042" in page  # the sample, nothing leaked


def test_credit_note_template_has_its_own_fields_and_texts(client, admin, template_of):
    t = template_of(admin.space_id, "credit_note_sent", "fr")
    assert t.subject == "Avoir {credit_note_number} de {companyname}"
    editor = client.get(f"/email-templates/{t.id}").get_data(as_text=True)
    assert "Credit note sent to customer" in editor
    assert "{credit_note_number}" in editor and "Number of the invoice it credits" in editor
    page = client.get(f"/email-templates/{t.id}/preview").get_data(as_text=True)
    preview = page[
        page.index('id="preview"') : page.index("</section>", page.index('id="preview"'))
    ]
    assert "Avoir CN-000003 de Acme Ltd" in preview
    response = client.submit(
        f"/email-templates/{t.id}", edit_data(t, body_html="<p>{invoice_amount_due}</p>")
    )
    assert "Unknown merge field {invoice_amount_due}" in response.get_data(as_text=True)
    for language in LANGUAGES:
        subject, body = DEFAULT_TEXTS[("credit_note_sent", language)]
        assert "{credit_note_number}" in subject and "{credit_note_link}" in body

"""compose_email(): the one way every email is made."""

from datetime import UTC, date, datetime
from decimal import Decimal
from email import message_from_bytes, policy

import pytest

from djaboo.documents.merge_fields import ContactFacts, InvoiceFacts
from djaboo.mail.compose import (
    Attachment,
    TemplateText,
    Wrapper,
    compose_email,
    render_html,
    safe_attachment_name,
    signature_for,
)
from djaboo.mail.fields import CompanyFacts, MergeFacts, merge_values
from djaboo.mail.merge import highlight_missing_html
from djaboo.mail.message import MessageError, Party
from djaboo.mail.transports import open_transport

WRAPPER = Wrapper("<div>HEADER {companyname}</div>", "<p>FOOTER {companyname}</p>")
HOSTILE = "<b>ACME</b> & {invoice_number} {{ 7*7 }} ${object.id}"


def facts(company="Acme Ltd", client=HOSTILE, language="en", currency="USD"):
    return MergeFacts(
        company=CompanyFacts(company, "https://mail.acme.example"),
        language=language,
        signature_html="<p>Regards, <b>Ada</b></p>",
        parts={
            "contact": ContactFacts("Jane", "Doe", "jane@example.org", client),
            "invoice": InvoiceFacts(
                "INV-000042",
                "https://mail.acme.example/p/x",
                date(2026, 3, 5),
                date(2026, 4, 4),
                currency,
                Decimal("1234.50"),
                Decimal("1481.40"),
                Decimal("1481.40"),
                "unpaid",
            ),
        },
    )


def compose(
    body="<p>Hello {client_company}, invoice {invoice_number}.</p>{email_signature}",
    subject="Invoice {invoice_number} for {client_company}",
    values=None,
    **kw,
):
    return compose_email(
        template=TemplateText(subject, body, kw.pop("plain_text", False)),
        wrapper=WRAPPER,
        values=values or merge_values(facts()),
        sender=Party("billing@acme.example", "Acme"),
        to=[Party("jane@example.org", "Jane Doe")],
        message_id="<fixed@acme.example>",
        **kw,
    )


def test_header_body_footer_in_that_order_with_every_field_filled():
    composed = compose()
    html = composed.html
    assert (
        html.index("HEADER Acme Ltd")
        < html.index("invoice INV-000042")
        < html.index("Regards, <b>Ada</b>")
        < html.index("FOOTER Acme Ltd")
    )
    assert composed.text.index("HEADER Acme Ltd") < composed.text.index("FOOTER Acme Ltd")
    assert "{" not in composed.text.replace(HOSTILE, "")


def test_values_are_escaped_for_where_they_go_and_never_parsed_again():
    composed = compose()
    assert "&lt;b&gt;ACME&lt;/b&gt; &amp; {invoice_number} {{ 7*7 }} ${object.id}" in composed.html
    assert "49" not in composed.html
    assert f"Hello {HOSTILE}, invoice INV-000042." in composed.text
    assert composed.subject == f"Invoice INV-000042 for {HOSTILE}"
    parsed = message_from_bytes(composed.envelope.message, policy=policy.default)
    assert parsed["Subject"] == composed.subject


def test_template_syntax_in_templates_stays_text():
    composed = compose(
        body="<p>{{ 7*7 }} ${{7*7}} <%= 7*7 %> {{ config }}</p>", subject="{{ 7*7 }}"
    )
    assert composed.subject == "{{ 7*7 }}"
    assert "{{ 7*7 }} ${{7*7}} &lt;%= 7*7 %&gt; {{ config }}" in composed.html
    assert "49" not in composed.html and "SECRET" not in composed.html


@pytest.mark.parametrize(
    "name", ["Evil\r\nBcc: x@evil.example", "Evil\nX-Injected: 1", "Evil\u2028Bcc: x@evil.example"]
)
def test_line_breaks_from_stored_data_never_reach_a_header(name):
    values = merge_values(facts(client=name))
    with pytest.raises(MessageError, match="line break"):
        compose(values=values)
    with pytest.raises(MessageError, match="line break"):
        compose_email(
            template=TemplateText("Hi", "<p>x</p>"),
            wrapper=WRAPPER,
            values={},
            sender=Party("billing@acme.example"),
            to=[Party("a@example.org", name)],
        )


def test_signature_rule():
    assert signature_for("<p>Mine</p>", "<p>Global</p>") == "<p>Mine</p>"
    assert signature_for("", "<p>Global</p>") == "<p>Global</p>"
    assert signature_for("  \n", "<p>Global</p>") == "<p>Global</p>"


def test_plain_text_flag_sends_text_only():
    composed = compose(plain_text=True)
    parsed = message_from_bytes(composed.envelope.message, policy=policy.default)
    assert parsed.get_content_type() == "text/plain" and composed.html is None
    assert "Regards, Ada" in parsed.get_content()


def test_multipart_alternative_with_links_kept_in_the_text():
    composed = compose(body='<p>See <a href="{invoice_link}">your invoice</a></p>')
    parsed = message_from_bytes(composed.envelope.message, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert "your invoice (https://mail.acme.example/p/x)" in composed.text


def test_css_is_inlined():
    html = render_html(Wrapper(), "<p>Hello</p>", {})
    assert "<style" not in html
    assert '<p style="margin: 0 0 12px' in html
    assert "font-family: Arial" in html.split("<body", 1)[1]


def test_missing_values_are_highlighted_in_previews_and_empty_when_sending():
    values = merge_values(facts())
    assert values["logo_url"] == ""
    html = render_html(
        Wrapper(), '<img src="{logo_url}">{unknown_thing}', values, missing=highlight_missing_html
    )
    assert "{logo_url} (no value)" in html and "{unknown_thing}" in html
    assert '<img src="">' in render_html(Wrapper(), '<img src="{logo_url}">', values)


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("en", "USD", "$1,481.40"),
        ("fr", "EUR", "1\u202f481,40\xa0€"),
        ("ja", "JPY", "￥1,481"),
        ("en", "JPY", "¥1,481"),
    ],
)
def test_amounts_follow_language_and_currency(language, currency, expected):
    assert merge_values(facts(language=language, currency=currency))["invoice_total"] == expected


def test_amounts_fall_back_to_spaces_the_charset_has():
    values = merge_values(facts(language="fr", currency="EUR"), charset="iso-8859-15")
    assert values["invoice_total"] == "1\xa0481,40\xa0€"
    assert merge_values(facts(language="fr"), charset="iso-8859-1")["invoice_date"] == "5 mars 2026"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("INV-1\r\nX-Evil: 1.pdf", "INV-1X-Evil: 1.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\win.pdf", "win.pdf"),
        ("Facture été.pdf", "Facture été.pdf"),
        ("", "attachment"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_attachment_names_are_safe(given, expected):
    assert safe_attachment_name(given) == expected


def test_attachments_have_rfc2231_names_and_no_injected_header():
    composed = compose(attachments=[Attachment("Facture été\r\nX-Evil: 1.pdf", b"%PDF-1.7")])
    raw = composed.envelope.message
    assert b"X-Evil: 1" not in raw.replace(b"X-Evil: 1.pdf", b"")
    parsed = message_from_bytes(raw, policy=policy.default)
    [part] = list(parsed.iter_attachments())
    assert part.get_filename() == "Facture étéX-Evil: 1.pdf"
    assert part.get_content() == b"%PDF-1.7"
    assert b"filename*=utf-8''" in raw


def test_same_input_same_bytes():
    when = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    assert compose(date=when).envelope.message == compose(date=when).envelope.message


def test_bcc_never_reaches_a_delivered_header(smtp_server):
    from djaboo.mail.host_policy import HostPolicy
    from djaboo.mail.transports import TransportSettings

    server = smtp_server()
    composed = compose(bcc=["audit@acme.example"], cc=[Party("boss@example.org", "Boss")])
    settings = TransportSettings(
        encryption="none",
        host="127.0.0.1",
        port=server.port,
        timeout=5,
        host_policy=HostPolicy(allowed=("127.0.0.1",)),
    )
    with open_transport(settings) as transport:
        transport.send(composed.envelope)
    [got] = server.messages
    assert got.rcpt_tos == ["jane@example.org", "boss@example.org", "audit@acme.example"]
    assert b"audit@acme.example" not in got.content
    assert got.message["Cc"] == "Boss <boss@example.org>"

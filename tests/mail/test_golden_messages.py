"""Golden files: the complete raw message of every event in every language, byte for byte.

A change in composition shows up here as a diff of real MIME. After a deliberate change, look at
the diff and refresh them with `DJABOO_UPDATE_GOLDENS=1 make test PYTEST_ARGS="-k golden"`.
"""

import os
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from djaboo.email_templates.default_texts import DEFAULT_TEXTS
from djaboo.email_templates.samples import sample_facts
from djaboo.mail.compose import TemplateText, Wrapper, compose_email
from djaboo.mail.events import EVENTS, LANGUAGES
from djaboo.mail.fields import CompanyFacts, StaffFacts, merge_values
from djaboo.mail.message import Party
from djaboo.settings.defaults import DEFAULT_FOOTER_HTML, DEFAULT_HEADER_HTML

GOLDEN = Path(__file__).parent.parent / "snapshots" / "mail"
CASES = [(event, language, "utf-8") for event in EVENTS for language in LANGUAGES] + [
    (event, language, "iso-2022-jp") for event in EVENTS for language in ("en", "ja")
]


def golden_message(event: str, language: str, charset: str, **thread):
    facts = sample_facts(
        language,
        CompanyFacts("Acme Ltd", "https://mail.acme.example"),
        StaffFacts("Ada", "Lovelace", "ada@acme.example"),
        "<p>Kind regards,<br>Ada Lovelace</p>",
        today=date(2026, 3, 5),
    )
    subject, body = DEFAULT_TEXTS[(event, language)]
    contact = facts.parts["contact"]
    return compose_email(
        template=TemplateText(subject, body),
        values=merge_values(facts, charset),
        wrapper=Wrapper(DEFAULT_HEADER_HTML, DEFAULT_FOOTER_HTML),
        sender=Party("billing@acme.example", "Acme Ltd"),
        to=[Party(contact.email, f"{contact.first_name} {contact.last_name}")],
        reply_to=Party("ada@acme.example", "Ada Lovelace"),
        bcc=["audit@acme.example"],
        charset=charset,
        message_id=f"<golden.{event}.{language}.{charset}@acme.example>",
        date=datetime(2026, 3, 5, 9, 30, tzinfo=UTC),
        **thread,
    )


@pytest.mark.parametrize(("event", "language", "charset"), CASES)
def test_golden_message(event, language, charset):
    composed = golden_message(event, language, charset)
    body = DEFAULT_TEXTS[(event, language)][1]
    raw = composed.envelope.message
    path = GOLDEN / f"{event}.{language}.{charset}.eml"
    if os.environ.get("DJABOO_UPDATE_GOLDENS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
    assert path.exists(), f"no golden file {path.name}; create it with DJABOO_UPDATE_GOLDENS=1"
    assert raw == path.read_bytes(), f"{path.name} changed; inspect the diff, then refresh"

    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.get_payload()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == html.get_content_charset() == charset
    assert parsed["Subject"] == composed.subject and "{" not in composed.subject
    assert parsed["From"].addresses[0].addr_spec == "billing@acme.example"
    assert parsed["Reply-To"].addresses[0].display_name == "Ada Lovelace"
    assert parsed["Bcc"] is None and b"audit@acme.example" not in raw
    assert composed.envelope.recipients[-1] == "audit@acme.example"
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    text = plain.get_content()
    assert "Acme Ltd" in text
    # Signed by the sender; a notice to staff is not signed, it names whom it is for.
    assert ("Ada Lovelace" if "{email_signature}" in body else "Ada") in text
    if charset == "iso-2022-jp":
        assert raw.isascii()  # 7-bit, as Japanese mail clients expect
        assert b"=?iso-2022-jp?b?" in raw.lower() or composed.subject.isascii()


def test_golden_automatic_reminder_in_its_invoices_thread():
    """A reminder as the run queues it: automatic, following the invoice's first email."""
    first = "<golden.invoice_sent.en.utf-8@acme.example>"
    composed = golden_message(
        "invoice_overdue", "en", "utf-8", in_reply_to=first, references=[first], automatic=True
    )
    raw = composed.envelope.message
    path = GOLDEN / "invoice_overdue.en.utf-8.automatic-reply.eml"
    if os.environ.get("DJABOO_UPDATE_GOLDENS"):
        path.write_bytes(raw)
    assert path.exists(), f"no golden file {path.name}; create it with DJABOO_UPDATE_GOLDENS=1"
    assert raw == path.read_bytes(), f"{path.name} changed; inspect the diff, then refresh"
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["In-Reply-To"] == parsed["References"] == first
    assert (parsed["Auto-Submitted"], parsed["X-Auto-Response-Suppress"]) == (
        "auto-generated",
        "All",
    )
    # The same message as the plain golden one, with these four headers and nothing else.
    plain = golden_message("invoice_overdue", "en", "utf-8").envelope.message
    added = (
        f"In-Reply-To: {first}\r\nReferences: {first}\r\n"
        "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n"
    ).encode()
    assert raw == plain.replace(b"\r\nMIME-Version:", b"\r\n" + added + b"MIME-Version:", 1)

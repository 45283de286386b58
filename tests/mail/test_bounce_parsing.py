"""Bounce parsing: real-format DSNs (Postfix, Exchange, Gmail), qmail and Exim plain-text
bounces, auto-replies and a delayed report (tests/fixtures/bounces/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from djaboo.mail.bounces import parse, verp_sender

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bounces"
TOKEN = "0123456789abcdef0123"
TO = f"bounces+{TOKEN}@app.example.net"
RCPT = "gone.customer@customer.example"
MID = "<20261130.abc123@app.example.net>"


def sample(name: str, to: str = TO, rcpt: str = RCPT, mid: str = MID) -> bytes:
    text = (FIXTURES / name).read_text()
    text = (
        text.replace("@@TO@@", to)
        .replace("@@RCPT@@", rcpt)
        .replace("@@MESSAGE_ID@@", mid)
        .replace("@@FROM@@", "Shop <billing@app.example.net>")
    )
    return text.replace("\n", "\r\n").encode()


@pytest.mark.parametrize(
    ("name", "status", "words"),
    [
        ("postfix.eml", "5.1.1", "User unknown in virtual mailbox table"),
        ("exchange.eml", "5.2.2", "mailbox full"),
        ("gmail.eml", "5.1.1", "does not exist"),
        ("qmail.eml", "5.1.1", "No such user here"),
        ("exim.eml", "5.7.1", "Relaying denied"),
    ],
)
def test_bounces_give_recipient_reason_token_and_message_id(name, status, words):
    parsed = parse(sample(name))
    assert parsed.kind == "bounce"
    assert [f.address for f in parsed.failed] == [RCPT]
    assert parsed.failed[0].status == status
    assert words in parsed.reason
    assert parsed.tokens == [TOKEN]
    assert parsed.message_ids[0] == MID


@pytest.mark.parametrize("name", ["autoreply.eml", "out_of_office.eml"])
def test_auto_replies_are_not_bounces(name):
    parsed = parse(sample(name))
    assert parsed.kind == "auto_reply"
    assert parsed.failed == []


def test_a_delayed_report_is_not_a_bounce():
    parsed = parse(sample("delayed.eml"))
    assert parsed.kind == "delayed"
    assert parsed.failed == []


def test_an_ordinary_message_and_garbage_are_other():
    assert parse(b"From: a@b.example\r\nSubject: hello\r\n\r\nHi").kind == "other"
    assert parse(b"\xff\x00" * 1000).kind == "other"
    # Truncated in the middle (the worker reads only the first part of a big message).
    assert parse(sample("postfix.eml")[:1500]).kind in ("bounce", "other")


def test_verp_sender():
    assert verp_sender("bounces+x@example.net", "abc") == "bounces+abc@example.net"
    assert verp_sender("bounces+@example.net", "abc") == "bounces+abc@example.net"
    assert verp_sender("bounces@example.net", "abc") == "bounces@example.net"

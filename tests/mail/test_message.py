"""Header safety, addresses and charsets: the rules of djaboo/mail/message.py."""

import ssl
from email import message_from_bytes, message_from_string, policy
from email.mime.text import MIMEText

import pytest

from djaboo.mail import tls
from djaboo.mail.message import (
    MessageError,
    Party,
    build_message,
    charset_problem,
    envelope_for,
    normalize_address,
)

BREAKS = [
    "\r\nBcc: x@evil.example",
    "\nBcc: x@evil.example",
    "\rX",
    "\x0bX",
    "\x0cX",
    "\x85X",
    "\u2028X",
    "\u2029X",
]


def build(**kw):
    args = dict(
        sender=Party("billing@acme.example", "Acme"),
        to=[Party("c@example.org")],
        subject="Invoice",
        html="<p>x</p>",
        text="x",
    )
    args.update(kw)
    return build_message(**args)


@pytest.mark.parametrize("payload", BREAKS)
def test_line_breaks_in_any_header_value_are_refused(payload):
    with pytest.raises(MessageError, match="line break"):
        build(subject="Invoice" + payload)
    with pytest.raises(MessageError, match="line break"):
        build(to=[Party("c@example.org", "Evil" + payload)])
    with pytest.raises(MessageError):
        build(sender=Party("billing@acme.example", "Acme" + payload))


def test_the_interpreter_refuses_header_injection_too():
    # H03: this Python carries the CVE-2024-6923 fix for both APIs (make uses Debian's python3,
    # which has it; pyenv's 3.11.7 does not).
    from email.errors import HeaderParseError, HeaderWriteError
    from email.message import EmailMessage

    modern = EmailMessage()
    with pytest.raises(ValueError):
        modern["Subject"] = "x\r\nBcc: evil@example.org"
    legacy = MIMEText("body")
    legacy["Subject"] = "x\nBcc: evil@example.org"
    with pytest.raises((ValueError, HeaderWriteError, HeaderParseError)):
        legacy.as_bytes()  # an unpatched interpreter writes the injected header here


@pytest.mark.parametrize(
    "value",
    [
        "alice@example.org)<bob@example.org>",
        "alice@example.org@<bob@example.org>",
        "a@b.example, evil@x.example",
        '"a@b.example" <evil@x.example>',
        "a@b.example;evil@x.example",
        "Alice <alice@example.org>",
        "",
        "no-at-sign",
    ],
)
def test_one_field_one_address(value):
    with pytest.raises(MessageError):
        normalize_address(value)


def test_idn_domain_goes_out_as_punycode_and_envelope_matches():
    msg = build(to=[Party("Jörg@Bücher.example", "Jörg Müller")])
    env = envelope_for(msg, "billing@acme.example", ["Jörg@Bücher.example"], ["audit@acme.example"])
    assert env.recipients == ("Jörg@xn--bcher-kva.example", "audit@acme.example")
    assert env.smtputf8  # the local part is not ASCII: raw UTF-8 headers (RFC 6532)
    parsed = message_from_string(env.message.decode("utf-8"), policy=policy.default)
    assert parsed["To"].addresses[0].display_name == "Jörg Müller"
    assert parsed["Bcc"] is None and b"audit@acme.example" not in env.message


def test_ascii_message_needs_no_smtputf8():
    msg = build(to=[Party("joerg@bücher.example", "Jörg")])
    env = envelope_for(msg, "billing@acme.example", ["joerg@bücher.example"])
    assert not env.smtputf8 and env.message.isascii()
    assert b"=?utf-8?" in env.message  # RFC 2047 for the display name


@pytest.mark.parametrize(
    "name",
    [
        'Müller, "The Boss" \\ Accounts Department of a Very Long Company Name Limited (Europe)',
        "(" + "x" * 90 + ")",
        "a" * 120,
    ],
)
def test_awkward_display_names_round_trip(name):
    msg = build(to=[Party("c@example.org", name)])
    env = envelope_for(msg, "billing@acme.example", ["c@example.org"])
    parsed = message_from_bytes(env.message, policy=policy.default)
    [address] = parsed["To"].addresses
    assert (address.display_name, address.addr_spec) == (name, "c@example.org")
    assert all(len(line) <= 998 for line in env.message.split(b"\r\n"))
    assert len(parsed.get_all("To")) == 1


def test_charset_problem_names_the_characters():
    assert charset_problem("Grüße", "iso-8859-1") is None
    problem = charset_problem("10 € – ok", "iso-8859-1")
    assert problem.startswith("These characters cannot be written in ISO-8859-1:")
    assert "'€' (U+20AC EURO SIGN)" in problem and "'–' (U+2013 EN DASH)" in problem
    with pytest.raises(MessageError, match="EURO SIGN"):
        build(text="10 €", charset="iso-8859-1")


def test_iso_2022_jp_body_is_seven_bit():
    msg = build(
        subject="請求書", text="請求書をお送りします。", html="<p>請求書</p>", charset="iso-2022-jp"
    )
    env = envelope_for(msg, "billing@acme.example", ["c@example.org"])
    assert env.message.isascii()
    parsed = message_from_bytes(env.message, policy=policy.default)
    body = parsed.get_body(("plain",))
    assert body.get_content_charset() == "iso-2022-jp"
    assert body.get_content().strip() == "請求書をお送りします。"
    assert parsed["Subject"] == "請求書"


def test_tls_context_verifies_by_default():
    # S10: never smtplib's unverified default context.
    context = tls.client_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    pinned = tls.client_context("ab" * 32)
    assert pinned.verify_mode == ssl.CERT_NONE  # only with a pin, which check_pin enforces


def _parsed(message):
    return message_from_bytes(message.as_bytes(), policy=policy.default)


def test_a_reply_names_its_thread_in_in_reply_to_and_references():
    first, second = "<1.2.3@acme.example>", "<4.5.6@acme.example>"
    parsed = _parsed(build(in_reply_to=second, references=[first, second]))
    assert parsed["In-Reply-To"] == second
    assert parsed["References"] == f"{first} {second}"
    assert parsed["Auto-Submitted"] is None and parsed["X-Auto-Response-Suppress"] is None
    plain = _parsed(build())
    assert plain["In-Reply-To"] is None and plain["References"] is None


def test_long_references_fold_between_ids_and_read_back_the_same():
    ids = [f"<{n:020d}.{'x' * 10}@mail.acme.example>" for n in range(6)]  # 51 characters
    message = build(in_reply_to=ids[-1], references=ids)
    raw = message.as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert head.count(b"\r\n <") == 5  # one id a line: two never fit on one
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["References"].split() == ids
    assert parsed["In-Reply-To"] == ids[-1]
    # One id longer than a line stays whole on the header's line (RFC 5322 allows 998).
    long_id = f"<{'y' * 120}@mail.acme.example>"
    raw = build(in_reply_to=long_id, references=[long_id]).as_bytes()
    assert f"In-Reply-To: {long_id}\r\n".encode() in raw
    assert message_from_bytes(raw, policy=policy.default)["References"] == long_id


@pytest.mark.parametrize(
    "bad",
    [
        "<a@b>\r\nBcc: x@evil.example",
        "<a@b>\nX: y",
        "a@b",
        "<a@b> <c@d>",
        "<a b@c>",
        "<@b>",
        "<a@b>>",
        "<a@" + "b" * 300 + ">",
        "",
    ],
)
def test_anything_but_one_message_id_is_refused_in_thread_headers(bad):
    with pytest.raises(MessageError, match="Message-ID"):
        build(in_reply_to=bad or "x")
    with pytest.raises(MessageError, match="Message-ID"):
        build(references=["<ok@acme.example>", bad])


def test_references_are_bounded():
    with pytest.raises(MessageError, match="at most"):
        build(references=[f"<{n}@acme.example>" for n in range(21)])


def test_an_automatic_email_tells_robots_not_to_answer():
    parsed = _parsed(build(automatic=True))
    assert parsed["Auto-Submitted"] == "auto-generated"  # RFC 3834 section 5
    assert parsed["X-Auto-Response-Suppress"] == "All"
    assert parsed.get_all("Auto-Submitted") == ["auto-generated"]

"""Building the EmailMessage: the one place where header safety and charsets are decided.

- Any line break in a header value (CR, LF and every other separator str.splitlines() knows)
  is refused: no header injection, whatever the source of the value.
- Addresses are single, validated addr-specs; IDN domains go out as punycode; BCC never becomes
  a header — it only joins the envelope.
- Text that cannot be written in the space's charset is refused with the characters named,
  never replaced by '?'.
- A reply in a thread names its parent by msg-id only (In-Reply-To, References), each checked;
  an automatic email says so (RFC 3834 Auto-Submitted, and Microsoft's
  X-Auto-Response-Suppress), so that out-of-office and other robots do not answer it.
"""

from __future__ import annotations

import codecs
import functools
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid

from email_validator import EmailNotValidError, validate_email

from djaboo.mail.errors import PermanentError
from djaboo.mail.headers import address_header, is_msg_id, msg_ids_header, subject_header
from djaboo.mail.mime import OutgoingMessage, multipart, text_part
from djaboo.mail.texts import N_, Line
from djaboo.mail.transports.base import Envelope

# The control characters that stateful charsets (ISO-2022-JP) read as switching sets.
_SHIFTS = frozenset("\x1b\x0e\x0f")
# The headers of every automatic email (a reminder, a thank-you, a notice): RFC 3834 section 5
# says an automatic responder never answers a message that is not "Auto-Submitted: no", and
# Exchange and Outlook send no out-of-office, read or delivery receipt for "All".
AUTOMATIC_HEADERS = (("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All"))
MAX_REFERENCES = 20  # we name a thread's first email; a long chain is never needed
# Everything str.splitlines() treats as a line boundary, plus NUL.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00")


class MessageError(PermanentError):
    """The message itself is unacceptable (header injection, bad address, charset)."""


def has_line_break(value: str) -> bool:
    return any(ch in LINE_BREAKS for ch in value)


def check_header_value(label: str, value: str) -> str:
    if has_line_break(value):
        raise MessageError(f"{label} contains a line break, which is not allowed in a header.")
    return value


@functools.lru_cache(maxsize=4096)  # pure; bulk runs meet the same sender and BCC each time
def normalize_address(value: str) -> str:
    """Exactly one addr-spec ('a@b.example'), domain in ASCII (punycode); else MessageError."""
    value = (value or "").strip()
    check_header_value("An email address", value)
    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise MessageError(
            N_("%(value)s is not a valid email address: %(reason)s"),
            params={"value": repr(value), "reason": str(exc)},
        ) from None
    return f"{result.local_part}@{result.ascii_domain}"


def _writes(text: str, charset: str) -> bool:
    """Whether charset writes text so that it reads back the same: ISO-2022-JP "encodes" an
    ESC, SO or SI as itself, and then reads it as the start of a shift sequence."""
    try:
        return text.encode(charset).decode(charset) == text
    except UnicodeError:
        return False


def charset_problem(text: str, charset: str) -> Line | None:
    """None when text can be written in charset, else a sentence naming the characters (a Line:
    str() is its English, djaboo/display_texts.py translates it)."""
    if _writes(text, charset):
        return None
    chars = dict.fromkeys(text)
    # Each character alone, or else the shift controls that garble what follows them.
    wrong = [c for c in chars if not _writes(c, charset)] or [c for c in chars if c in _SHIFTS]
    bad = []
    for ch in wrong or chars:
        name = unicodedata.name(ch, "")
        bad.append(f"'{ch}' (U+{ord(ch):04X}{' ' + name if name else ''})")
    params = {"charset": charset_label(charset), "characters": ", ".join(bad[:8])}
    if len(bad) > 8:
        return Line(
            N_(
                "These characters cannot be written in %(charset)s: %(characters)s and "
                "%(more)s more."
            ),
            {**params, "more": len(bad) - 8},
        )
    return Line(N_("These characters cannot be written in %(charset)s: %(characters)s."), params)


def charset_label(charset: str) -> str:
    codecs.lookup(charset)  # unknown charsets fail here, loudly
    return charset.upper().replace("_", "-") if charset.lower() != "shift_jis" else "Shift_JIS"


@dataclass(frozen=True)
class Party:
    email: str
    name: str = ""


def _addresses(header: str, parties, charset: str) -> tuple[str, str]:
    pairs = []
    for party in parties:
        check_header_value("A display name", party.name)
        pairs.append((party.name, normalize_address(party.email)))
    return header, address_header(pairs, charset, header)


def build_message(
    *,
    sender: Party,
    to: list[Party],
    subject: str,
    html: str | None,
    text: str,
    charset: str = "utf-8",
    cc: list[Party] = (),
    reply_to: Party | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
    in_reply_to: str | None = None,
    references: list[str] = (),
    automatic: bool = False,
) -> OutgoingMessage:
    """A complete message: text part, optional HTML alternative, all headers checked.

    in_reply_to and references: msg-ids of earlier emails of the same thread (MessageError if
    one is anything else); automatic: an email no person wrote for this recipient just now."""
    check_header_value("The subject", subject)
    for label, part in (("The subject", subject), ("The text", text), ("The HTML", html or "")):
        problem = charset_problem(part, charset)
        if problem:
            raise MessageError(f"{label}: {problem}")
    headers = [_addresses("From", [sender], charset), _addresses("To", to, charset)]
    if cc:
        headers.append(_addresses("Cc", cc, charset))
    if reply_to:
        headers.append(_addresses("Reply-To", [reply_to], charset))
    domain = normalize_address(sender.email).rpartition("@")[2]
    message_id = check_header_value("The Message-ID", message_id or make_msgid(domain=domain))
    headers += [
        ("Subject", subject_header(subject, charset)),
        ("Date", _date_header(date)),
        ("Message-ID", message_id),
    ]
    if len(references) > MAX_REFERENCES:
        raise MessageError(f"References names at most {MAX_REFERENCES} earlier emails.")
    for name, ids in (
        ("In-Reply-To", [in_reply_to] if in_reply_to else []),
        ("References", references),
    ):
        if ids:
            headers.append((name, msg_ids_header(name, [_checked_msg_id(name, i) for i in ids])))
    if automatic:
        headers += AUTOMATIC_HEADERS
    body = text_part(text, "plain", charset)
    if html is not None:
        body = multipart("alternative", [body, text_part(html, "html", charset)])
    return OutgoingMessage(headers, body)


def _checked_msg_id(header: str, value: str) -> str:
    if not is_msg_id(value):
        raise MessageError(f"{header} must name a Message-ID like <id@host>, not {value[:100]!r}.")
    return value


def _date_header(date: datetime | None) -> str:
    """RFC 5322 date with a numeric zone: '+0000', not the obsolete 'GMT' (section 4.3)."""
    date = date or datetime.now(UTC)
    return format_datetime(date if date.tzinfo else date.replace(tzinfo=UTC))


def envelope_for(
    msg: OutgoingMessage, sender: str, recipients: list[str], bcc: list[str] = ()
) -> Envelope:
    """The SMTP envelope: validated addresses (To, Cc and BCC), never re-parsed from headers."""
    if msg["Bcc"] is not None:
        raise MessageError("A Bcc header must never be written; BCC goes in the envelope only.")
    everyone = list(dict.fromkeys(normalize_address(a) for a in [*recipients, *bcc]))
    sender = normalize_address(sender)
    smtputf8 = not all(a.isascii() for a in [sender, *everyone])
    data = msg.as_bytes()  # headers are ASCII unless an address needs SMTPUTF8 (RFC 6532)
    return Envelope(sender=sender, recipients=tuple(everyone), message=data, smtputf8=smtputf8)

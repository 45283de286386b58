"""Bounces: what came back after the server accepted an email, and which email it was.

- Return-Path for bounces: with one, each email's envelope sender is its own VERP address,
  `bounces+<token>@domain` when the configured address has a `+` (everything after the first
  `+` becomes the token), else the plain address. The token is random (never guessable from
  the message), stored with the email (outbox_message.bounce_token).
- parse(): a delivery status notification (RFC 3464 multipart/report with a
  message/delivery-status part: per recipient Action, Status, Diagnostic-Code), or a common
  non-standard one (qmail's "failure notice", Exim's "Mail delivery failed", plain
  "Undelivered Mail" texts from MAILER-DAEMON). Auto-replies (Auto-Submitted, X-Autoreply,
  "Out of office") are recognised and ignored; a "delayed" report is not a bounce.
- mark_bounced(): finds the email by its VERP token, else by the Message-ID of the returned
  message (then only when a failed recipient is one of the email's), and marks it Bounced
  with the reason; each failed recipient becomes an Address bounced of the space.

Pure parsing, bounded: the caller hands at most a few hundred KB (djaboo/mail/imap.py).
"""

from __future__ import annotations

import email
import email.policy
import re
import secrets
from dataclasses import dataclass, field
from email.message import Message

import sqlalchemy as sa

from djaboo.db import insert_or_ignore, utcnow
from djaboo.extensions import db
from djaboo.mail.outbox import BouncedAddress, OutboxMessage

MAX_RECIPIENTS = 50
MAX_REASON = 1000
TOKEN = re.compile(r"^[a-f0-9]{16,32}$")
_VERP = re.compile(r"[^\s<>\"@,;]+\+([a-f0-9]{16,32})@[^\s<>\",;]+", re.I)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b(5\d\d)[ -]((?:5\.\d{1,3}\.\d{1,3})?)")
_MESSAGE_ID = re.compile(r"^Message-ID:\s*(<[^>\s]{1,250}>)", re.I | re.M)
_NONSTANDARD_SUBJECT = re.compile(
    r"undeliver|delivery (status notification \(failure\)|failure|has failed)|"
    r"mail delivery (failed|failure|system)|returned mail|failure notice|"
    r"could not be delivered|delivery problem",
    re.I,
)
_AUTOREPLY_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|auto:|"
    r"absence|on vacation|abwesenheit|r[ée]ponse automatique)",
    re.I,
)
_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")
_DAEMON = re.compile(r"mailer-daemon|postmaster|mail delivery (sub)?system", re.I)


def verp_sender(return_path: str, token: str) -> str:
    """The envelope sender for one email: `local+token@domain` when the address has a `+`."""
    local, at, domain = return_path.rpartition("@")
    if not at or "+" not in local:
        return return_path
    return f"{local.partition('+')[0]}+{token}@{domain}"


def new_token() -> str:
    return secrets.token_hex(10)


@dataclass(frozen=True)
class Failed:
    address: str
    status: str = ""
    diagnostic: str = ""

    @property
    def reason(self) -> str:
        parts = [p for p in (self.status, self.diagnostic) if p]
        return f"{self.address}: {' '.join(parts) or 'delivery failed'}"


@dataclass
class Parsed:
    kind: str  # "bounce", "auto_reply", "delayed", "other"
    failed: list[Failed] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # VERP tokens it was addressed to
    message_ids: list[str] = field(default_factory=list)  # of the returned message

    @property
    def reason(self) -> str:
        return "; ".join(f.reason for f in self.failed)[:MAX_REASON] or "Delivery failed."


def _header(msg: Message, name: str) -> str:
    try:
        values = msg.get_all(name) or []
        return " ".join(str(v) for v in values)[:2000]
    except Exception:  # noqa: BLE001 - a malformed header is as good as none
        return ""


def _clean(value: str) -> str:
    return " ".join(value.split())[:500]


def _payload_text(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _tokens(msg: Message) -> list[str]:
    found = []
    for name in ("To", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "Cc"):
        for m in _VERP.finditer(_header(msg, name)):
            token = m.group(1).lower()
            if token not in found:
                found.append(token)
    return found[:5]


def _is_auto_reply(msg: Message) -> bool:
    auto = _header(msg, "Auto-Submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        return True
    if _header(msg, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk"):
        return True
    return bool(_AUTOREPLY_SUBJECT.match(_header(msg, "Subject")))


def _delivery_status(text: str) -> list[tuple[str, str, str, str]]:
    """(recipient, action, status, diagnostic) of each per-recipient block of a
    message/delivery-status body (continuation lines joined)."""
    text = re.sub(r"\r?\n[ \t]+", " ", text.replace("\r\n", "\n"))
    blocks = re.split(r"\n\s*\n", text)
    out = []
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            name, colon, value = line.partition(":")
            if colon:
                fields.setdefault(name.strip().lower(), value.strip())
        rcpt = fields.get("final-recipient") or fields.get("original-recipient") or ""
        if not rcpt:
            continue
        address = rcpt.partition(";")[2].strip() if ";" in rcpt else rcpt.strip()
        diagnostic = fields.get("diagnostic-code", "")
        if ";" in diagnostic:
            diagnostic = diagnostic.partition(";")[2]
        out.append(
            (
                address.strip("<> ").lower()[:254],
                fields.get("action", "").lower(),
                fields.get("status", "").strip()[:20],
                _clean(diagnostic),
            )
        )
        if len(out) >= MAX_RECIPIENTS:
            break
    return out


def _returned_message_ids(msg: Message) -> list[str]:
    found = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner["Message-ID"]:
                found.append(str(inner["Message-ID"]).strip())
        elif ctype in ("text/rfc822-headers", "text/plain", "message/rfc822-headers"):
            found.extend(_MESSAGE_ID.findall(_payload_text(part)))
    unique = []
    for mid in found:
        mid = mid.strip()
        if mid and mid not in unique and len(mid) <= 255:
            unique.append(mid)
    return unique[:5]


def parse(raw: bytes) -> Parsed:
    """What this message is; never raises on malformed input."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception:  # noqa: BLE001
        return Parsed("other")
    tokens = _tokens(msg)
    if msg.get_content_type() == "multipart/report" and (
        (msg.get_param("report-type") or "").lower() == "delivery-status"
    ):
        rows = []
        for part in msg.walk():
            if part.get_content_type() in (
                "message/delivery-status",
                "message/global-delivery-status",
            ):
                payload = part.get_payload()
                if isinstance(payload, list):  # the email package parsed the blocks
                    text = "\n\n".join(p.as_string() for p in payload if isinstance(p, Message))
                else:
                    text = _payload_text(part)
                rows.extend(_delivery_status("\n\n" + text))
        failed = [
            Failed(address, status, diagnostic)
            for address, action, status, diagnostic in rows
            if action == "failed" or (not action and status.startswith("5"))
        ]
        ids = _returned_message_ids(msg)
        if failed:
            return Parsed("bounce", failed, tokens, ids)
        return Parsed("delayed" if rows else "other", [], tokens, ids)
    if _is_auto_reply(msg):
        return Parsed("auto_reply", tokens=tokens)
    subject, sender = _header(msg, "Subject"), _header(msg, "From")
    if _NONSTANDARD_SUBJECT.search(subject) or _DAEMON.search(sender):
        return _nonstandard(msg, tokens)
    return Parsed("other", tokens=tokens)


def _nonstandard(msg: Message, tokens: list[str]) -> Parsed:
    """qmail, Exim and other plain-text bounces: addresses with their SMTP answer."""
    text = ""
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            text += _payload_text(part) + "\n"
            if len(text) > 200_000:
                break
    # The returned message starts at a line like this; addresses below it are not the failures.
    head = re.split(
        r"^(?:--- ?Below this line is a copy of the message|------ This is a copy of the "
        r"message|-+ ?Original message|Original message follows)",
        text,
        maxsplit=1,
        flags=re.I | re.M,
    )[0]
    failed: list[Failed] = []
    own = {a.lower() for a in _ADDRESS.findall(_header(msg, "From") + _header(msg, "To"))}
    lines = head.splitlines()
    for n, line in enumerate(lines):
        for address in _ADDRESS.findall(line):
            address = address.lower()
            if address in own or any(f.address == address for f in failed):
                continue
            window = " ".join(lines[n : n + 4])
            code = _SMTP_CODE.search(window)
            status = _STATUS.search(window)
            if not (code or status or re.search(r"<[^>]+>:|failed|unknown|not exist", line, re.I)):
                continue
            diagnostic = _clean(window[window.find(address) + len(address) :].strip(" :<>"))
            failed.append(
                Failed(
                    address,
                    status.group(0) if status else (code.group(1) if code else ""),
                    diagnostic[:300],
                )
            )
            if len(failed) >= MAX_RECIPIENTS:
                break
    ids = _MESSAGE_ID.findall(text)[:5]
    if not failed:
        return Parsed("other", tokens=tokens, message_ids=ids)
    return Parsed("bounce", failed, tokens, ids)


def find_email(space_id: int, parsed: Parsed) -> OutboxMessage | None:
    """The space's email this bounce is about: by VERP token, else by Message-ID when one of
    its failed recipients is one of the email's."""
    for token in parsed.tokens:
        if TOKEN.match(token):
            row = db.session.execute(
                sa.select(OutboxMessage).where(
                    OutboxMessage.space_id == space_id, OutboxMessage.bounce_token == token
                )
            ).scalar_one_or_none()
            if row is not None:
                return row
    failed = {f.address for f in parsed.failed}
    for mid in parsed.message_ids:
        rows = (
            db.session.execute(
                sa.select(OutboxMessage)
                .where(OutboxMessage.space_id == space_id, OutboxMessage.message_id == mid)
                .limit(5)
            )
            .scalars()
            .all()
        )
        for row in rows:
            if failed & {str(r).lower() for r in row.recipients or []}:
                return row
    return None


def mark_bounced(row: OutboxMessage, parsed: Parsed) -> bool:
    """Mark the email Bounced (flushed, not committed); False when it was no sent email, or
    already bounced. Each failed recipient among its own becomes an Address bounced."""
    if row.status != "sent":
        return False
    now = utcnow()
    own = {str(r).lower() for r in row.recipients or []}
    failed = [f for f in parsed.failed if f.address in own] or parsed.failed
    reason = "; ".join(f.reason for f in failed)[:MAX_REASON] or parsed.reason
    row.status = "bounced"
    row.bounced_at = now
    row.bounce_reason = reason
    row.last_error = f"Bounced: {reason}"[: MAX_REASON + 20]
    for f in failed:
        if f.address not in own:
            continue
        updated = db.session.execute(
            sa.update(BouncedAddress)
            .where(BouncedAddress.space_id == row.space_id, BouncedAddress.email == f.address)
            .values(bounced_at=now, reason=f.reason[:MAX_REASON], outbox_id=row.id)
        )
        if updated.rowcount == 0:
            insert_or_ignore(
                db.session,
                BouncedAddress.__table__,
                space_id=row.space_id,
                email=f.address,
                bounced_at=now,
                reason=f.reason[:MAX_REASON],
                outbox_id=row.id,
            )
    db.session.flush()
    return True


def bounced_addresses(space_id: int, addresses) -> dict[str, BouncedAddress]:
    """Of these addresses, the ones that bounced in the space (by lower-case address)."""
    wanted = sorted({str(a).strip().lower() for a in addresses if a})[:500]
    if not wanted:
        return {}
    rows = db.session.execute(
        sa.select(BouncedAddress).where(
            BouncedAddress.space_id == space_id, BouncedAddress.email.in_(wanted)
        )
    ).scalars()
    return {r.email: r for r in rows}

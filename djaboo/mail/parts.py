"""Attachments stored once: an email's PDF is kept by its content, not in every email's bytes.

A space sends the same PDF (one version of a document) to each contact, again with a reminder,
again on a resend: stored in each outbox row, it would be most of the database (issue #16). So
when an email is recorded, each big base64 part of its final bytes is replaced, in the stored
message, by a marker naming the part's SHA-256; the part's decoded bytes are kept once per
space and content (mail_part) and each email that uses it is linked to it (outbox_part).

Putting the message together again gives exactly the recorded bytes, DKIM signature and all:
a part is taken out only when encoding it again gives the very characters it replaced (else it
stays in the message). Only rows linked to a part are put together, so a message that happens
to hold a marker-like text is sent as it is. The retention (settings/retention.py) unlinks the
parts of the emails that lose their message and deletes the parts no email uses any more.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from email import message_from_bytes, policy

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, insert_skipping_duplicates, utcnow
from djaboo.extensions import db

MIN_PART = 4096  # bytes of encoded text: smaller parts stay in the message
# NUL never occurs in a MIME message (RFC 5322 and 2045 forbid it in every encoding).
MARKER = re.compile(rb"\x00part:([0-9a-f]{64}):(n|rn)(-?)\x00")
EOLS = {b"n": b"\n", b"rn": b"\r\n"}


class MailPart(db.Model):
    """One attachment's bytes (decoded), once per space and content."""

    __tablename__ = "mail_part"
    __table_args__ = (sa.UniqueConstraint("space_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


class OutboxPart(db.Model):
    """An email that uses a part: the part lives while a linked email keeps its message."""

    __tablename__ = "outbox_part"

    outbox_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="CASCADE"), primary_key=True
    )
    part_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mail_part.id"), primary_key=True, index=True
    )


def _encode(content: bytes, eol: bytes) -> bytes:
    """Base64 as Python's email package writes an attachment: 76 characters a line."""
    lines = (binascii.b2a_base64(content[i : i + 57]) for i in range(0, len(content), 57))
    encoded = b"".join(lines)
    return encoded.replace(b"\n", eol) if eol != b"\n" else encoded


def split_message(raw: bytes) -> tuple[bytes, dict[str, bytes]]:
    """(stored message, {sha256: content}): the message with each big base64 part replaced by
    its marker, when that part can be put back byte for byte; else the message as it is."""
    if len(raw) < MIN_PART or b"\x00" in raw:
        return raw, {}
    parts: dict[str, bytes] = {}
    stored = raw
    for part in message_from_bytes(raw, policy=policy.compat32).walk():
        if part.is_multipart() or part.get("Content-Transfer-Encoding", "").lower() != "base64":
            continue
        text = part.get_payload()
        if not isinstance(text, str) or len(text) < MIN_PART or not text.isascii():
            continue
        encoded = text.encode("ascii")
        if stored.count(encoded) != 1:
            continue
        eol = b"\r\n" if b"\r\n" in encoded else b"\n"
        try:
            content = binascii.a2b_base64(encoded)
        except binascii.Error:
            continue
        again = _encode(content, eol)
        if again == encoded:
            trail = b""
        elif again == encoded + eol:
            trail = b"-"  # the last line's end belongs to the boundary that follows
        else:
            continue
        sha = hashlib.sha256(content).hexdigest()
        parts[sha] = content
        marker = b"\x00part:%s:%s%s\x00" % (sha.encode(), b"rn" if eol == b"\r\n" else b"n", trail)
        stored = stored.replace(encoded, marker, 1)
    return stored, parts


def join_message(stored: bytes, parts: dict[str, bytes]) -> bytes:
    """The recorded bytes again: each marker replaced by its part, encoded as it was."""

    def put_back(match: re.Match) -> bytes:
        sha, eol, trail = match.group(1).decode(), EOLS[match.group(2)], match.group(3)
        encoded = _encode(parts[sha], eol)
        return encoded[: -len(eol)] if trail else encoded

    return MARKER.sub(put_back, stored)


def message_bytes(outbox_id: int | None, stored: bytes) -> bytes:
    """An outbox row's message as recorded (its parts read when it has any)."""
    if not stored or outbox_id is None or b"\x00part:" not in stored:
        return stored
    rows = db.session.execute(
        sa.select(MailPart.sha256, MailPart.content)
        .join(OutboxPart, OutboxPart.part_id == MailPart.id)
        .where(OutboxPart.outbox_id == outbox_id)
    ).all()
    if not rows:
        return stored
    return join_message(stored, dict(rows))


def store_parts(links: list[tuple[int, int, dict[str, bytes]]]) -> None:
    """Keep the parts of just-recorded emails, (outbox id, space id, {sha256: content}) each,
    and link each email to its parts, in the caller's transaction."""
    wanted = {
        (space_id, sha): content for _, space_id, parts in links for sha, content in parts.items()
    }
    if not wanted:
        return
    table = MailPart.__table__
    ids: dict[tuple[int, str], int] = {}
    for _ in range(2):  # a part deleted meanwhile by a retention run is inserted again
        missing = [key for key in wanted if key not in ids]
        if not missing:
            break
        now = utcnow()
        db.session.execute(
            insert_skipping_duplicates(db.session, table),
            [
                {"space_id": s, "sha256": h, "content": wanted[(s, h)], "created_at": now}
                for s, h in missing
            ],
        )
        found = db.session.execute(
            sa.select(table.c.id, table.c.space_id, table.c.sha256)
            .where(sa.tuple_(table.c.space_id, table.c.sha256).in_(missing))
            .with_for_update(key_share=True)  # a retention run cannot delete it now
        ).all()
        ids.update({(s, h): id_ for id_, s, h in found})
    db.session.execute(
        sa.insert(OutboxPart.__table__),
        [
            {"outbox_id": outbox_id, "part_id": ids[(space_id, sha)]}
            for outbox_id, space_id, parts in links
            for sha in parts
        ],
    )


def forget_parts(space_id: int, outbox_ids: list[int]) -> None:
    """Unlink these emails (their message was removed) and delete the space's parts that no
    email uses any more (flushed in the caller's transaction)."""
    if outbox_ids:
        db.session.execute(sa.delete(OutboxPart).where(OutboxPart.outbox_id.in_(outbox_ids)))
    used = sa.select(OutboxPart.part_id).where(OutboxPart.part_id == MailPart.id).exists()
    db.session.execute(
        sa.delete(MailPart)
        .where(MailPart.space_id == space_id, ~used)
        .execution_options(synchronize_session=False)
    )

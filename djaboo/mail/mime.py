"""Writing the MIME message ourselves: a small tree of parts turned into bytes.

We only ever make three shapes (text; text + HTML alternative; either + attachments), with
header values that message.py and headers.py have already checked and folded. Writing them
directly is exact and some ten times faster than email.message.EmailMessage, which parses
every header it is given and again every header it is asked for; bulk runs compose thousands.

Bodies are always 7-bit safe, so no server needs 8BITMIME: ASCII text stays as it is, text
with a few non-ASCII bytes goes quoted-printable (French stays readable), mostly non-ASCII
text goes base64 (Japanese in UTF-8), ISO-2022-JP is 7-bit by itself; attachments are base64.
Lines end in CRLF; no line is longer than 998 octets (RFC 5322).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote

CRLF = b"\r\n"
MAX_LINE = 998  # RFC 5322 2.1.1: MUST
MAX_HEADER_LINE = 78  # RFC 5322 2.1.1: SHOULD
_ASCII = bytes(range(128))
_PLAIN_NAME = re.compile(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?")  # printable, no edge space


@dataclass
class Part:
    """A leaf (body set) or a multipart (parts set); headers are (name, value) in order."""

    headers: list[tuple[str, str]]
    body: bytes = b""
    parts: list[Part] = field(default_factory=list)
    subtype: str = ""  # of a multipart: alternative, mixed

    @property
    def is_multipart(self) -> bool:
        return bool(self.subtype)


def _quoted_param(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def text_part(text: str, subtype: str, charset: str) -> Part:
    """A text/plain or text/html part in charset, with the lightest safe transfer encoding."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    data = "\n".join(lines).encode(charset) + b"\n"
    # 7bit is ASCII without NUL in short lines (RFC 2045 2.7); NUL also breaks many programs.
    if data.isascii() and b"\0" not in data and all(len(x) <= MAX_LINE for x in data.split(b"\n")):
        cte, body = "7bit", data.replace(b"\n", CRLF)
    elif len(data.translate(None, _ASCII)) * 6 < len(data):  # under 1 byte in 6 is 8-bit
        cte, body = "quoted-printable", binascii.b2a_qp(data, istext=True).replace(b"\n", CRLF)
    else:
        cte, body = "base64", _base64(data.replace(b"\n", CRLF))
    return Part(
        [
            ("Content-Type", f"text/{subtype}; charset={_quoted_param(charset)}"),
            ("Content-Transfer-Encoding", cte),
        ],
        body,
    )


def attachment_part(content: bytes, mime_type: str, filename: str) -> Part:
    """A base64 attachment; a file name that is not plain ASCII is written as RFC 2231 says."""
    return Part(
        [
            ("Content-Type", mime_type),
            ("Content-Transfer-Encoding", "base64"),
            ("Content-Disposition", "attachment;" + _filename_param(filename)),
        ],
        _base64(content),
    )


def _filename_param(filename: str) -> str:
    """The filename parameter: on the Content-Disposition line while that stays within 78
    characters, else on a line of its own, else continued over several (RFC 2231 section 3).

    A name with controls, non-ASCII, edge spaces, `=?` (which readers decode as an RFC 2047
    word even inside quotes) or a quote or backslash (which need escapes that readers undo
    differently: Python's get_filename() turns '""' into '') goes percent-encoded in UTF-8,
    so it reads back as it is."""
    if _PLAIN_NAME.fullmatch(filename) and not re.search(r'["\\]|=\?', filename):
        key, prefix, pieces = "filename{}=", "", list(filename)

        def value(text: str) -> str:
            return f'"{text}"'
    else:
        # Whole characters per piece: Python decodes each continued line by itself.
        key, prefix, pieces = "filename{}*=", "utf-8''", [quote(c, safe="") for c in filename]
        value = str
    param = key.format("") + value(prefix + "".join(pieces))
    if len("Content-Disposition: attachment; ") + len(param) <= MAX_HEADER_LINE:
        return " " + param
    if 1 + len(param) <= MAX_HEADER_LINE:
        return "\r\n " + param
    chunks, chunk = [], ""
    for piece in pieces:
        if chunk and len(chunk + piece) > 60:
            chunks.append(chunk)
            chunk = ""
        chunk += piece
    chunks.append(chunk)
    return ";".join(
        f"\r\n {key.format(f'*{n}')}{value((prefix if n == 0 else '') + c)}"
        for n, c in enumerate(chunks)
    )


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def multipart(subtype: str, parts: list[Part]) -> Part:
    return Part([], parts=parts, subtype=subtype)


@dataclass
class OutgoingMessage:
    """Top-level headers (From ... Message-ID, already checked) and the body tree."""

    headers: list[tuple[str, str]]
    root: Part

    def __getitem__(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for n, v in self.headers if n.lower() == wanted), None)

    def add_attachment(self, content: bytes, mime_type: str, filename: str) -> None:
        attachment = attachment_part(content, mime_type, filename)
        if self.root.subtype == "mixed":
            self.root.parts.append(attachment)
        else:
            self.root = multipart("mixed", [self.root, attachment])

    def as_bytes(self) -> bytes:
        """The message; multipart boundaries derive from the Message-ID, so the same message
        always has the same bytes."""
        seed = self["Message-ID"] or ""
        counter = iter(range(1_000))
        head = [*self.headers, ("MIME-Version", "1.0")]
        return _write(self.root, head, lambda: _boundary(seed, next(counter)))


def _boundary(seed: str, n: int) -> str:
    return "=_djaboo_" + hashlib.sha256(f"{seed}/{n}".encode()).hexdigest()[:28]


def _write(part: Part, extra_headers: list[tuple[str, str]], new_boundary) -> bytes:
    headers = list(extra_headers)
    if part.is_multipart:
        boundary = new_boundary()
        children = [_write(child, [], new_boundary) for child in part.parts]
        # Only a 7bit text can hold a boundary (base64 has no '-' or '_', quoted-printable
        # writes '=' as '=3D'); a body that quotes ours gets the next one.
        while any(boundary.encode("ascii") in child for child in children):
            boundary = new_boundary()
        headers.append(
            ("Content-Type", f"multipart/{part.subtype};\r\n boundary={_quoted_param(boundary)}")
        )
        delimiter = b"--" + boundary.encode("ascii")
        body = b"".join(delimiter + CRLF + child + CRLF for child in children)
        body += delimiter + b"--" + CRLF
    else:
        headers += part.headers
        body = part.body
    head = b"".join(f"{name}: {value}".encode() + CRLF for name, value in headers)
    return head + CRLF + body

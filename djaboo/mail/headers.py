"""Writing address and subject headers by hand, so that folding can never corrupt them.

Python's header folder drops the quotes of a long quoted display name when it folds it
(gh-80222, gh-143935), turning `"(ACME)"` into a comment, and its address parser keeps the
space between two adjacent encoded words of a name (gh-128110), which RFC 2047 says to drop.
So:

- headers are written as these functions return them (mime.py), already folded, never
  refolded; lines stay within 78 characters except for a single word that cannot be broken
  (a very long address);
- a display name that is short printable ASCII is one atom phrase or one quoted-string;
- otherwise it is split at its spaces: plain ASCII words stay words, each run of other words
  becomes RFC 2047 encoded words, so no two encoded words meet across a real space;
- text that a reader would take for an encoded word (`=?utf-8?b?...?=` typed as a name or a
  subject) is itself encoded, so it reads back as typed instead of being decoded;
- the subject is RFC 2047-encoded in the message's charset (ISO-2022-JP stays ISO-2022-JP)
  unless it is plain ASCII;
- every encoded word is at most 75 characters (RFC 2047 section 2), in the message's charset
  when that charset's header form writes the text exactly, else in UTF-8.

Callers have already refused line breaks (message.check_header_value).
"""

from __future__ import annotations

import re
import unicodedata
from email import base64mime, quoprimime
from email.charset import BASE64, SHORTEST, Charset
from types import ModuleType

from djaboo.mail.texts import N_

MAX_LINE = 78  # RFC 5322 2.1.1: lines SHOULD be no longer
MAX_WORD = 75  # RFC 2047 section 2: an encoded word MUST be no longer
LONGEST_PLAIN_WORD = 900  # leaves room on its line within the 998 that RFC 5322 allows
# RFC 5322 "specials": a word holding one of these must be quoted.
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
# Unicode bidirectional controls: in a name they can make a reader see text in another order
# than it was written (an address that seems to be someone else's). No real name needs them.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
BIDI_CONTROLS.update(dict.fromkeys(map(ord, "\u200e\u200f\u061c")))


def strip_bidi(text: str) -> str:
    """text without Unicode bidirectional control characters."""
    return text.translate(BIDI_CONTROLS)


def display_name_problem(name: str) -> str | None:
    """Why a name typed into a form cannot be a display name, else None. `=?` starts an RFC 2047
    encoded word, which mail programs decode into any other text ('=?utf-8?b?...?=' can show
    as a bank's name); no real name holds it. (Built messages encode it; forms refuse it.)"""
    if "=?" in name:
        return N_("Names cannot contain “=?”: mail programs would show other text in its place.")
    return None


def _plain(text: str) -> bool:
    """Printable ASCII that no reader mistakes for an encoded word: may go out as typed."""
    return bool(_PRINTABLE_ASCII.fullmatch(text)) and "=?" not in text


def _quoted(text: str) -> str:
    if not _SPECIALS.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header_encoding(text: str, charset: str) -> tuple[str, str, ModuleType]:
    """(name written in the word, Python codec, B or Q encoder) for text's encoded words: the
    message's charset when its header form writes text exactly (Shift_JIS headers are written
    as ISO-2022-JP, which lacks half-width katakana), else UTF-8."""
    form = Charset(charset if charset.lower() not in ("us-ascii", "ascii") else "utf-8")
    codec = form.output_codec or form.get_output_charset()
    try:
        data = text.encode(codec)
        exact = data.decode(codec) == text
    except (UnicodeError, LookupError):
        exact = False
    if not exact:
        form, codec = Charset("utf-8"), "utf-8"
        data = text.encode(codec)
    # As Python's Charset chooses, except that the word names the charset by its IANA name:
    # Python would write its codec names ("eucgb2312_cn", "big5_tw"), which readers don't know.
    b = form.header_encoding == BASE64 or (
        form.header_encoding == SHORTEST
        and base64mime.header_length(data) < quoprimime.header_length(data)
    )
    return form.get_output_charset(), codec, base64mime if b else quoprimime


def encoded_words(text: str, charset: str, first: int) -> list[str]:
    """text as RFC 2047 encoded words, the first at most `first` characters long (none when
    not one character fits), the others at most MAX_WORD. Each holds whole characters and
    decodes by itself (ISO-2022-JP words end back in ASCII)."""
    label, codec, encoder = _header_encoding(text, charset)

    def encode(chunk: str) -> str:
        return encoder.header_encode(chunk.encode(codec), charset=label)

    words, chunk, limit = [], "", first
    for ch in text:
        if len(encode(chunk + ch)) <= limit:
            chunk += ch
            continue
        if chunk:
            words.append(encode(chunk))
        chunk, limit = ch, MAX_WORD
    return [*words, encode(chunk)] if chunk else words


class _Lines:
    """Words laid out on header lines of at most MAX_LINE characters, folding between words."""

    def __init__(self, used: int):
        self.lines = [""]
        self.used = used  # characters before the value on the current line

    def room(self) -> int:
        line = self.lines[-1]
        return MAX_LINE - self.used - len(line) - (1 if line else 0)

    def add(self, word: str) -> None:
        line = self.lines[-1]
        if line and len(word) > self.room():
            self.lines.append(word)
            self.used = 1  # the space that starts a continuation line
        else:
            self.lines[-1] = f"{line} {word}" if line else word

    def add_encoded(self, text: str, charset: str) -> None:
        """text as encoded words: the first fills the current line, the others MAX_WORD each.
        Each word is whole characters (ISO-2022-JP words end back in ASCII), so each decodes
        by itself and readers join adjacent ones without the space between them."""
        for word in encoded_words(text, charset, min(self.room(), MAX_WORD)):
            self.add(word)

    def value(self) -> str:
        return "\r\n ".join(self.lines)


def _add_phrase(lines: _Lines, name: str, charset: str) -> None:
    quoted = _quoted(name)
    if _plain(name) and len(quoted) <= lines.room():
        lines.add(quoted)
        return
    # A plain word too long for a line stays one word on a line of its own (up to 998 is
    # allowed): as encoded words it would come back with spaces from Python's parser (gh-128110).
    run: list[str] = []
    for token in name.split(" "):
        if _plain(token) and len(_quoted(token)) <= LONGEST_PLAIN_WORD:
            if run:
                lines.add_encoded(" ".join(run), charset)
                run = []
            lines.add(_quoted(token))
        else:
            run.append(token)
    if run:
        lines.add_encoded(" ".join(run), charset)


def clean_name(name: str) -> str:
    """A display name as it is written: whitespace runs made one space, no bidi or other
    control characters (readers flag those even inside encoded words)."""
    name = "".join(c for c in strip_bidi(name) if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(name.split())


def address_header(
    pairs: list[tuple[str, str]], charset: str = "utf-8", header: str = "Reply-To"
) -> str:
    """The value of the header (From, To, Cc or Reply-To) from (display name, addr-spec) pairs,
    one per line.

    The caller has validated and normalized each address and checked each name.
    """
    items = []
    for n, (name, email) in enumerate(pairs):
        lines = _Lines(len(header) + 2 if n == 0 else 1)
        name = clean_name(name)
        comma = "," if n < len(pairs) - 1 else ""
        if name:
            _add_phrase(lines, name, charset)
            lines.add(f"<{email}>{comma}")
        else:
            lines.add(f"{email}{comma}")
        items.append(lines.value())
    return "\r\n ".join(items)


def subject_header(subject: str, charset: str) -> str:
    """Plain ASCII subjects folded at spaces; others as encoded words in the message's charset."""
    subject = subject.strip()
    words = subject.split(" ")
    first_room = MAX_LINE - len("Subject: ")
    if not _plain(subject) or max(map(len, words)) > first_room:
        lines = _Lines(len("Subject: "))
        lines.add_encoded(subject, charset)
        return lines.value()
    # Fold only before a non-empty word after a line that is not all space, so every space of
    # the subject survives unfolding (a fold is CRLF inserted before an existing space).
    out = [words[0]]
    for word in words[1:]:
        room = (first_room if len(out) == 1 else MAX_LINE - 1) - len(out[-1]) - 1
        if word and out[-1].strip() and len(word) > room:
            out.append(word)
        else:
            out[-1] += " " + word
    return "\r\n ".join(out)


# RFC 5322 3.6.4 msg-id, as we write them (no obsolete forms, no comments): "<" dot-atom-text
# "@" (dot-atom-text / no-fold-literal) ">".
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
MSG_ID = re.compile(rf"<{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[\x21-\x5a\x5e-\x7e]*\])>")
MAX_MSG_ID = 250  # what the outbox keeps (its message_id column is 255 long)


def is_msg_id(value: str) -> bool:
    """Whether value is one msg-id (`<left@right>`), nothing around it, of a sane length."""
    return len(value) <= MAX_MSG_ID and bool(MSG_ID.fullmatch(value))


def msg_ids_header(name: str, ids: list[str]) -> str:
    """The value of In-Reply-To or References: msg-ids separated by spaces, folded between
    them. The caller has checked each (is_msg_id); one too long for a line stays whole."""
    lines = _Lines(len(name) + 2)
    for msg_id in ids:
        lines.add(msg_id)
    return lines.value()

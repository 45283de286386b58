"""Writing address and subject headers by hand, so that folding can never corrupt them.

Python's header folder drops the quotes of a long quoted display name when it folds it
(gh-80222, gh-143935), turning `"(ACME)"` into a comment, and its address parser keeps the
space between two adjacent encoded words of a name, which RFC 2047 says to drop. So:

- headers are written as these functions return them (mime.py), already folded where
  folding is safe, never refolded;
- an ASCII display name is one atom phrase or one quoted-string, on one line;
- a non-ASCII name is split at its spaces: ASCII words stay words, each run of non-ASCII
  words becomes RFC 2047 encoded words, so no two encoded words meet across a real space;
- the subject is RFC 2047-encoded in the message's charset (ISO-2022-JP stays ISO-2022-JP).

Callers have already refused line breaks (message.check_header_value).
"""

from __future__ import annotations

import re
from email.header import Header

# RFC 5322 "specials": a word holding one of these must be quoted.
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


def _quoted(text: str) -> str:
    if not _SPECIALS.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _encoded(text: str, charset: str = "utf-8") -> str:
    return Header(text, charset, maxlinelen=76).encode(linesep="\r\n")


def _encoded_in(text: str, charset: str) -> str:
    """Encoded words in the message's charset when it can write them (ISO-2022-JP names for
    Japanese mail), else UTF-8."""
    try:
        text.encode(charset)
    except (UnicodeEncodeError, LookupError):
        charset = "utf-8"
    return _encoded(text, charset)


def display_phrase(name: str, charset: str = "utf-8") -> str:
    name = " ".join(name.split())
    if name.isascii():
        return _quoted(name)
    words: list[str] = []
    run: list[str] = []
    for token in name.split(" "):
        if token.isascii():
            if run:
                words.append(_encoded_in(" ".join(run), charset))
                run = []
            words.append(_quoted(token))
        else:
            run.append(token)
    if run:
        words.append(_encoded_in(" ".join(run), charset))
    return " ".join(words)


def address_header(pairs: list[tuple[str, str]], charset: str = "utf-8") -> str:
    """The value of From, To, Cc or Reply-To from (display name, addr-spec) pairs, one per line.

    The caller has validated and normalized each address and checked each name.
    """
    items = []
    for name, email in pairs:
        phrase = display_phrase(name, charset) if name.strip() else ""
        items.append(f"{phrase} <{email}>" if phrase else email)
    return ",\r\n ".join(items)


def subject_header(subject: str, charset: str) -> str:
    """ASCII subjects folded at spaces; others as encoded words in the message's charset."""
    subject = subject.strip()
    if not subject.isascii():
        return _encoded(subject, charset if charset.lower() != "us-ascii" else "utf-8")
    lines, line = [], ""
    for word in subject.split(" "):
        if line and len(line) + 1 + len(word) > 70:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\r\n ".join(lines)

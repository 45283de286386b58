"""Hiding credentials in whatever a mail server says back.

Some servers repeat the client's AUTH payload in their failure reply ("535 Authentication failed:
AHVzZXIAcGFzc3dvcmQ="), and that reply would otherwise reach the admin's report, the pause banner
(which staff see too), the email log and the database. Every reply is therefore passed through
one Redactor before anything else reads it (see clients/redacted.py).

The password is hidden as plain text and in any base64 (standard or URL-safe) that contains it,
whatever its position in the encoded data: a payload such as "\\0user\\0password" encodes the
password at some byte offset, and for each of the three offsets modulo 3 the password's middle
bytes always give the same characters. A base64 run containing such a fragment is hidden whole.
Payloads we sent that hold no such fragment (a short password, the CRAM-MD5 response) are added
as exact strings. The user name stays readable (it is shown in the settings and the report
anyway); only its base64, which is part of the AUTH LOGIN payload, is hidden.
"""

from __future__ import annotations

import base64
import re

MASK = "[hidden]"
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]+=*")
_URLSAFE = str.maketrans("+/", "-_")
_MIN_FRAGMENT = 4  # shorter fragments would hide innocent words; exact payloads cover them


def base64_fragments(secret: bytes) -> set[str]:
    """Strings that every base64 encoding of data containing `secret` contains, in both
    alphabets, for each of the three alignments."""
    fragments = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + secret).decode()
        # Skip the first group when it mixes in the filler bytes, and the last one when it
        # would mix in whatever follows the secret.
        fragment = encoded[4 if shift else 0 : (shift + len(secret)) // 3 * 4]
        if len(fragment) >= _MIN_FRAGMENT:
            fragments |= {fragment, fragment.translate(_URLSAFE)}
    return fragments


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Redactor:
    """redactor(text) -> text without the credentials it was made for."""

    def __init__(self, username: str = "", password: str = "") -> None:
        self.plain: set[str] = {password} if password else set()
        self.fragments: set[str] = set()
        self.exact: set[str] = set()
        if password:
            user, secret = username.encode(), password.encode()
            self.fragments |= base64_fragments(secret)
            self.add_sent(_b64(secret))
            self.add_sent(_b64(b"\0" + user + b"\0" + secret))
        if username and password:  # AUTH LOGIN sends the user name on its own
            self.fragments |= base64_fragments(username.encode())
            self.add_sent(_b64(username.encode()))

    def add_secret(self, secret: str) -> None:
        """A secret learned after the connection was made (an OAuth access token)."""
        if secret:
            self.plain.add(secret)
            self.fragments |= base64_fragments(secret.encode())

    def add_sent(self, payload: str) -> None:
        """An encoded credential we are about to send (e.g. the CRAM-MD5 response)."""
        self.exact.add(payload.rstrip("="))

    def __call__(self, text: str) -> str:
        if not (self.plain or self.exact):
            return text
        for secret in sorted(self.plain, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return _BASE64_RUN.sub(self._run, text)

    def _run(self, match: re.Match) -> str:
        run = match.group()
        bare = run.rstrip("=")
        if any(bare == e or (len(e) >= _MIN_FRAGMENT and e in run) for e in self.exact) or any(
            f in run for f in self.fragments
        ):
            return MASK
        return run

"""SMTP AUTH (RFC 4954), written once for both engines over their plain command().

Why not the libraries' own login(): smtplib encodes credentials as ASCII, so a password such as
"pässwörd€" raised UnicodeEncodeError before a byte was sent; here both engines send UTF-8
(RFC 4616 for PLAIN; what servers expect for LOGIN and CRAM-MD5). And doing it here means every
encoded credential that goes over the wire is known to the Redactor before the server can echo it.

The order and the fallback are the libraries' (CRAM-MD5, PLAIN, LOGIN; the next mechanism after
a refusal, since some servers offer mechanisms they cannot do).
"""

from __future__ import annotations

import base64
import binascii
import hmac

from djaboo.mail.transports.clients.base import NoAuthMechanism, Reply, SMTPClient
from djaboo.mail.transports.redaction import Redactor

PREFERENCE = ("CRAM-MD5", "PLAIN", "LOGIN")
SUCCESS = (235, 503)  # 503: "already authenticated", as smtplib and aiosmtplib accept it


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def authenticate(
    client: SMTPClient, offered: str, username: str, password: str, redactor: Redactor
) -> tuple[str, Reply]:
    """Log in with the first offered mechanism that works; returns it and the server's reply
    (the last refusal when none worked). NoAuthMechanism when we support none of `offered`."""
    mechanisms = [m for m in PREFERENCE if m in offered.upper().split()]
    if not mechanisms:
        raise NoAuthMechanism()
    user, secret = username.encode("utf-8"), password.encode("utf-8")
    for mechanism in mechanisms:
        reply = _MECHANISMS[mechanism](client, user, secret, redactor)
        if reply[0] == 334:  # still challenging us: give up this mechanism (RFC 4954 "*")
            reply = client.command("*")
        if reply[0] in SUCCESS:
            break
    return mechanism, reply


def xoauth2(client: SMTPClient, mailbox: str, token: str, redactor: Redactor) -> Reply:
    """SMTP AUTH XOAUTH2 (Google's and Microsoft's OAuth 2.0 login): the initial response is
    base64 of "user=<mailbox>^Aauth=Bearer <token>^A^A". The token is hidden before it is sent."""
    payload = _b64(f"user={mailbox}\x01auth=Bearer {token}\x01\x01".encode())
    redactor.add_secret(token)
    redactor.add_sent(payload)
    reply = client.command(f"AUTH XOAUTH2 {payload}")
    if reply[0] == 334:  # the error details (base64 JSON); an empty line ends the exchange
        reply = client.command("")
    return reply


def _plain(client: SMTPClient, user: bytes, secret: bytes, redactor: Redactor) -> Reply:
    payload = _b64(b"\0" + user + b"\0" + secret)
    redactor.add_sent(payload)
    reply = client.command(f"AUTH PLAIN {payload}")
    if reply[0] == 334:  # a server that wants the initial response on a line of its own
        reply = client.command(payload)
    return reply


def _login(client: SMTPClient, user: bytes, secret: bytes, redactor: Redactor) -> Reply:
    reply = client.command(f"AUTH LOGIN {_b64(user)}")
    if reply[0] == 334 and b"user" in _decoded(reply[1]).lower():  # it ignored the user name
        reply = client.command(_b64(user))
    if reply[0] == 334:
        reply = client.command(_b64(secret))
    return reply


def _cram_md5(client: SMTPClient, user: bytes, secret: bytes, redactor: Redactor) -> Reply:
    reply = client.command("AUTH CRAM-MD5")
    if reply[0] != 334:
        return reply
    try:
        challenge = base64.b64decode(reply[1].strip(), validate=True)
    except (binascii.Error, ValueError):
        return reply  # answered with "*" by the caller
    response = _b64(user + b" " + hmac.new(secret, challenge, "md5").hexdigest().encode())
    redactor.add_sent(response)
    return client.command(response)


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return b""


_MECHANISMS = {"CRAM-MD5": _cram_md5, "PLAIN": _plain, "LOGIN": _login}

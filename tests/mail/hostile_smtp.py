"""Real aiosmtpd servers that misbehave in ways the fixture's scripts do not cover: one that
repeats the client's AUTH payload in its 535 reply, one that offers CRAM-MD5, one that demands
STARTTLS before anything else. Import the fixture into the test module that uses it.
"""

from __future__ import annotations

import asyncio
import base64
import hmac

import pytest
from aiosmtpd.smtp import MISSING, AuthResult, LoginPassword

from tests.fixtures.smtp import (
    SMTP_PASSWORD,
    SMTP_USERNAME,
    FixtureController,
    RecordingHandler,
    Script,
    ScriptedSMTP,
    SMTPServer,
)

CRAM_CHALLENGE = b"<1896.697170952@mail.test>"


def b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def leaks(text: str, password: str) -> list[str]:
    """Every form of `password` found in `text`: plain, or inside any base64 run (standard or
    URL-safe, at any alignment), decoded independently of the code under test."""
    import re

    found = [password] if password in text else []
    secret = password.encode()
    for run in re.findall(r"[A-Za-z0-9+/_-]{4,}=*", text):
        for start in range(4):  # a run may begin mid-group when glued to other text
            chunk = run[start:].rstrip("=")
            chunk = chunk[: len(chunk) // 4 * 4]
            for alphabet in (None, b"-_"):
                try:
                    decoded = base64.b64decode(chunk, altchars=alphabet, validate=True)
                except ValueError:
                    continue
                if any(secret[i : i + 6] in decoded for i in range(max(len(secret) - 5, 1))):
                    found.append(run)
    return found


class CramMD5Handler(RecordingHandler):
    """Offers CRAM-MD5 (aiosmtpd has no built-in one) and echoes the response when wrong."""

    password = SMTP_PASSWORD
    echo = True

    async def auth_CRAM__MD5(self, server, args):
        self.auth_attempts.append("CRAM-MD5")
        blob = await server.challenge_auth(CRAM_CHALLENGE)
        if blob is MISSING:
            return AuthResult(success=False, handled=True)
        user, _, digest = blob.rpartition(b" ")
        expected = hmac.new(self.password.encode(), CRAM_CHALLENGE, "md5").hexdigest()
        if hmac.compare_digest(digest, expected.encode()):
            return AuthResult(success=True, auth_data=LoginPassword(user, b""))
        echoed = f" {b64(blob)}" if self.echo else ""
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 Bad{echoed}")


class SlowGreetingController(FixtureController):
    """Greets only after `delay` seconds, as Postfix postscreen's greet pause does."""

    delay = 0.0

    def factory(self):
        controller = self

        class SlowGreeting(ScriptedSMTP):
            async def _handle_client(self):
                await asyncio.sleep(controller.delay)
                await super()._handle_client()

        return SlowGreeting(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def hostile_smtp(tls_ca, server_ssl_context, network_guard):
    """hostile_smtp(echo=True, password=..., require_starttls=False, cram_md5=False,
    exclude=(), auth_require_tls=True, greet_delay=0) -> SMTPServer: STARTTLS with the trusted
    test CA and AUTH required."""
    started: list[FixtureController] = []

    def start(
        *,
        echo: bool = True,
        password: str = SMTP_PASSWORD,
        require_starttls: bool = False,
        cram_md5: bool = False,
        exclude: tuple[str, ...] = (),
        auth_require_tls: bool = True,
        greet_delay: float = 0.0,
    ) -> SMTPServer:
        handler = CramMD5Handler(Script()) if cram_md5 else RecordingHandler(Script())
        handler.password = password

        def authenticator(server, session, envelope, mechanism, auth_data):
            handler.auth_attempts.append(mechanism)
            login, secret = auth_data.login, auth_data.password
            if login == SMTP_USERNAME.encode() and secret == password.encode():
                return AuthResult(success=True, handled=False, auth_data=auth_data)
            # What a careless server logs back: the payload as it came, and decoded.
            sent = b64(b"\0" + login + b"\0" + secret) if mechanism == "PLAIN" else b64(secret)
            words = f"{sent} for {login.decode()}:{secret.decode()}" if echo else ""
            return AuthResult(
                success=False, handled=False, message=f"535 5.7.8 Authentication failed: {words}"
            )

        controller = SlowGreetingController(
            handler,
            decode_data=False,
            enable_SMTPUTF8=True,  # lets it echo a non-ASCII password as it is
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=auth_require_tls,
            auth_exclude_mechanism=list(exclude),
            tls_context=server_ssl_context,
            require_starttls=require_starttls,
        )
        controller.start()
        controller.delay = greet_delay  # not for start()'s own trial connection
        started.append(controller)
        return SMTPServer("127.0.0.1", controller.port, "starttls", handler, tls_ca, controller)

    yield start
    for controller in started:
        controller.stop()

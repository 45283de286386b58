"""Opening an SMTP session, once for both engines: resolve, connect, TLS, EHLO, STARTTLS, AUTH.

Each step is traced for the admin's report and every failure becomes a typed MailError whose
sentence says what to change. Credentials never travel before TLS is up and verified (unless the
admin explicitly allowed login without encryption), and never to an address the host policy
refuses.
"""

from __future__ import annotations

import ssl

from djaboo.mail import tls
from djaboo.mail.errors import ConfigurationError, MailError, TransientError, error_for_reply
from djaboo.mail.host_policy import permitted_addresses
from djaboo.mail.transports.auth import authenticate, xoauth2
from djaboo.mail.transports.base import Transport
from djaboo.mail.transports.clients import make_client
from djaboo.mail.transports.clients.base import (
    ConnectionLost,
    NoAuthMechanism,
    NoGreeting,
    SMTPClient,
)
from djaboo.mail.transports.clients.redacted import RedactedClient
from djaboo.mail.transports.deadline import deadline
from djaboo.mail.transports.redaction import Redactor
from djaboo.mail.transports.smtp_probe import (
    GREETING_PATIENCE,
    tls_first_certificate,
    untrusted_certificate_error,
)

PAIRING_HINT = {
    465: "Port 465 speaks TLS from the first byte: choose SSL for port 465.",
    587: "Port 587 starts in plain text and upgrades with STARTTLS: choose TLS for port 587.",
    25: "Port 25 starts in plain text: choose TLS (STARTTLS) or None for port 25.",
}


class SMTPConnection(Transport):
    """The connection half of SMTPTransport (see smtp.py for the envelope half)."""

    client: SMTPClient | None = None
    connecting: SMTPClient | None = None  # the client still reading its greeting
    secure = False
    address = ""

    # -- connection -------------------------------------------------------------------------
    def open(self) -> None:
        if self.client is not None:
            return
        s = self.settings
        # Made before the first byte: every reply of this connection passes through it.
        self.redactor = Redactor(s.username, s.password)
        addresses = permitted_addresses(s.host, s.port, s.host_policy)
        self.trace.add("Resolve", True, f"{s.host} → {', '.join(map(str, addresses))}")
        try:
            with deadline(s.deadline, self.interrupt) as overdue:
                try:
                    self._connect(addresses)
                    self._ehlo()
                    if s.encryption == "tls":
                        self._starttls()
                    if s.password or s.token_provider:
                        self._login()
                except (ConnectionLost, TransientError, TimeoutError, OSError):
                    if overdue.fired:
                        raise self._overdue("Connecting") from None
                    raise
                if overdue.fired:  # it fired just as the last step ended: start afresh
                    raise self._overdue("Connecting")
        except BaseException:
            self.close()
            raise

    def interrupt(self) -> None:
        """From the deadline's watchdog: fail whatever this connection is waiting for."""
        for client in (self.client, self.connecting):
            if client is not None:
                client.interrupt()

    def _overdue(self, what: str) -> TransientError:
        self.trace.add(what, False, f"not done within {self.settings.deadline:g} seconds")
        return TransientError(
            f"{what} to {self.settings.host}:{self.settings.port} took longer than "
            f"{self.settings.deadline:g} seconds.",
            hint="The server is very slow or hanging; we will try again later.",
        )

    def _client(self, address: str, implicit, patience: float | None):
        client = RedactedClient(
            make_client(self.settings.engine, self.settings.timeout, self.settings.local_hostname),
            self.redactor,
        )
        s = self.settings
        self.connecting = client
        try:
            return client, client.connect(address, s.port, s.host, implicit, patience)
        except BaseException:
            client.abort()
            raise
        finally:
            self.connecting = None

    def _connect(self, addresses) -> None:
        s = self.settings
        implicit = tls.client_context(s.pinned_sha256) if s.encryption == "ssl" else None
        patience = GREETING_PATIENCE if implicit is None and s.timeout > GREETING_PATIENCE else None
        last_error: MailError | None = None
        for address in map(str, addresses):
            try:
                try:
                    client, (code, reply) = self._client(address, implicit, patience)
                except NoGreeting:
                    if patience is None:
                        raise
                    self._refuse_if_tls_first(address)
                    client, (code, reply) = self._client(address, implicit, None)  # a slow one
            except ssl.SSLCertVerificationError as exc:
                raise self._untrusted(exc, address, starttls=False) from None
            except ssl.SSLError:
                raise ConfigurationError(
                    f"The server at {s.host}:{s.port} does not speak TLS from the first byte.",
                    hint=PAIRING_HINT.get(s.port, "Choose TLS (STARTTLS) or None for this port."),
                ) from None
            except ConnectionRefusedError:
                last_error = TransientError(
                    f"Nothing accepts connections on {s.host}:{s.port} ({address}).",
                    hint="Check SMTP Host and SMTP Port, and that the server is running.",
                )
                continue
            except (TimeoutError, ConnectionLost):
                hint = "Check SMTP Host and SMTP Port; a firewall may drop the connection."
                if s.encryption != "ssl":
                    hint += (
                        " If this server speaks TLS from the first byte (as on port 465), "
                        "choose SSL."
                    )
                last_error = TransientError(
                    f"{s.host}:{s.port} did not answer within {s.timeout:g} seconds.", hint=hint
                )
                continue
            except OSError as exc:
                last_error = TransientError(
                    f"Could not connect to {s.host}:{s.port}: {exc.strerror or exc}."
                )
                continue
            self.client, self.address = client, address
            self.trace.add("Connect", True, f"connected to {address} port {s.port}")
            if implicit is not None:
                self._verified_tls()
            self._greeting(code, reply)
            return
        self.trace.add("Connect", False, str(last_error))
        raise last_error

    def _refuse_if_tls_first(self, address: str) -> None:
        """No greeting yet: a server waiting for our TLS ClientHello is told apart from a slow
        one by a TLS handshake on a connection of its own."""
        s = self.settings
        seen = tls_first_certificate(address, s.port, s.host)
        if seen is None:
            return
        self.trace.add(
            "Greeting",
            False,
            f"no greeting within {GREETING_PATIENCE:g} seconds, but the port answers a TLS "
            f"handshake ({seen.describe()})",
        )
        raise ConfigurationError(
            f"The server at {s.host}:{s.port} sends no greeting in plain text: it waits for "
            "a TLS handshake. This port expects SSL (implicit TLS).",
            hint="Choose SSL as Email Encryption for this port.",
        )

    def _greeting(self, code: int, reply: str) -> None:
        if code == 220:
            self.trace.add("Greeting", True, f"{code} {reply}")
            return
        self.trace.add("Greeting", False, f"{code} {reply}" if code > 0 else "(not SMTP)")
        if code < 0:  # an HTTP or database server, say: never echo what it sent
            raise ConfigurationError(
                f"The server at {self.settings.host}:{self.settings.port} did not answer as an "
                "SMTP server.",
                hint="Check SMTP Host and SMTP Port.",
            )
        raise error_for_reply(
            code,
            reply,
            "The server refused the connection.",
            hint="It may be busy; we will try again later.",
        )

    def _ehlo(self) -> None:
        code, reply = self.client.ehlo()
        if code != 250:
            self.trace.add("EHLO", False, f"{code} {reply}")
            raise error_for_reply(code, reply, "The server refused our EHLO greeting.")
        offered = ", ".join(
            k.upper() + (f" {v}" if v else "") for k, v in self.client.features.items()
        )
        self.trace.add("EHLO", True, f"{code}; offers: {offered or 'nothing'}")

    def _starttls(self) -> None:
        s = self.settings
        if "starttls" not in self.client.features:
            self.trace.add("STARTTLS", False, "not offered")
            what = "your password" if s.password else "your mail"
            raise ConfigurationError(
                f"The server offered no STARTTLS: we will not send {what} in clear.",
                hint=PAIRING_HINT.get(s.port, "")
                or "Choose SSL if the server speaks TLS from "
                "the first byte, or None only for a trusted internal relay.",
            )
        context = tls.client_context(s.pinned_sha256)
        try:
            code, reply = self.client.starttls(context, s.host)
        except ssl.SSLCertVerificationError as exc:
            raise self._untrusted(exc, self.address, starttls=True) from None
        except (ssl.SSLError, ConnectionLost, OSError) as exc:
            raise TransientError(f"The TLS handshake with {s.host} failed ({exc}).") from None
        if code != 220:
            self.trace.add("STARTTLS", False, f"{code} {reply}")
            raise ConfigurationError(
                f"The server refused STARTTLS ({code} {reply}); we will not continue "
                "without encryption.",
                hint="Ask your mail provider, or choose SSL on port 465.",
            )
        self.trace.add("STARTTLS", True, f"{code} {reply}")
        self._verified_tls()
        self._ehlo()

    def _verified_tls(self) -> None:
        der = self.client.peer_certificate()
        if self.settings.pinned_sha256:
            tls.check_pin(der, self.settings.pinned_sha256)
        info = tls.certificate_info(der) if der else None
        how = "pinned fingerprint matches" if self.settings.pinned_sha256 else "trusted"
        self.trace.add("TLS", True, f"{how}; {info.describe()}" if info else how)
        self.secure = True

    def _untrusted(
        self, exc: ssl.SSLCertVerificationError, address: str, *, starttls: bool
    ) -> MailError:
        error, detail = untrusted_certificate_error(self.settings, exc, address, starttls=starttls)
        self.trace.add("TLS", False, detail)
        return error

    def _needs_starttls(self, reply: str = "") -> bool:
        """Encryption None on a server that offers (or asks for) STARTTLS."""
        return not self.secure and (
            "starttls" in self.client.features or "starttls" in reply.lower()
        )

    def _choose_tls(self, what: str, code: int | None = None, reply: str = "") -> MailError:
        return ConfigurationError(
            f"{what} The server asks for encryption with STARTTLS first, and Email Encryption "
            "is None.",
            hint="Choose TLS as Email Encryption (STARTTLS, usually on port 587).",
            smtp_code=code,
            server_reply=reply or None,
        )

    def _login(self) -> None:
        s = self.settings
        features = self.client.features
        if not self.secure and not s.allow_insecure_auth:
            if self._needs_starttls():
                raise self._choose_tls("Login without encryption is refused.")
            raise ConfigurationError(
                "Login over an unencrypted connection is refused: the password would travel "
                "in clear.",
                hint='Choose SSL (465) or TLS (587); tick "Allow login without '
                'encryption" only for a trusted internal relay.',
            )
        if "auth" not in features:
            self.trace.add("AUTH", False, "the server offers no AUTH on this connection")
            if self._needs_starttls():
                raise self._choose_tls("The server offers login (AUTH) only after STARTTLS.")
            raise ConfigurationError(
                "The server offers no login (AUTH) on this connection.",
                hint="Many servers offer AUTH only after STARTTLS: choose TLS or SSL. If the "
                "server needs no login, leave SMTP Username and SMTP Password empty.",
            )
        offered = features["auth"].upper()
        if s.token_provider is not None:
            return self._oauth_login(offered)
        try:
            mechanism, (code, reply) = authenticate(
                self.client, offered, s.username, s.password, self.redactor
            )
        except NoAuthMechanism:
            self.trace.add("AUTH", False, f"offers {offered}; we support PLAIN, LOGIN, CRAM-MD5")
            raise ConfigurationError(
                f"The server offers no login method we support ({offered})."
            ) from None
        except ConnectionLost:
            raise TransientError("The server closed the connection during login.") from None
        if code in (235, 503):
            self.trace.add(
                "AUTH", True, f"{mechanism} as {s.username} (credentials hidden): {code} {reply}"
            )
            return
        self.trace.add("AUTH", False, f"{mechanism} as {s.username}: {code} {reply}")
        if code in (530, 538) and self._needs_starttls(reply):
            raise self._choose_tls("The server refused the login.", code, reply)
        if 400 <= code < 500:
            raise TransientError(
                "The server could not check the login right now.",
                smtp_code=code,
                server_reply=reply,
            )
        raise ConfigurationError(
            "Authentication failed: the server refused the username or password.",
            hint="Check SMTP Username (Exchange: the user name; otherwise usually the full "
            "email address) and SMTP Password. Gmail, Yahoo and iCloud need an app password.",
            smtp_code=code,
            server_reply=reply,
        )

    def _oauth_login(self, offered: str) -> None:
        """AUTH XOAUTH2 with the current access token; on a refusal, once more with a token
        refreshed just now (it may have been revoked or expired early)."""
        s = self.settings
        if "XOAUTH2" not in offered.split():
            self.trace.add("AUTH", False, f"offers {offered}; OAuth needs XOAUTH2")
            raise ConfigurationError(
                f"The server offers no OAuth login (XOAUTH2), only {offered}.",
                hint="Check SMTP Host: smtp.office365.com for Microsoft 365, smtp.gmail.com "
                "for Google.",
            )
        for refreshed in (False, True):
            token = s.token_provider(refreshed)
            try:
                code, reply = xoauth2(self.client, s.username, token, self.redactor)
            except ConnectionLost:
                raise TransientError("The server closed the connection during login.") from None
            if code in (235, 503):
                self.trace.add(
                    "AUTH", True, f"AUTH XOAUTH2 as {s.username} (token hidden): {code} {reply}"
                )
                return
            self.trace.add(
                "AUTH", False, f"AUTH XOAUTH2 as {s.username} (token hidden): {code} {reply}"
            )
            if 400 <= code < 500:
                raise TransientError(
                    "The server could not check the login right now.",
                    smtp_code=code,
                    server_reply=reply,
                )
        raise ConfigurationError(
            f"The server refused the OAuth login as {s.username}.",
            hint="The connected mailbox must be allowed to send with SMTP (Microsoft 365: "
            "Authenticated SMTP enabled for the mailbox). Reconnect it in Settings → Email.",
            smtp_code=code,
            server_reply=reply,
        )

    def close(self) -> None:
        if self.client is not None:
            self.client.quit()
            self.client = None
        self.secure = False

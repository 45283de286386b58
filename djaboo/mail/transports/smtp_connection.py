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
from djaboo.mail.texts import N_
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
    465: N_("Port 465 speaks TLS from the first byte: choose SSL for port 465."),
    587: N_("Port 587 starts in plain text and upgrades with STARTTLS: choose TLS for port 587."),
    25: N_("Port 25 starts in plain text: choose TLS (STARTTLS) or None for port 25."),
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
                        raise self._overdue() from None
                    raise
                if overdue.fired:  # it fired just as the last step ended: start afresh
                    raise self._overdue()
        except BaseException:
            self.close()
            raise

    def interrupt(self) -> None:
        """From the deadline's watchdog: fail whatever this connection is waiting for."""
        for client in (self.client, self.connecting):
            if client is not None:
                client.interrupt()

    def _overdue(self) -> TransientError:
        s = self.settings
        seconds = f"{s.deadline:g}"
        self.trace.add(
            "Connecting", False, N_("not done within %(seconds)s seconds"), seconds=seconds
        )
        return TransientError(
            N_("Connecting to %(host)s:%(port)s took longer than %(seconds)s seconds."),
            params={"host": s.host, "port": s.port, "seconds": seconds},
            hint=N_("The server is very slow or hanging; we will try again later."),
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
                    N_("The server at %(host)s:%(port)s does not speak TLS from the first byte."),
                    params={"host": s.host, "port": s.port},
                    hint=PAIRING_HINT.get(
                        s.port, N_("Choose TLS (STARTTLS) or None for this port.")
                    ),
                ) from None
            except ConnectionRefusedError:
                last_error = TransientError(
                    N_("Nothing accepts connections on %(host)s:%(port)s (%(address)s)."),
                    params={"host": s.host, "port": s.port, "address": address},
                    hint=N_("Check SMTP Host and SMTP Port, and that the server is running."),
                )
                continue
            except (TimeoutError, ConnectionLost):
                hint = [N_("Check SMTP Host and SMTP Port; a firewall may drop the connection.")]
                if s.encryption != "ssl":
                    hint.append(
                        N_(
                            "If this server speaks TLS from the first byte (as on port 465), "
                            "choose SSL."
                        )
                    )
                last_error = TransientError(
                    N_("%(host)s:%(port)s did not answer within %(seconds)s seconds."),
                    params={"host": s.host, "port": s.port, "seconds": f"{s.timeout:g}"},
                    hint=hint,
                )
                continue
            except OSError as exc:
                last_error = TransientError(
                    N_("Could not connect to %(host)s:%(port)s: %(error)s."),
                    params={"host": s.host, "port": s.port, "error": str(exc.strerror or exc)},
                )
                continue
            self.client, self.address = client, address
            self.trace.add(
                "Connect",
                True,
                N_("connected to %(address)s port %(port)s"),
                address=address,
                port=s.port,
            )
            if implicit is not None:
                self._verified_tls()
            self._greeting(code, reply)
            return
        self.trace.add_error("Connect", last_error)
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
            N_(
                "no greeting within %(seconds)s seconds, but the port answers a TLS "
                "handshake (%(certificate)s)"
            ),
            seconds=f"{GREETING_PATIENCE:g}",
            certificate=seen.describe(),
        )
        raise ConfigurationError(
            N_(
                "The server at %(host)s:%(port)s sends no greeting in plain text: it waits for "
                "a TLS handshake. This port expects SSL (implicit TLS)."
            ),
            params={"host": s.host, "port": s.port},
            hint=N_("Choose SSL as Email Encryption for this port."),
        )

    def _greeting(self, code: int, reply: str) -> None:
        if code == 220:
            self.trace.add("Greeting", True, f"{code} {reply}")
            return
        self.trace.add("Greeting", False, f"{code} {reply}" if code > 0 else N_("(not SMTP)"))
        if code < 0:  # an HTTP or database server, say: never echo what it sent
            raise ConfigurationError(
                N_("The server at %(host)s:%(port)s did not answer as an SMTP server."),
                params={"host": self.settings.host, "port": self.settings.port},
                hint=N_("Check SMTP Host and SMTP Port."),
            )
        raise error_for_reply(
            code,
            reply,
            N_("The server refused the connection."),
            hint=N_("It may be busy; we will try again later."),
        )

    def _ehlo(self) -> None:
        code, reply = self.client.ehlo()
        if code != 250:
            self.trace.add("EHLO", False, f"{code} {reply}")
            raise error_for_reply(code, reply, N_("The server refused our EHLO greeting."))
        offered = ", ".join(
            k.upper() + (f" {v}" if v else "") for k, v in self.client.features.items()
        )
        if offered:
            self.trace.add(
                "EHLO", True, N_("%(code)s; offers: %(offered)s"), code=code, offered=offered
            )
        else:
            self.trace.add("EHLO", True, N_("%(code)s; offers: nothing"), code=code)

    def _starttls(self) -> None:
        s = self.settings
        if "starttls" not in self.client.features:
            self.trace.add("STARTTLS", False, N_("not offered"))
            raise ConfigurationError(
                N_("The server offered no STARTTLS: we will not send your password in clear.")
                if s.password
                else N_("The server offered no STARTTLS: we will not send your mail in clear."),
                hint=PAIRING_HINT.get(s.port, "")
                or N_(
                    "Choose SSL if the server speaks TLS from the first byte, or None only for "
                    "a trusted internal relay."
                ),
            )
        context = tls.client_context(s.pinned_sha256)
        try:
            code, reply = self.client.starttls(context, s.host)
        except ssl.SSLCertVerificationError as exc:
            raise self._untrusted(exc, self.address, starttls=True) from None
        except (ssl.SSLError, ConnectionLost, OSError) as exc:
            raise TransientError(
                N_("The TLS handshake with %(host)s failed (%(error)s)."),
                params={"host": s.host, "error": str(exc)},
            ) from None
        if code != 220:
            self.trace.add("STARTTLS", False, f"{code} {reply}")
            raise ConfigurationError(
                N_(
                    "The server refused STARTTLS (%(reply)s); we will not continue without "
                    "encryption."
                ),
                params={"reply": f"{code} {reply}"},
                hint=N_("Ask your mail provider, or choose SSL on port 465."),
            )
        self.trace.add("STARTTLS", True, f"{code} {reply}")
        self._verified_tls()
        self._ehlo()

    def _verified_tls(self) -> None:
        der = self.client.peer_certificate()
        if self.settings.pinned_sha256:
            tls.check_pin(der, self.settings.pinned_sha256)
        info = tls.certificate_info(der) if der else None
        if self.settings.pinned_sha256:
            how = N_("pinned fingerprint matches")
            described = N_("pinned fingerprint matches; %(certificate)s")
        else:
            how, described = N_("trusted"), N_("trusted; %(certificate)s")
        if info:
            self.trace.add("TLS", True, described, certificate=info.describe())
        else:
            self.trace.add("TLS", True, how)
        self.secure = True

    def _untrusted(
        self, exc: ssl.SSLCertVerificationError, address: str, *, starttls: bool
    ) -> MailError:
        error, detail = untrusted_certificate_error(self.settings, exc, address, starttls=starttls)
        self.trace.add("TLS", False, detail.msgid, **detail.params)
        return error

    def _needs_starttls(self, reply: str = "") -> bool:
        """Encryption None on a server that offers (or asks for) STARTTLS."""
        return not self.secure and (
            "starttls" in self.client.features or "starttls" in reply.lower()
        )

    def _choose_tls(self, what: str, code: int | None = None, reply: str = "") -> MailError:
        return ConfigurationError(
            [
                what,
                N_(
                    "The server asks for encryption with STARTTLS first, and Email Encryption "
                    "is None."
                ),
            ],
            hint=N_("Choose TLS as Email Encryption (STARTTLS, usually on port 587)."),
            smtp_code=code,
            server_reply=reply or None,
        )

    def _login(self) -> None:
        s = self.settings
        features = self.client.features
        if not self.secure and not s.allow_insecure_auth:
            if self._needs_starttls():
                raise self._choose_tls(N_("Login without encryption is refused."))
            raise ConfigurationError(
                N_(
                    "Login over an unencrypted connection is refused: the password would "
                    "travel in clear."
                ),
                hint=N_(
                    'Choose SSL (465) or TLS (587); tick "Allow login without encryption" '
                    "only for a trusted internal relay."
                ),
            )
        if "auth" not in features:
            self.trace.add("AUTH", False, N_("the server offers no AUTH on this connection"))
            if self._needs_starttls():
                raise self._choose_tls(N_("The server offers login (AUTH) only after STARTTLS."))
            raise ConfigurationError(
                N_("The server offers no login (AUTH) on this connection."),
                hint=N_(
                    "Many servers offer AUTH only after STARTTLS: choose TLS or SSL. If the "
                    "server needs no login, leave SMTP Username and SMTP Password empty."
                ),
            )
        offered = features["auth"].upper()
        if s.token_provider is not None:
            return self._oauth_login(offered)
        try:
            mechanism, (code, reply) = authenticate(
                self.client, offered, s.username, s.password, self.redactor
            )
        except NoAuthMechanism:
            self.trace.add(
                "AUTH",
                False,
                N_("offers %(offered)s; we support PLAIN, LOGIN, CRAM-MD5"),
                offered=offered,
            )
            raise ConfigurationError(
                N_("The server offers no login method we support (%(offered)s)."),
                params={"offered": offered},
            ) from None
        except ConnectionLost:
            raise TransientError(N_("The server closed the connection during login.")) from None
        said = f"{code} {reply}"
        if code in (235, 503):
            self.trace.add(
                "AUTH",
                True,
                N_("%(mechanism)s as %(username)s (credentials hidden): %(reply)s"),
                mechanism=mechanism,
                username=s.username,
                reply=said,
            )
            return
        self.trace.add(
            "AUTH",
            False,
            N_("%(mechanism)s as %(username)s: %(reply)s"),
            mechanism=mechanism,
            username=s.username,
            reply=said,
        )
        if code in (530, 538) and self._needs_starttls(reply):
            raise self._choose_tls(N_("The server refused the login."), code, reply)
        if 400 <= code < 500:
            raise _login_unavailable(code, reply)
        raise ConfigurationError(
            N_("Authentication failed: the server refused the username or password."),
            hint=N_(
                "Check SMTP Username (Exchange: the user name; otherwise usually the full "
                "email address) and SMTP Password. Gmail, Yahoo and iCloud need an app password."
            ),
            smtp_code=code,
            server_reply=reply,
        )

    def _oauth_login(self, offered: str) -> None:
        """AUTH XOAUTH2 with the current access token; on a refusal, once more with a token
        refreshed just now (it may have been revoked or expired early)."""
        s = self.settings
        if "XOAUTH2" not in offered.split():
            self.trace.add(
                "AUTH", False, N_("offers %(offered)s; OAuth needs XOAUTH2"), offered=offered
            )
            raise ConfigurationError(
                N_("The server offers no OAuth login (XOAUTH2), only %(offered)s."),
                params={"offered": offered},
                hint=N_(
                    "Check SMTP Host: smtp.office365.com for Microsoft 365, smtp.gmail.com "
                    "for Google."
                ),
            )
        for refreshed in (False, True):
            token = s.token_provider(refreshed)
            try:
                code, reply = xoauth2(self.client, s.username, token, self.redactor)
            except ConnectionLost:
                raise TransientError(N_("The server closed the connection during login.")) from None
            self.trace.add(
                "AUTH",
                code in (235, 503),
                N_("AUTH XOAUTH2 as %(mailbox)s (token hidden): %(reply)s"),
                mailbox=s.username,
                reply=f"{code} {reply}",
            )
            if code in (235, 503):
                return
            if 400 <= code < 500:
                raise _login_unavailable(code, reply)
        raise ConfigurationError(
            N_("The server refused the OAuth login as %(mailbox)s."),
            params={"mailbox": s.username},
            hint=N_(
                "The connected mailbox must be allowed to send with SMTP (Microsoft 365: "
                "Authenticated SMTP enabled for the mailbox). Reconnect it in Settings → Email."
            ),
            smtp_code=code,
            server_reply=reply,
        )

    def close(self) -> None:
        if self.client is not None:
            self.client.quit()
            self.client = None
        self.secure = False


def _login_unavailable(code: int, reply: str) -> TransientError:
    """A 4xx answer to AUTH (password or XOAUTH2): the server cannot check it now; try later."""
    return TransientError(
        N_("The server could not check the login right now."), smtp_code=code, server_reply=reply
    )

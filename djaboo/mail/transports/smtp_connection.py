"""Opening an SMTP session, once for both engines: resolve, connect, TLS, EHLO, STARTTLS, AUTH.

Each step is traced for the admin's report and every failure becomes a typed MailError whose
sentence says what to change. Credentials never travel before TLS is up and verified (unless the
admin explicitly allowed login without encryption), and never to an address the host policy
refuses.
"""

from __future__ import annotations

import socket
import ssl

from djaboo.mail import tls
from djaboo.mail.errors import ConfigurationError, MailError, TransientError, error_for_reply
from djaboo.mail.host_policy import permitted_addresses
from djaboo.mail.transports.base import Transport
from djaboo.mail.transports.clients import make_client
from djaboo.mail.transports.clients.base import ConnectionLost, NoAuthMechanism, SMTPClient

PAIRING_HINT = {
    465: "Port 465 speaks TLS from the first byte: choose SSL for port 465.",
    587: "Port 587 starts in plain text and upgrades with STARTTLS: choose TLS for port 587.",
    25: "Port 25 starts in plain text: choose TLS (STARTTLS) or None for port 25.",
}


class SMTPConnection(Transport):
    """The connection half of SMTPTransport (see smtp.py for the envelope half)."""

    client: SMTPClient | None = None
    secure = False

    # -- connection -------------------------------------------------------------------------
    def open(self) -> None:
        if self.client is not None:
            return
        s = self.settings
        addresses = permitted_addresses(s.host, s.port, s.host_policy)
        self.trace.add("Resolve", True, f"{s.host} → {', '.join(map(str, addresses))}")
        try:
            self._connect(addresses)
            self._ehlo()
            if s.encryption == "tls":
                self._starttls()
            if s.password:
                self._login()
        except BaseException:
            self.close()
            raise

    def _connect(self, addresses) -> None:
        s = self.settings
        implicit = tls.client_context(s.pinned_sha256) if s.encryption == "ssl" else None
        last_error: MailError | None = None
        for address in addresses:
            client = make_client(s.engine, s.timeout, s.local_hostname)
            try:
                code, reply = client.connect(str(address), s.port, s.host, implicit)
            except ssl.SSLCertVerificationError as exc:
                client.abort()
                raise self._untrusted(exc, str(address)) from None
            except ssl.SSLError:
                client.abort()
                raise ConfigurationError(
                    f"The server at {s.host}:{s.port} does not speak TLS from the first byte.",
                    hint=PAIRING_HINT.get(s.port, "Choose TLS (STARTTLS) or None for this port."),
                ) from None
            except ConnectionRefusedError:
                client.abort()
                last_error = TransientError(
                    f"Nothing accepts connections on {s.host}:{s.port} ({address}).",
                    hint="Check SMTP Host and SMTP Port, and that the server is running.",
                )
                continue
            except (TimeoutError, ConnectionLost):
                client.abort()
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
                client.abort()
                last_error = TransientError(
                    f"Could not connect to {s.host}:{s.port}: {exc.strerror or exc}."
                )
                continue
            self.client = client
            self.trace.add("Connect", True, f"connected to {address} port {s.port}")
            if implicit is not None:
                self._verified_tls()
            self._greeting(code, reply)
            return
        self.trace.add("Connect", False, str(last_error))
        raise last_error

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
            raise self._untrusted(exc, None) from None
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

    def _untrusted(self, exc: ssl.SSLCertVerificationError, address: str | None) -> MailError:
        s = self.settings
        seen = None
        if address:  # implicit TLS: a fresh handshake only, to show what the server presented
            seen = tls.fetch_untrusted_certificate(
                lambda: socket.create_connection((address, s.port), s.timeout), s.host
            )
        reason = exc.verify_message or str(exc)
        detail = f" It presented a {seen.describe()}." if seen else ""
        self.trace.add("TLS", False, f"certificate is not trusted: {reason}.{detail}")
        return ConfigurationError(
            f"The certificate of {s.host} is not trusted ({reason}).{detail}",
            hint="If the name does not match, use the host name the certificate is for. If the "
            "server uses a private CA, add it to the system trust store (or SSL_CERT_FILE). If "
            "you trust this self-signed server, pin its SHA-256 fingerprint.",
        )

    def _login(self) -> None:
        s = self.settings
        if not self.secure and not s.allow_insecure_auth:
            raise ConfigurationError(
                "Login over an unencrypted connection is refused: the password would travel "
                "in clear.",
                hint='Choose SSL (465) or TLS (587); tick "Allow login without '
                'encryption" only for a trusted internal relay.',
            )
        if "auth" not in self.client.features:
            self.trace.add("AUTH", False, "the server offers no AUTH on this connection")
            raise ConfigurationError(
                "The server offers no login (AUTH) on this connection.",
                hint="Many servers offer AUTH only after STARTTLS: choose TLS or SSL. If the "
                "server needs no login, leave SMTP Username and SMTP Password empty.",
            )
        mechanisms = self.client.features["auth"].upper()
        try:
            code, reply = self.client.login(s.username, s.password)
        except NoAuthMechanism:
            raise ConfigurationError(
                f"The server offers no login method we support ({mechanisms})."
            ) from None
        except ConnectionLost:
            raise TransientError("The server closed the connection during login.") from None
        if code == 235:
            self.trace.add(
                "AUTH", True, f"{mechanisms} as {s.username} (credentials hidden): {code} {reply}"
            )
            return
        self.trace.add("AUTH", False, f"{code} {reply}")
        if code == 454 or 400 <= code < 500:
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

    def close(self) -> None:
        if self.client is not None:
            self.client.quit()
            self.client = None
        self.secure = False

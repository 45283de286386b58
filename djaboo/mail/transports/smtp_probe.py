"""Second looks at a server that failed in a way whose advice depends on what it really is.

Each probe uses a fresh connection of its own and sends no credential: only a TLS handshake,
or greeting, EHLO and STARTTLS. What it learns is shown to the admin, never trusted.
"""

from __future__ import annotations

import socket
import ssl

from djaboo.mail import tls
from djaboo.mail.errors import ConfigurationError
from djaboo.mail.texts import N_, Line
from djaboo.mail.transports.base import TransportSettings
from djaboo.mail.transports.clients import make_client
from djaboo.mail.transports.clients.base import ConnectionLost

# An SMTP server greets at once; one that waits this long may be waiting for a TLS ClientHello
# (implicit TLS, port 465 style). Servers that delay their greeting on purpose (Postfix
# postscreen, greet pause) are given the full timeout on a second try.
GREETING_PATIENCE = 3.0
PROBE_TIMEOUT = 3.0


def tls_first_certificate(address: str, port: int, host: str) -> tls.CertificateInfo | None:
    """The certificate a server presents when spoken to in TLS from the first byte, or None
    when it does not answer a TLS handshake."""
    return tls.fetch_untrusted_certificate(
        lambda: socket.create_connection((address, port), PROBE_TIMEOUT), host
    )


def starttls_certificate(settings: TransportSettings, address: str) -> tls.CertificateInfo | None:
    """The certificate a server presents after STARTTLS, or None when that cannot be seen."""
    # Not verified: this only reads what the server shows so the admin can judge (and pin) it.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = make_client(settings.engine, min(settings.timeout, 10.0), settings.local_hostname)
    try:
        if client.connect(address, settings.port, settings.host, None)[0] != 220:
            return None
        if client.ehlo()[0] != 250 or client.starttls(context, settings.host)[0] != 220:
            return None
        der = client.peer_certificate()
    except (ConnectionLost, OSError, ssl.SSLError):
        return None
    finally:
        client.abort()
    return tls.certificate_info(der) if der else None


def untrusted_certificate_error(
    settings: TransportSettings, exc: ssl.SSLCertVerificationError, address: str, *, starttls: bool
) -> tuple[ConfigurationError, Line]:
    """What to tell the admin about a certificate that failed verification, with the issuer and
    fingerprint it presented (read on a fresh connection) so that it can be judged and pinned;
    and the line for the report's TLS step."""
    s = settings
    seen = (
        starttls_certificate(s, address)
        if starttls
        else tls_first_certificate(address, s.port, s.host)
    )
    params = {"host": s.host, "reason": exc.verify_message or str(exc)}
    if seen:
        params["certificate"] = seen.describe()
        message = N_(
            "The certificate of %(host)s is not trusted (%(reason)s). It presented a "
            "%(certificate)s."
        )
        detail = N_("certificate is not trusted: %(reason)s. It presented a %(certificate)s.")
    else:
        message = N_("The certificate of %(host)s is not trusted (%(reason)s).")
        detail = N_("certificate is not trusted: %(reason)s.")
    return ConfigurationError(
        message,
        params=params,
        hint=N_(
            "If the name does not match, use the host name the certificate is for. If the "
            "server uses a private CA, add it to the system trust store (or SSL_CERT_FILE). If "
            "you trust this self-signed server, pin its SHA-256 fingerprint."
        ),
    ), Line(detail, {k: v for k, v in params.items() if k != "host"})

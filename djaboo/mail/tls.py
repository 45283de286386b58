"""TLS for mail connections: always verified, either by the system trust store or by a pin.

There is no "don't verify" switch. A self-signed server can be trusted only by pinning the
SHA-256 fingerprint of its certificate, which the connection check shows.
"""

from __future__ import annotations

import hashlib
import re
import ssl
from dataclasses import dataclass

from cryptography import x509

from djaboo.mail.errors import ConfigurationError
from djaboo.mail.texts import N_, Line

_HEX = re.compile(r"^[0-9a-f]{64}$")


def normalize_fingerprint(value: str) -> str:
    """'AB:CD:…' or 'abcd…' -> 64 lower-case hex digits; ValueError when it is not one."""
    cleaned = re.sub(r"[\s:]", "", value or "").lower()
    if not _HEX.match(cleaned):
        raise ValueError("A SHA-256 fingerprint has 64 hexadecimal digits (colons allowed).")
    return cleaned


def format_fingerprint(hex_digits: str) -> str:
    return ":".join(hex_digits[i : i + 2] for i in range(0, len(hex_digits), 2)).upper()


def client_context(pinned_sha256: str | None = None) -> ssl.SSLContext:
    """The context for every mail connection.

    Without a pin: ssl.create_default_context() — the system trust store (SSL_CERT_FILE and the
    system bundle are honoured), host name checked, TLS 1.2 or later. With a pin the chain is
    not checked by OpenSSL; check_pin() must then be called right after the handshake, before a
    single SMTP byte more is sent.
    """
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if pinned_sha256:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    sha256: str  # 64 hex digits
    not_after: str

    def describe(self) -> Line:
        return Line(
            N_(
                "certificate for %(subject)s, issued by %(issuer)s, valid until %(not_after)s, "
                "SHA-256 %(fingerprint)s"
            ),
            {
                "subject": self.subject,
                "issuer": self.issuer,
                "not_after": self.not_after,
                "fingerprint": format_fingerprint(self.sha256),
            },
        )


def certificate_info(der: bytes) -> CertificateInfo:
    cert = x509.load_der_x509_certificate(der)
    return CertificateInfo(
        subject=cert.subject.rfc4514_string() or "(no subject)",
        issuer=cert.issuer.rfc4514_string() or "(no issuer)",
        sha256=hashlib.sha256(der).hexdigest(),
        not_after=cert.not_valid_after_utc.strftime("%Y-%m-%d"),
    )


def check_pin(der: bytes | None, pinned_sha256: str) -> None:
    if der is None:
        raise ConfigurationError("The server presented no certificate.")
    actual = hashlib.sha256(der).hexdigest()
    if actual != pinned_sha256:
        raise ConfigurationError(
            "The server's certificate does not match the pinned fingerprint.",
            hint=f"It presented SHA-256 {format_fingerprint(actual)}. If the server's "
            "certificate was replaced on purpose, pin the new fingerprint; otherwise someone may "
            "be intercepting the connection.",
        )


def fetch_untrusted_certificate(sock_factory, host: str) -> CertificateInfo | None:
    """Read the certificate a server presents without trusting it, only to show it to the admin.

    sock_factory() returns a fresh TCP socket positioned where the TLS handshake starts. Nothing
    but the handshake is sent on it.
    """
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with sock_factory() as raw, context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    return certificate_info(der) if der else None

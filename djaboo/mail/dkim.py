"""DKIM signatures (RFC 6376, Ed25519 per RFC 8463) over the exact bytes the outbox stores.

The mail core knows nothing of where a key lives: a feature registers a lookup with
`mail.recording.register_signer_lookup` that returns a `DkimSigner` (key, selector, domain) for a
space, and `record_emails` signs each email with it once its bytes are final. A resend sends the
same stored, signed bytes; the signature carries no expiry (no x=), so it keeps verifying for as
long as the record stays published. Its t= is the recording time (a scheduled email goes later
with the signature it got when it was recorded).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

ALGORITHMS = ("ed25519", "rsa")
# The headers that matter to a reader and to a forger; signed when present, and (for From,
# Subject, Reply-To, To, Cc) also when absent, so none can be added on the way.
SIGNED_HEADERS = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "MIME-Version",
    "Content-Type",
    "In-Reply-To",
    "References",
)
OVERSIGNED = ("From", "Subject", "Reply-To", "To", "Cc")
SELECTOR = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)


class DkimError(ValueError):
    """The key or message cannot be signed; says what to fix."""


@dataclass(frozen=True)
class DkimSigner:
    """A space's signing key: `private_key` as dkimpy takes it (PEM for RSA, the base64 seed
    for Ed25519)."""

    domain: str
    selector: str
    algorithm: str
    private_key: bytes

    def __repr__(self) -> str:  # never print the key
        return f"<DkimSigner {self.selector}._domainkey.{self.domain} {self.algorithm}>"


@dataclass(frozen=True)
class KeyPair:
    private_key: bytes  # as DkimSigner.private_key
    public_key: str  # base64, the p= of the DNS record


def generate_key(algorithm: str) -> KeyPair:
    """A new key pair: Ed25519, or RSA 2048 (what every receiver checks today)."""
    if algorithm == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        seed = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return KeyPair(base64.b64encode(seed), base64.b64encode(public).decode())
    if algorithm == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return KeyPair(pem, base64.b64encode(public).decode())
    raise DkimError(f"Unknown key type {algorithm!r}: choose Ed25519 or RSA.")


def dns_record(algorithm: str, public_key: str) -> str:
    """The TXT record to publish at <selector>._domainkey.<domain>."""
    return f"v=DKIM1; k={algorithm}; p={public_key}"


def record_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}"


def from_domain(raw: bytes) -> str:
    """The domain of the (first) From header of a message, lower-case; "" when there is none."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = re.search(rb"^From:(.*(?:\r?\n[ \t].*)*)", head, re.IGNORECASE | re.MULTILINE)
    if not match:
        return ""
    value = match.group(1).decode("utf-8", "replace")
    addresses = re.findall(r"@([A-Za-z0-9.-]+)", value)
    return addresses[-1].lower().rstrip(".") if addresses else ""


def aligned(domain: str, signer_domain: str) -> bool:
    """Relaxed alignment: the From domain is the signing domain or below it."""
    return domain == signer_domain or domain.endswith("." + signer_domain)


def sign(raw: bytes, signer: DkimSigner) -> bytes:
    """The message with a DKIM-Signature header first, or unchanged when its From domain is not
    the signer's (a signature of another domain would not align and proves nothing)."""
    if not aligned(from_domain(raw), signer.domain.lower()):
        return raw
    present = {
        line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        if line and line[:1] not in (b" ", b"\t") and b":" in line
    }
    headers = [h for h in SIGNED_HEADERS if h.lower() in present]
    headers += [h for h in OVERSIGNED if h.lower() not in present]  # asserts they stay absent
    try:
        signature = dkim.sign(
            raw,
            signer.selector.encode(),
            signer.domain.encode(),
            signer.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[h.encode() for h in headers],
            signature_algorithm=(
                b"ed25519-sha256" if signer.algorithm == "ed25519" else b"rsa-sha256"
            ),
            linesep=b"\r\n",
        )
    except dkim.DKIMException as exc:
        raise DkimError(f"The DKIM key cannot sign: {exc}") from None
    return signature + raw

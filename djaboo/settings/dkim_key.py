"""Settings → Email → DKIM: the space's signing key (encrypted at rest) and whether it signs.

`dkim_signer_for(space_id)` is what the mail core calls (registered by settings.mail_events) when
it records an email: a signer while signing is on, else None. Signing can only be turned on once
the DNS record of the key is published and matches (domain_check.dkim_record_problem).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db
from djaboo.mail.dkim import DkimSigner, dns_record, generate_key, record_name
from djaboo.secrets_at_rest import SecretUnreadable, decrypt, encrypt

log = logging.getLogger(__name__)
DEFAULT_SELECTOR = "djaboo"


class DkimKey(db.Model):
    """One key per space: a new key replaces the old one (and stops signing until published)."""

    __tablename__ = "dkim_key"
    __table_args__ = (sa.CheckConstraint("algorithm IN ('ed25519', 'rsa')", name="algorithm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), unique=True
    )
    algorithm: Mapped[str] = mapped_column(sa.String(8))
    selector: Mapped[str] = mapped_column(sa.String(63))
    domain: Mapped[str] = mapped_column(sa.String(253))
    # Fernet token of the private key, like the SMTP password; the key is in the instance config.
    private_key_encrypted: Mapped[str] = mapped_column(sa.Text)
    public_key: Mapped[str] = mapped_column(sa.Text)
    signing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def record_name(self) -> str:
        return record_name(self.selector, self.domain)

    @property
    def record(self) -> str:
        return dns_record(self.algorithm, self.public_key)

    @property
    def algorithm_label(self) -> str:
        return "Ed25519" if self.algorithm == "ed25519" else "RSA 2048"

    def __repr__(self) -> str:
        return f"<DkimKey space={self.space_id} {self.record_name} signing={self.signing}>"


def dkim_key_for(space_id: int) -> DkimKey | None:
    return db.session.execute(
        sa.select(DkimKey).where(DkimKey.space_id == space_id)
    ).scalar_one_or_none()


def generate_dkim_key(space_id: int, domain: str, algorithm: str, selector: str) -> DkimKey:
    """A new key for the space (replacing any other); signing is off until it is published."""
    pair = generate_key(algorithm)
    key = dkim_key_for(space_id) or DkimKey(space_id=space_id)
    key.algorithm, key.selector, key.domain = algorithm, selector.lower(), domain.lower()
    key.private_key_encrypted = encrypt(pair.private_key.decode("ascii"))
    key.public_key = pair.public_key
    key.signing = False
    key.created_at = utcnow()
    db.session.add(key)
    db.session.flush()
    return key


def dkim_signer_for(space_id: int) -> DkimSigner | None:
    """The space's signer while signing is on; None otherwise (or when the key no longer
    decrypts: the email goes unsigned rather than not at all, and the page says why)."""
    key = dkim_key_for(space_id)
    if key is None or not key.signing:
        return None
    try:
        private = decrypt(key.private_key_encrypted).encode("ascii")
    except SecretUnreadable:
        log.warning("space %s: the DKIM key no longer decrypts; sending unsigned", space_id)
        return None
    return DkimSigner(key.domain, key.selector, key.algorithm, private)


def key_readable(key: DkimKey) -> bool:
    try:
        decrypt(key.private_key_encrypted)
    except SecretUnreadable:
        return False
    return True

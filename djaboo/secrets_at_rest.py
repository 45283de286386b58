"""Encryption of stored secrets (SMTP passwords) with a key that never lives in the database.

ENCRYPTION_KEY (instance config or DJABOO_ENCRYPTION_KEY) is a Fernet key; older keys listed in
ENCRYPTION_OLD_KEYS still decrypt, so the key can be rotated without losing stored passwords.
A database dump alone reveals no password.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SecretUnreadable(RuntimeError):
    """The stored secret was encrypted with a key this installation no longer has."""


def _box(config) -> MultiFernet:
    keys = [config["ENCRYPTION_KEY"], *config.get("ENCRYPTION_OLD_KEYS", ())]
    return MultiFernet([Fernet(k) for k in keys])


def validate_keys(config) -> str | None:
    """None when the keys are usable, else what is wrong with them."""
    key = config.get("ENCRYPTION_KEY")
    if not key:
        return (
            "No ENCRYPTION_KEY is set; it encrypts stored SMTP passwords. Generate one with "
            'python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())" and set DJABOO_ENCRYPTION_KEY.'
        )
    try:
        _box(config)
    except (ValueError, TypeError):
        return "ENCRYPTION_KEY (or one of ENCRYPTION_OLD_KEYS) is not a valid Fernet key."
    return None


def encrypt(plaintext: str) -> str:
    return _box(current_app.config).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _box(current_app.config).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The stored SMTP password can no longer be decrypted with the current ENCRYPTION_KEY."
        ) from None


def readable(token: str) -> bool:
    """Whether a stored token still decrypts with the configured keys."""
    try:
        decrypt(token)
    except SecretUnreadable:
        return False
    return True

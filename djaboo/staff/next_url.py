"""Where to go after sign-in: only a path on this site, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_url(target: str | None, default: str) -> str:
    """Return target when it is a same-site path, otherwise default.

    Browsers treat backslashes as slashes and ignore tabs/newlines inside URLs, so any of those, a
    scheme, a host or a leading '//' makes the target unsafe.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target

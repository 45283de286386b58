"""The language a staff member reads: the notices they get are written in it."""

from __future__ import annotations

from djaboo.mail.events import LANGUAGES
from djaboo.staff.models import User

FALLBACK = "en"


def language_for(user: User) -> str:
    """The one place that decides: staff have no language of their own yet (issue #13 adds
    one), so it is their space's default language."""
    language = user.space.default_language if user.space else ""
    return language if language in LANGUAGES else FALLBACK

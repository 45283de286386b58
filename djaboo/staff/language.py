"""The language a staff member reads: the notices they get are written in it."""

from __future__ import annotations

from djaboo.mail.events import LANGUAGES
from djaboo.staff.models import User

FALLBACK = "en"


def language_for(user: User) -> str:
    """The one place that decides: the staff member's own language (Profile → Language), else
    their space's default language, else English. Pages follow the same order
    (djaboo/i18n.select_locale)."""
    if user.language in LANGUAGES:
        return user.language
    language = user.space.default_language if user.space else ""
    return language if language in LANGUAGES else FALLBACK

"""Languages: which one a page is written in, and the gettext catalogs that write it.

Catalogs: djaboo/translations/<language>/LC_MESSAGES/messages.po (`make translations` extracts
the marked strings and updates them; `make install` compiles them, as does the test suite).
Strings are marked with `_()` in templates and `_l()` (lazy) or `_()` in Python; `_lp(context,
text)` when one English word needs two translations (a cancelled invoice, "annulée", and a
cancelled credit note, "annulé").

Who reads decides the language:
- a document's PDF and public page are the customer's: rendered inside `with_language(...)`
  with `document_language(...)`, whoever opens them (the customer, a staff member, the worker);
- a staff page follows the signed-in person: their own `language` when the user model has one,
  else their space's default language, else the browser's Accept-Language.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

from babel import Locale
from flask import Flask, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
from flask_babel import gettext as _  # noqa: F401  (re-exported for Python code)
from flask_babel import lazy_gettext as _l  # noqa: F401
from flask_babel import lazy_pgettext as _lp  # noqa: F401  (a word whose sense needs context)

from djaboo.mail.events import LANGUAGES as LANGUAGE_NAMES

# The languages the product is written in: the email templates' languages.
LANGUAGES = tuple(LANGUAGE_NAMES)
FALLBACK = "en"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def supported(language: str | None) -> str:
    """language if the product is written in it, else English."""
    return language if language in LANGUAGES else FALLBACK


def document_language(customer_language: str | None, space_default: str | None) -> str:
    """The language a customer reads: their own, else the space's default, else English."""
    return supported(customer_language or space_default)


@contextlib.contextmanager
def with_language(language: str | None) -> Iterator[str]:
    """Render in `language` whatever the request would choose (a document for its customer)."""
    code = supported(language)
    with force_locale(code):
        yield code


def current_language() -> str:
    """The language of what is being rendered now ("en" outside any app)."""
    locale = get_locale()
    return supported(locale.language) if locale is not None else FALLBACK


def current_locale() -> Locale:
    return _parsed(current_language())


@functools.lru_cache(maxsize=8)
def _parsed(language: str) -> Locale:
    return Locale.parse(language)


def select_locale() -> str:
    """The staff pages' language (documents force theirs with with_language)."""
    if not has_request_context():  # the worker, the CLI: English unless forced
        return FALLBACK
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False):
        own = getattr(current_user, "language", "")
        if own in LANGUAGES:
            return own
        return supported(current_user.space.default_language)
    return request.accept_languages.best_match(LANGUAGES) or FALLBACK


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po whose messages.mo is missing or older; the .mo files are
    build products (not in git), made by `make install` and by the tests before they start."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    made = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        temporary = mo.with_suffix(".mo.tmp")
        with temporary.open("wb") as target:
            write_mo(target, catalog)
        temporary.replace(mo)
        made.append(mo)
    return made


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def language():
        return {"page_language": current_language()}


if __name__ == "__main__":  # python -m djaboo.i18n: what `make install` runs
    for path in compile_catalogs():
        print(f"compiled {path.relative_to(TRANSLATIONS.parent.parent)}")

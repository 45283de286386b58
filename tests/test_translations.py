"""The gettext catalogs: every string marked for translation is in each language's catalog,
translated, with the same placeholders, and the catalogs compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from djaboo.i18n import LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "_l": None, "_lp": ((1, "c"), 2), "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def marked_strings() -> set[tuple[str | None, str]]:
    """(context, text) of every string babel.cfg's extraction finds, as `make translations`."""
    found = set()
    method_map = [("djaboo/**.py", "python"), ("templates/**.html", "jinja2")]
    # Only dot-directories are skipped, as `pybabel extract --ignore-dirs=".*"` does: babel's
    # own default also skips "_" ones, and templates/_macros would go unread.
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        keywords={**KEYWORDS},
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        text = message if isinstance(message, str) else message[0]
        found.add((context, text))
    return found


@pytest.fixture(scope="module")
def marked():
    return marked_strings()


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_marked_string_is_translated(marked, language, tmp_path):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    messages = {(m.context, m.id): m for m in catalog if m.id}
    missing = sorted(key[1] for key in marked if key not in messages)
    assert not missing, f"run `make translations` and translate: {missing}"
    for key in marked:
        message = messages[key]
        assert message.string and "fuzzy" not in message.flags, f"{language}: {key[1]!r}"
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(key[1])), (
            language,
            key[1],
        )
    with (tmp_path / "messages.mo").open("wb") as target:
        write_mo(target, catalog)  # compiles


def test_the_marked_strings_include_the_documents_and_the_company_page(marked):
    texts = {text for _context, text in marked}
    assert {"Invoice", "Download PDF", "VAT number", "Registration number"} <= texts
    assert {"Search", "Next →"} <= texts  # templates/_macros/lists.html

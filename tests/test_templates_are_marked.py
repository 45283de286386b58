"""Every word a template shows is marked for translation: text between tags and the attributes
people read (title, placeholder, alt, aria-label, label) must come from {{ _("...") }} or a
{% trans %} block, never be written in the HTML itself."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
READ_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "label"}
# Text that is the same in every language: the product's name, code and commands.
VERBATIM_TAGS = {"script", "style", "code", "kbd", "pre", "samp"}
NOT_WORDS = {"Djaboo Mail", "Djaboo"}
DYNAMIC = "\x00"  # what {{ ... }} left in the text: not a word


def _without_jinja(source: str) -> str:
    """The template's HTML with every {{ expression }} replaced by a marker, every {% tag %}
    removed and {% trans %} blocks dropped (they are marked)."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only lexed
    out: list[str] = []
    in_trans = 0
    tokens = iter(env.lex(source))
    for _line, kind, value in tokens:
        if kind == "block_begin":
            name = next(t for t in tokens if t[1] not in ("whitespace",))[2]
            for t in tokens:  # skip to the end of the tag
                if t[1] == "block_end":
                    break
            if name == "trans":
                in_trans += 1
            elif name == "endtrans":
                in_trans -= 1
            continue
        if kind == "variable_begin":
            for t in tokens:
                if t[1] == "variable_end":
                    break
            out.append(DYNAMIC)
            continue
        if kind == "data" and not in_trans:
            out.append(value)
    return "".join(out)


def _is_words(text: str) -> bool:
    text = "".join(ch if ch.isalnum() else " " for ch in text.replace(DYNAMIC, " "))
    text = " ".join(text.split())
    return bool(text) and text not in NOT_WORDS and any(ch.isalpha() for ch in text)


class _Finder(HTMLParser):
    """Collects the words outside verbatim elements (code, scripts, and any element marked with
    HTML's own translate="no", e.g. 様 in the Japanese layout)."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, verbatim) of the elements we are in

    @property
    def verbatim(self) -> bool:
        return any(flag for _tag, flag in self.open)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if not self.verbatim and values.get("translate") != "no":
            for name, value in attrs:
                if name in READ_ATTRIBUTES and value and _is_words(value):
                    self.found.append(f'{name}="{value.strip()}"')
        if tag not in self.VOID:
            self.open.append((tag, tag in VERBATIM_TAGS or values.get("translate") == "no"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):  # tolerate unclosed <p>, <li>
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if not self.verbatim and _is_words(data):
            self.found.append(" ".join(data.replace(DYNAMIC, "…").split()))


def unmarked(path: Path) -> list[str]:
    finder = _Finder()
    finder.feed(_without_jinja(path.read_text(encoding="utf-8")))
    finder.close()
    return finder.found


TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_word_in_the_template_is_marked(path):
    assert unmarked(path) == [], "wrap these in {{ _(...) }}, then `make translations`"


def test_the_check_finds_unmarked_words_and_accepts_marked_ones(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% block title %}Sign in{% endblock %}<p>{{ _("Hello") }} {{ user.name }}</p>'
        '<input placeholder="Search"><img alt="{{ _("Logo") }}"><code>djaboo mail worker</code>'
        "{% trans %}Marked words{% endtrans %}<span>→ {{ count }} ·</span>"
        '<p translate="no">{{ name }} 様</p><p>Said <b>twice</b></p>'
    )
    assert unmarked(page) == ["Sign in", 'placeholder="Search"', "Said", "twice"]

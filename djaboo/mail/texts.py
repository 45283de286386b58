"""Words of djaboo/mail that people read (reports, errors, event names), marked for translation
without Flask.

N_("...") only marks a msgid for extraction (babel.cfg, `make translations`); the page that shows
it translates it (djaboo/display_texts.py), in its reader's language. A sentence with values is a
Line: its msgid and the params of its %(name)s placeholders. Params are never translated: a
server's reply stays verbatim in every language. English is msgid % params, as before.
"""

from __future__ import annotations

from collections.abc import Iterable


def N_(msgid: str) -> str:
    """Mark msgid for extraction; it is translated where it is shown."""
    return msgid


class Line(str):
    """A sentence: its English words (the str itself, usable wherever text was), its msgid and
    the params of its placeholders (for translating it where it is shown)."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, params: dict | None = None) -> Line:
        params = dict(params or {})
        line = super().__new__(cls, msgid % params if params else msgid)
        line.msgid, line.params = msgid, params
        return line

    def __reduce__(self):
        return (Line, (self.msgid, self.params))

    def as_data(self) -> dict:
        """For JSON; a param that is itself a Line (a template's name) stays translatable."""
        params = {k: v.as_data() if isinstance(v, Line) else v for k, v in self.params.items()}
        return {"msgid": self.msgid, "params": params}


Text = str | Line | Iterable


def lines_of(text: Text | None, params: dict | None = None) -> list[Line]:
    """Sentences as Lines: a msgid (with params), a Line, or a sequence of them; empty ones go."""
    if not text:
        return []
    if isinstance(text, Line):
        return [text]
    if isinstance(text, str):
        return [Line(text, dict(params or {}))]
    return [line for part in text for line in lines_of(part)]


def english(lines: Iterable[Line]) -> str:
    return " ".join(str(line) for line in lines)

"""djaboo/mail's words (N_-marked msgids and Lines, djaboo/mail/texts.py) translated where a page
shows them, in the reader's language. Params are inserted as they are (a server's reply stays
verbatim), except a param that is itself a line (a template's name)."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from djaboo.mail.errors import clip_reply
from djaboo.mail.texts import Line


def translated(msgid) -> str:
    """gettext of a msgid known only at run time (an event's name, a step's detail, a Line);
    text that is no msgid (a server's reply) comes back as it is. Plain text: the page escapes
    it."""
    if not msgid:
        return ""
    if isinstance(msgid, Line):
        return translated_line(msgid.as_data())
    return gettext(str(msgid))


def translated_line(line: dict) -> str:
    params = {
        key: translated_line(value) if isinstance(value, dict) else value
        for key, value in (line.get("params") or {}).items()
    }
    msgid = str(line.get("msgid", ""))
    return gettext(msgid, **params) if params else gettext(msgid)


def translated_lines(lines: list[dict] | None, english: str = "") -> str:
    """A summary or hint: its lines translated; the English words when there are no lines
    (a report written before reports were translated)."""
    if lines is None:
        return translated(english)
    return " ".join(translated_line(line) for line in lines)


def translated_step_detail(step: dict) -> str:
    text = step.get("text")
    if isinstance(text, dict) and "lines" in text:
        return clip_reply(translated_lines(text["lines"]))
    if isinstance(text, dict):
        return clip_reply(translated_line(text))
    return translated(step.get("detail", ""))


def translated_mail_lines(lines) -> str:
    """A MailError's lines or hint_lines (djaboo/mail/texts.Line), translated."""
    return translated_lines([line.as_data() for line in lines])


def init_app(app: Flask) -> None:
    app.add_template_filter(translated, "translated")
    app.add_template_filter(translated_mail_lines, "translated_lines")

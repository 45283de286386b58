"""Form checks that every feature's forms share: HTML that is bounded, single lines, names."""

from __future__ import annotations

import re

from wtforms.fields import TextAreaField
from wtforms.validators import StopValidation, ValidationError

from djaboo.mail.headers import display_name_problem, strip_bidi
from djaboo.mail.html_bounds import user_html_problem
from djaboo.mail.message import has_line_break


def single_line(form, field):
    if field.data and has_line_break(field.data):
        raise ValidationError("Line breaks are not allowed here.")


def display_name(form, field):
    """A name that becomes a display name in From or To: no encoded-word look-alike."""
    problem = display_name_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def without_bidi(value):
    """Bidi controls can make a name read as another; they are dropped as typed (a filter)."""
    return strip_bidi(value) if isinstance(value, str) else value


class BoundedHTML:
    """At most max_chars characters and a nesting depth the mail core accepts; runs before
    anything else parses the text (a preview included: invalid input is never previewed)."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars

    def __call__(self, form, field):
        problem = user_html_problem(field.data or "", max_chars=self.max_chars)
        if problem:
            field.errors[:] = []  # one clear sentence, not also Length's
            raise StopValidation(problem)  # nothing else need read it


# What makes the text HTML: a start or end tag, a comment, a doctype. A tag's name is letters,
# digits and hyphens followed by a space, / or >: "Ada <ada@acme.example>" is plain text (a browser
# would read an element named "ada@acme.example" and the sanitizer would drop the address).
_MARKUP = re.compile(
    r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?:[\s/][^>]*)?|!--.*?--|![A-Za-z][^>]*)>", re.DOTALL
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def plain_lines_as_html(value):
    """Text with no markup at all keeps its lines: each line break becomes <br> (a filter).

    Typed in the plain textarea (no JavaScript) or sent by a script, a signature of two lines is
    two lines, where as HTML it would run into one. Its `<` and `>` are text, so they are
    escaped; `&` is left as it is, so an entity such as &amp; still reads as HTML would."""
    if not isinstance(value, str) or _MARKUP.search(value):
        return value
    text = value.strip("\r\n")
    if not _LINE_BREAK.search(text):
        return value
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return _LINE_BREAK.sub("<br>\n", text)


class HTMLTextAreaField(TextAreaField):
    """Email HTML (a template body, a signature, the header or footer).

    In the browser static/js/rich_editor.js turns it into a rich-text editor (editor="lines":
    Enter starts a line, not a paragraph); text submitted without any tag keeps its line breaks.
    Sanitizing stays where it was: where the text is saved (and again when an email is built)."""

    def __init__(self, label=None, validators=None, *, editor: str = "html", **kwargs):
        kwargs["filters"] = (plain_lines_as_html, *kwargs.get("filters", ()))
        kwargs["render_kw"] = {"data-rich-editor": editor, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

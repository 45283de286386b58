"""Form checks that every feature's forms share: HTML that is bounded, single lines, names."""

from __future__ import annotations

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

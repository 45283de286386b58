"""The form validator for every field that holds HTML an admin or staff member writes."""

from __future__ import annotations

from wtforms.validators import StopValidation

from djaboo.mail.html_bounds import user_html_problem


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

"""Merge fields: `{field_name}` replaced by a value, in one pass, with no logic.

A value is inserted as it is and never read again as template text, so a customer called
`{invoice_number}` or `{{ 7*7 }}` stays exactly that. Values are escaped for where they go:
HTML-escaped in HTML unless they are sanitized HTML (markupsafe.Markup), plain in text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from markupsafe import Markup, escape

FIELD = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def fields_used(template: str) -> list[str]:
    return list(dict.fromkeys(FIELD.findall(template or "")))


def fill(
    template: str, values: Mapping[str, str | Markup], render: Callable[[str | Markup], str]
) -> str:
    """Replace each known {field}; unknown ones stay as typed (save-time validation names them)."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return render(values[name]) if name in values else match.group(0)

    return FIELD.sub(replace, template or "")


def fill_html(template: str, values: Mapping[str, str | Markup]) -> str:
    return fill(template, values, lambda v: str(escape(v)))


def fill_text(template: str, values: Mapping[str, str | Markup]) -> str:
    from djaboo.mail.compose import html_to_text

    return fill(template, values, lambda v: html_to_text(str(v)) if isinstance(v, Markup) else v)

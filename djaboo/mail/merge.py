"""Merge fields: `{field_name}` replaced by a value, in one pass, with no logic.

A value is inserted as it is and never read again as template text, so a customer called
`{invoice_number}` or `{{ 7*7 }}` stays exactly that. Values are escaped for where they go:
HTML-escaped in HTML unless they are sanitized HTML (markupsafe.Markup), plain in text.

A known field with no value in this email renders empty when sending; previews pass `missing`
to show it highlighted instead. A name that is not a field at all is left as typed — saving a
template with one is refused (unknown_fields).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

from djaboo.mail.fields import FIELDS
from djaboo.mail.html_text import html_to_text

FIELD = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def fields_used(template: str) -> list[str]:
    return list(dict.fromkeys(FIELD.findall(template or "")))


def unknown_fields(template: str, allowed: Iterable[str]) -> list[str]:
    """Fields the template uses that are not allowed here (typos, or another event's)."""
    allowed = set(allowed)
    return [name for name in fields_used(template) if name not in allowed]


def fill(
    template: str,
    values: Mapping[str, str | Markup],
    render: Callable[[str | Markup], str],
    missing: Callable[[str], str] | None = None,
) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        value = values.get(name)
        if value not in (None, ""):
            return render(value)
        if name in FIELDS:
            return missing(name) if missing else ""
        return match.group(0)

    return FIELD.sub(replace, template or "")


def fill_html(template: str, values: Mapping, missing: Callable[[str], str] | None = None) -> str:
    return fill(template, values, lambda v: str(escape(v)), missing)


def fill_text(template: str, values: Mapping, missing: Callable[[str], str] | None = None) -> str:
    return fill(
        template,
        values,
        lambda v: html_to_text(str(v)) if isinstance(v, Markup) else str(v),
        missing,
    )


def highlight_missing_html(name: str) -> str:
    return f'<mark style="background:#ffe08a;color:#5c3d00">{{{name}}} (no value)</mark>'


def highlight_missing_text(name: str) -> str:
    return f"[{name}: no value]"

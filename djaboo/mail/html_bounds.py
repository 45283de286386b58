"""Bounds on the HTML that admins and staff write, checked before any parser or inliner runs.

The CSS inliner (html5ever underneath) recurses once per level of nesting: a few thousand levels
crash the whole process, not just one request. Every stored body, signature, header and footer
is held to a length and a nesting depth when it is saved, and each email is checked again when
it is composed (for text saved before these bounds existed, or written to the database directly).
"""

from __future__ import annotations

import functools
import re

# Hand-written emails and signatures pasted from mail clients stay well under 20 levels.
MAX_DEPTH = 40
# A whole email: header, body and footer side by side, a signature nested inside the body.
MAX_EMAIL_DEPTH = 3 * MAX_DEPTH
MAX_EMAIL_CHARS = 400_000

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# A tag, with quoted attribute values skipped whole: `title="</div>"` closes nothing.
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")


def nesting_depth(html: str) -> int:
    """The deepest element nesting in html. Never recurses, whatever the input.

    Meant for sanitized HTML (every tag closed, `<` in text escaped); on other HTML a missing
    end tag only makes the count higher, never lower."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, rest = match.groups()
        name = name.lower()
        if closing:
            depth = max(depth - 1, 0)
        elif name not in VOID and not rest.rstrip().endswith("/"):
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def html_problem(html: str, *, max_chars: int, max_depth: int = MAX_DEPTH) -> str | None:
    """Why this HTML may not be stored or sent, or None. Length is checked before parsing."""
    if len(html) > max_chars:
        return f"This is too long: {len(html):,} characters, at most {max_chars:,}."
    depth = _depth_cached(html) if len(html) <= 20_000 else nesting_depth(html)
    if depth > max_depth:
        return (
            f"The HTML nests elements {depth} levels deep; at most {max_depth} are allowed. "
            "Remove the extra layers of tags."
        )
    return None


@functools.lru_cache(maxsize=256)  # the same header, footer and template parts come back often
def _depth_cached(html: str) -> int:
    return nesting_depth(html)


def user_html_problem(raw: str, *, max_chars: int) -> str | None:
    """For a form: the length of what was typed, then the depth of what would be stored."""
    from djaboo.mail.sanitize import sanitize_html

    if len(raw) > max_chars:
        return html_problem(raw, max_chars=max_chars)
    # The length that counts is what was typed (escaping may lengthen the stored text).
    stored = sanitize_html(raw)
    return html_problem(stored, max_chars=max(max_chars, len(stored)))

"""Allow-list sanitizing of the HTML that admins and staff write into emails.

Signatures, predefined header/footer and template bodies pass through here on save, so what is
stored can carry formatting and links but no script, event handler, form, frame or javascript: URL.
The merged HTML of every email passes through again (compose.render_html), because merge values
are inserted after that: escaped, they cannot add a tag, but one can be a whole link.
"""

from __future__ import annotations

import nh3

# What email clients render reliably; everything else is dropped, content kept.
ALLOWED_TAGS = frozenset(
    (
        "a abbr b blockquote br caption center code col colgroup dd div dl dt em font h1 h2 h3 h4 "
        "h5 h6 hr i img li ol p pre s small span strong sub sup table tbody td tfoot th thead tr "
        "u ul"
    ).split()
)
_COMMON = {"style", "class", "align", "title", "dir", "lang"}
ALLOWED_ATTRIBUTES = {
    "*": _COMMON,
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor", "role"},
    "td": {"width", "colspan", "rowspan", "valign", "bgcolor", "height"},
    "th": {"width", "colspan", "rowspan", "valign", "bgcolor", "scope"},
    "tr": {"valign", "bgcolor"},
    "col": {"width", "span"},
    "font": {"color", "face", "size"},
}
# The only URL schemes a sent email may hold, checked at save and again after merging (a value
# can make a whole URL: href="{client_company}"). Nothing else: no javascript: or vbscript:, no
# data: (a data:text/html link carries script, and mail clients block data: images anyway).
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# CSS properties that matter for email layout; anything else (url(), expression, ...) goes.
ALLOWED_CSS = frozenset(
    (
        "background-color border border-bottom border-collapse border-color border-left "
        "border-radius border-right border-spacing border-style border-top border-width color "
        "display font font-family font-size font-style font-weight height letter-spacing "
        "line-height margin margin-bottom margin-left margin-right margin-top max-width min-width "
        "padding padding-bottom padding-left padding-right padding-top text-align text-decoration "
        "text-transform vertical-align white-space width"
    ).split()
)


def sanitize_html(html: str, extra_tags: frozenset[str] = frozenset()) -> str:
    """Return html with only allow-listed tags, attributes, URL schemes and CSS properties.

    A URL attribute with another scheme is dropped; nh3 reads it as a browser would, after
    entities (&#106;avascript:), case and leading spaces or control characters."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | extra_tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        filter_style_properties=ALLOWED_CSS,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()

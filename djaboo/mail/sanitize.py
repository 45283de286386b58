"""Allow-list sanitizing of the HTML that admins and staff write into emails.

Signatures, predefined header/footer and template bodies pass through here on save, so what is
stored can carry formatting and links but no script, event handler, form, frame or javascript: URL.
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
# No data: URLs: a data:text/html link is a script carrier, and mail clients block data: images.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
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


def sanitize_html(html: str) -> str:
    """Return html with only allow-listed tags, attributes, URL schemes and CSS properties."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        filter_style_properties=ALLOWED_CSS,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()

"""HTML to readable plain text, for the text/plain alternative of every email."""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

_BLOCK = frozenset(("p div br tr table h1 h2 h3 h4 h5 h6 li ul ol blockquote hr pre").split())


class _TextExtractor(HTMLParser):
    """HTML -> readable text: blocks become lines, links keep their address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str | None] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        if tag in _BLOCK:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")
        if tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.out)))

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
        if tag == "a" and self.links:
            href, start = self.links.pop()
            # Only this link's own text is joined: the whole output per link would be quadratic.
            link_text = "".join(self.out[start:]).rstrip()
            if href and not href.startswith("mailto:") and not link_text.endswith(href):
                self.out.append(f" ({href})")
        if tag in _BLOCK - {"br"}:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))


@functools.lru_cache(maxsize=512)  # the same template parts come back for every email of a run
def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

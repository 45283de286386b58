"""The final email: predefined header + merged body + predefined footer, with a text part.

Pure: data in, EmailMessage out. No Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser

from markupsafe import Markup

from djaboo.mail.merge import fill_html, fill_text
from djaboo.mail.message import Party, build_message

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
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
        if tag == "a" and self.links:
            href = self.links.pop()
            text_so_far = "".join(self.out).rstrip()
            if href and not href.startswith("mailto:") and not text_so_far.endswith(href):
                self.out.append(f" ({href})")
        if tag in _BLOCK - {"br"}:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass(frozen=True)
class Wrapper:
    """The space's predefined header and footer (sanitized HTML, may hold merge fields)."""

    header_html: str = ""
    footer_html: str = ""


def render_html(wrapper: Wrapper, body_html: str, values: dict, charset: str = "utf-8") -> str:
    """Header + body + footer, each merged in one pass; values are escaped, never re-parsed."""
    parts = [fill_html(p, values) for p in (wrapper.header_html, body_html, wrapper.footer_html)]
    inner = "\n".join(p for p in parts if p)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"></head>'
        '<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;'
        f'font-size:14px;line-height:1.5;color:#1d2330">\n{inner}\n</body></html>'
    )


def render_text(wrapper: Wrapper, body_html: str, values: dict) -> str:
    """The text alternative: each part turned into text first, then merged with plain values."""
    parts = [
        fill_text(html_to_text(p), values)
        for p in (wrapper.header_html, body_html, wrapper.footer_html)
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


TEST_EMAIL_SUBJECT = "Test email from Djaboo Mail"
TEST_EMAIL_BODY = (
    "<p>Hello,</p><p>This is a test email sent by Djaboo Mail for {companyname}. If you can read "
    "it, the outgoing mail settings work: invoices, estimates and reminders will go out the same "
    "way, wrapped in this header and footer.</p>{email_signature}"
)


def compose_test_email(
    *, company: str, signature_html: str, wrapper: Wrapper, sender: Party, to: Party, charset: str
) -> EmailMessage:
    # The signature was sanitized when it was saved; it goes into the HTML as HTML.
    values = {"companyname": company, "email_signature": Markup(signature_html or "")}  # noqa: S704
    return build_message(
        sender=sender,
        to=[to],
        subject=f"{TEST_EMAIL_SUBJECT} ({company})",
        html=render_html(wrapper, TEST_EMAIL_BODY, values, charset),
        text=render_text(wrapper, TEST_EMAIL_BODY, values),
        charset=charset,
    )

"""The final email: predefined header + merged body + predefined footer, text part, headers.

Pure: data in, a finished EmailMessage (and its SMTP envelope) out. No Flask, no database. Every
email the product sends is made by compose_email().
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import css_inline
from markupsafe import Markup

from djaboo.mail.html_bounds import MAX_EMAIL_CHARS, MAX_EMAIL_DEPTH, html_problem
from djaboo.mail.html_text import html_to_text
from djaboo.mail.merge import fill, fill_html, fill_text
from djaboo.mail.message import MessageError, Party, build_message, envelope_for
from djaboo.mail.mime import OutgoingMessage
from djaboo.mail.sanitize import sanitize_html
from djaboo.mail.transports.base import Envelope

BASE_CSS = """
body { margin: 0; padding: 16px; font-family: Arial, Helvetica, sans-serif; font-size: 14px;
       line-height: 1.5; color: #1d2330; background: #ffffff; }
p { margin: 0 0 12px; }
a { color: #2453d6; }
table { border-collapse: collapse; }
td, th { padding: 4px 8px; vertical-align: top; }
h1, h2, h3 { margin: 0 0 12px; line-height: 1.25; }
"""
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
MAX_ATTACHMENT_NAME = 100
PREVIEW_TAGS = frozenset({"mark"})  # merge.highlight_missing_html, in previews


@dataclass(frozen=True)
class Wrapper:
    """The space's predefined header and footer (sanitized HTML, may hold merge fields)."""

    header_html: str = ""
    footer_html: str = ""


@dataclass(frozen=True)
class TemplateText:
    """One event's template as stored: the body is sanitized HTML with merge fields."""

    subject: str
    body_html: str
    plain_text: bool = False


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True)
class Composed:
    message: OutgoingMessage
    envelope: Envelope
    subject: str
    html: str | None
    text: str
    to_display: str  # who it is addressed to, as people read it (no encoded words)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


def signature_for(personal_html: str, global_html: str) -> str:
    """The sender's (or, for automatic emails, the document owner's) own signature, else the
    space's global one."""
    return personal_html if (personal_html or "").strip() else (global_html or "")


def render_subject(subject_template: str, values: dict, missing=None) -> str:
    """The subject. A value the app made of several lines (an address, as HTML) is joined
    with commas; a line break in a plain value (stored data) stays, and the message build
    refuses it (mail/message.py)."""
    return fill(subject_template, values, _one_line, missing).strip()


def _one_line(value) -> str:
    if isinstance(value, Markup):
        return ", ".join(line.strip() for line in html_to_text(str(value)).splitlines() if line)
    return str(value)


def render_html(
    wrapper: Wrapper, body_html: str, values: dict, charset: str = "utf-8", missing=None
) -> str:
    """Header + body + footer, each merged in one pass, CSS inlined for every mail client."""
    parts = [
        fill_html(p, values, missing) for p in (wrapper.header_html, body_html, wrapper.footer_html)
    ]
    inner = "\n".join(p for p in parts if p)
    problem = html_problem(inner, max_chars=MAX_EMAIL_CHARS, max_depth=MAX_EMAIL_DEPTH)
    if problem:  # saved before the bounds existed, or written around the forms
        raise MessageError(f"The email's HTML cannot be used. {problem}")
    # Again after merging: a value that is a whole URL (javascript:...) loses its attribute.
    inner = sanitize_html(inner, extra_tags=PREVIEW_TAGS)
    document = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        f"<style>{BASE_CSS}</style></head><body>\n{inner}\n</body></html>"
    )
    try:
        return _INLINER.inline(document)
    except ValueError as exc:  # css_inline's errors (InlineError) are ValueErrors
        raise MessageError(f"The email's HTML could not be prepared ({exc}).") from None
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException(BaseException)
        if type(exc).__name__ != "PanicException":
            raise
        raise MessageError("The email's HTML could not be prepared (the inliner failed).") from None


def render_text(wrapper: Wrapper, body_html: str, values: dict, missing=None) -> str:
    """The text alternative: each part turned into text first, then merged with plain values."""
    parts = [
        fill_text(html_to_text(p), values, missing)
        for p in (wrapper.header_html, body_html, wrapper.footer_html)
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def safe_attachment_name(name: str) -> str:
    """No path, no control characters, a sane length; the extension survives shortening."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".") or "attachment"
    if len(name) > MAX_ATTACHMENT_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        keep = MAX_ATTACHMENT_NAME - (len(ext) + 1 if ext else 0)
        name = (stem if dot else name)[:keep] + (f".{ext}" if ext else "")
    return name


def compose_email(
    *,
    template: TemplateText,
    wrapper: Wrapper,
    values: dict,
    sender: Party,
    to: list[Party],
    cc: list[Party] = (),
    reply_to: Party | None = None,
    bcc: list[str] = (),
    charset: str = "utf-8",
    message_id: str | None = None,
    date: datetime | None = None,
    attachments: list[Attachment] = (),
    in_reply_to: str | None = None,
    references: list[str] = (),
    automatic: bool = False,
) -> Composed:
    """The one way an email is made. Raises MessageError (a PermanentError) when it cannot be.

    in_reply_to/references: the Message-IDs of earlier emails this one follows, so that the
    recipient's mail program shows them as one conversation (RFC 5322 section 3.6.4).
    automatic: no person sent it (a reminder, a thank-you, a notice): it carries
    `Auto-Submitted: auto-generated` and `X-Auto-Response-Suppress: All`, so that
    out-of-office robots leave it unanswered (RFC 3834). A staff member's send is not."""
    if not to:
        raise MessageError("An email needs at least one recipient.")
    subject = render_subject(template.subject, values)
    html = (
        None if template.plain_text else render_html(wrapper, template.body_html, values, charset)
    )
    text = render_text(wrapper, template.body_html, values)
    msg = build_message(
        sender=sender,
        to=list(to),
        cc=list(cc),
        reply_to=reply_to,
        subject=subject,
        html=html,
        text=text,
        charset=charset,
        message_id=message_id,
        date=date,
        in_reply_to=in_reply_to,
        references=list(references),
        automatic=automatic,
    )
    for attachment in attachments:
        msg.add_attachment(
            attachment.content, attachment.mime_type, safe_attachment_name(attachment.filename)
        )
    envelope = envelope_for(msg, sender.email, [p.email for p in (*to, *cc)], list(bcc))
    shown = ", ".join(f"{p.name} <{p.email}>" if p.name.strip() else p.email for p in to)
    return Composed(msg, envelope, subject, html, text, shown)

"""Response headers that make the browser refuse framing, sniffing and foreign scripts."""

from __future__ import annotations

from functools import wraps

from flask import Flask, Response, g

# Everything is served from this origin; no inline scripts or styles are used by our own pages.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
# A page with an email preview: the preview is a sandboxed srcdoc iframe (no scripts, not
# same-origin), which inherits the page's policy. An email's styles are inline (as mail clients
# need them), so without this the preview would not look like the email that is sent.
EMAIL_PREVIEW_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


# A page with the rich-text editor (static/js/rich_editor.js, Jodit): the email HTML it edits is
# placed in the page itself, and that HTML carries inline styles (a header's border, a table's
# widths); Jodit's own toolbar and popups set style attributes too. The same relaxation as a
# preview, for styles only: scripts stay 'self', so nothing typed or pasted can run. (The template
# editor and the send page hold a preview too: shows_email_preview already grants the same.)
RICH_EDITOR_POLICY = EMAIL_PREVIEW_POLICY


def shows_email_preview(view):
    """For views whose page holds an email preview frame."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.content_security_policy = EMAIL_PREVIEW_POLICY
        return view(*args, **kwargs)

    return wrapped


def edits_email_html(view):
    """For views whose page holds a rich-text editor (a field marked data-rich-editor)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.content_security_policy = RICH_EDITOR_POLICY
        return view(*args, **kwargs)

    return wrapped


def allow_form_action(origin: str) -> None:
    """This page's form may lead to `origin` (Connect Microsoft 365 / Google: the app answers
    the POST with a redirect to the provider's sign-in, which form-action also governs)."""
    policy = g.get("content_security_policy", CONTENT_SECURITY_POLICY)
    g.content_security_policy = policy.replace("form-action 'self'", f"form-action 'self' {origin}")


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", g.get("content_security_policy", CONTENT_SECURITY_POLICY)
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        # Pages show customer data and staff details; nothing should sit in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)

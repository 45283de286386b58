"""Where the sample links of previews and test emails lead: a page that says what a customer
would see there, so that every link in every email we send opens something."""

from __future__ import annotations

from flask import abort, render_template

from djaboo.documents.views import bp
from djaboo.i18n import _l

# (kind, number, the page's title, its heading, what a real link opens); whole sentences per
# kind, as French agrees them with the kind's gender.
SAMPLES = {
    "invoice": (
        "invoice",
        "INV-000042",
        _l("Sample invoice link"),
        _l("Sample invoice %(number)s"),
        _l(
            "This link came from a preview or a test email. In a real email, it opens the "
            "customer's own invoice: its lines and totals, a <strong>Download PDF</strong> "
            "button, without signing in."
        ),
    ),
    "estimate": (
        "estimate",
        "EST-000007",
        _l("Sample estimate link"),
        _l("Sample estimate %(number)s"),
        _l(
            "This link came from a preview or a test email. In a real email, it opens the "
            "customer's own estimate: its lines and totals, a <strong>Download PDF</strong> "
            "button, and <strong>Accept</strong> / <strong>Decline</strong>, without signing in."
        ),
    ),
    "credit-note": (
        "credit note",
        "CN-000003",
        _l("Sample credit note link"),
        _l("Sample credit note %(number)s"),
        _l(
            "This link came from a preview or a test email. In a real email, it opens the "
            "customer's own credit note: its lines and totals, a <strong>Download PDF</strong> "
            "button, without signing in."
        ),
    ),
}


@bp.route("/p/sample-<any(invoice, estimate, 'credit-note'):kind>")
def public_sample(kind: str):
    if kind not in SAMPLES:
        abort(404)
    label, number, title, heading, body = SAMPLES[kind]
    return render_template(
        "documents/public_sample.html",
        kind=label,
        number=number,
        title=title,
        heading=heading % {"number": number},
        body=body,
    )

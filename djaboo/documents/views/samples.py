"""Where the sample links of previews and test emails lead: a page that says what a customer
would see there, so that every link in every email we send opens something."""

from __future__ import annotations

from flask import abort, render_template

from djaboo.documents.views import bp

SAMPLES = {
    "invoice": ("invoice", "INV-000042"),
    "estimate": ("estimate", "EST-000007"),
    "credit-note": ("credit note", "CN-000003"),
}


@bp.route("/p/sample-<any(invoice, estimate, 'credit-note'):kind>")
def public_sample(kind: str):
    if kind not in SAMPLES:
        abort(404)
    label, number = SAMPLES[kind]
    return render_template("documents/public_sample.html", kind=label, number=number)

"""What a customer sees through the link in an email: no sign-in, one document, nothing else."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request
from flask_wtf import FlaskForm

from djaboo.documents.estimating import answer_estimate
from djaboo.documents.invoicing import InvoiceRuleError
from djaboo.documents.models import Estimate, Invoice
from djaboo.documents.pdf import document_pdf
from djaboo.documents.public_links import find_link
from djaboo.documents.statuses import estimate_status
from djaboo.documents.views import bp
from djaboo.documents.views.common import document_context
from djaboo.extensions import db


def _invoice(token: str) -> Invoice:
    link = find_link("invoice", token)
    invoice = db.session.get(Invoice, link.doc_id) if link else None
    if invoice is None or invoice.space_id != link.space_id or invoice.status == "draft":
        abort(404)
    return invoice


@bp.route("/p/invoice/<token>")
def public_invoice(token: str):
    invoice = _invoice(token)
    return render_template(
        "documents/public_invoice.html",
        invoice=invoice,
        token=token,
        today=date.today(),
        **document_context(invoice),
    )


@bp.route("/p/invoice/<token>/pdf")
def public_invoice_pdf(token: str):
    invoice = _invoice(token)
    content = document_pdf("invoice", invoice, document_context(invoice))
    db.session.commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{invoice.number}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex",
        },
    )


def _estimate(token: str) -> Estimate:
    link = find_link("estimate", token)
    estimate = db.session.get(Estimate, link.doc_id) if link else None
    if estimate is None or estimate.space_id != link.space_id or estimate.status == "draft":
        abort(404)
    return estimate


@bp.route("/p/estimate/<token>", methods=["GET", "POST"])
def public_estimate(token: str):
    """The customer views the estimate and may accept or decline it."""
    estimate = _estimate(token)
    form = FlaskForm()
    message = None
    if form.validate_on_submit():
        try:
            answer_estimate(estimate, request.form.get("answer") == "accept", date.today())
        except InvoiceRuleError as exc:
            db.session.rollback()
            message = str(exc)
        else:
            db.session.commit()
            message = (
                "Thank you: the estimate is accepted."
                if estimate.status == "accepted"
                else "The estimate is declined. Thank you for letting us know."
            )
    return render_template(
        "documents/public_estimate.html",
        estimate=estimate,
        token=token,
        form=form,
        message=message,
        can_answer=estimate_status(estimate, date.today()) == "sent",
        **document_context(estimate),
    )


@bp.route("/p/estimate/<token>/pdf")
def public_estimate_pdf(token: str):
    estimate = _estimate(token)
    content = document_pdf("estimate", estimate, document_context(estimate))
    db.session.commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{estimate.number}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex",
        },
    )

"""What a customer sees through the link in an email: no sign-in, one document, nothing else."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_wtf import FlaskForm

from djaboo.documents.estimating import answer_estimate
from djaboo.documents.invoicing import InvoiceRuleError
from djaboo.documents.models import Estimate, Invoice
from djaboo.documents.public_links import find_link
from djaboo.documents.sheet import document_context
from djaboo.documents.statuses import estimate_status
from djaboo.documents.views import bp
from djaboo.documents.views.common import MODELS
from djaboo.documents.views.document_pages import pdf_response
from djaboo.extensions import db


def _shared(doc_type: str, token: str):
    """The document this live token was made for; anything else is a plain 404."""
    link = find_link(doc_type, token)
    document = db.session.get(MODELS[doc_type], link.doc_id) if link else None
    if document is None or document.space_id != link.space_id or document.status == "draft":
        abort(404)
    return document


def _invoice(token: str) -> Invoice:
    return _shared("invoice", token)


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
    return pdf_response("invoice", _invoice(token), public=True)


def _estimate(token: str) -> Estimate:
    return _shared("estimate", token)


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
    return pdf_response("estimate", _estimate(token), public=True)

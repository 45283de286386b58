"""Estimates: list, create, edit, show, PDF, the customer's answer, becoming an invoice."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import contains_eager

from djaboo.db import space_select
from djaboo.documents.estimating import (
    answer_estimate,
    convert_to_invoice,
    create_estimate,
    update_estimate,
)
from djaboo.documents.forms import EstimateForm
from djaboo.documents.invoicing import InvoiceRuleError
from djaboo.documents.listing import paginate
from djaboo.documents.models import Customer, Estimate
from djaboo.documents.public_links import active_link, public_url
from djaboo.documents.sheet import document_context
from djaboo.documents.statuses import ESTIMATE_LABELS, estimate_status
from djaboo.documents.views import bp
from djaboo.documents.views.common import load_document
from djaboo.documents.views.document_pages import (
    create_page,
    edit_page,
    email_history,
    pdf_response,
)
from djaboo.extensions import db
from djaboo.request_guard import query_id

SORTS = {
    "-number": (Estimate.id.desc(),),
    "number": (Estimate.id,),
    "expiry": (Estimate.expiry_date, Estimate.id),
    "-total": (Estimate.total.desc(), Estimate.id.desc()),
    "total": (Estimate.total, Estimate.id),
}


@bp.route("/estimates")
@login_required
def estimate_list():
    select = (
        space_select(Estimate, current_user.space_id)
        .join(Customer)
        .options(contains_eager(Estimate.customer))
    )
    status, today = request.args.get("status", ""), date.today()
    if status == "expired":
        select = select.where(Estimate.status.in_(("draft", "sent")), Estimate.expiry_date < today)
    elif status in ESTIMATE_LABELS:
        select = select.where(Estimate.status == status)
    page = paginate(
        select,
        args=request.args,
        sorts=SORTS,
        default_sort="-number",
        search_columns=(Estimate.number, Customer.company),
    )
    return render_template(
        "documents/estimates.html",
        page=page,
        status=status,
        today=today,
        labels=ESTIMATE_LABELS,
        estimate_status=estimate_status,
    )


@bp.route("/estimates/new", methods=["GET", "POST"])
@login_required
def estimate_create():
    form = EstimateForm(customer_id=request.args.get("customer", type=query_id))
    return create_page("estimate", form, create_estimate)


@bp.route("/estimates/<int:estimate_id>/edit", methods=["GET", "POST"])
@login_required
def estimate_edit(estimate_id: int):
    estimate = load_document("estimate", estimate_id)
    return edit_page("estimate", estimate, EstimateForm(obj=estimate), update_estimate)


@bp.route("/estimates/<int:estimate_id>")
@login_required
def estimate_detail(estimate_id: int):
    estimate = load_document("estimate", estimate_id)
    emails = email_history("estimate", estimate)
    link = public_url(active_link(estimate.space_id, "estimate", estimate.id))
    db.session.commit()
    return render_template(
        "documents/estimate.html",
        estimate=estimate,
        emails=emails,
        public_link=link,
        confirm_form=FlaskForm(),
        **document_context(estimate),
    )


@bp.route("/estimates/<int:estimate_id>/pdf")
@login_required
def estimate_pdf(estimate_id: int):
    return pdf_response("estimate", load_document("estimate", estimate_id))


@bp.route("/estimates/<int:estimate_id>/answer", methods=["POST"])
@login_required
def estimate_answer(estimate_id: int):
    """Staff record the customer's answer given by phone or mail."""
    estimate = load_document("estimate", estimate_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        answer_estimate(estimate, request.form.get("answer") == "accept", date.today())
    except InvoiceRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Estimate {estimate.number} marked {estimate.status}.", "success")
    return redirect(url_for("documents.estimate_detail", estimate_id=estimate_id))


@bp.route("/estimates/<int:estimate_id>/convert", methods=["POST"])
@login_required
def estimate_convert(estimate_id: int):
    estimate = load_document("estimate", estimate_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        invoice = convert_to_invoice(estimate, current_user, date.today())
    except InvoiceRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("documents.estimate_detail", estimate_id=estimate_id))
    db.session.commit()
    flash(f"Invoice {invoice.number} created from estimate {estimate.number}.", "success")
    return redirect(url_for("documents.invoice_detail", invoice_id=invoice.id))

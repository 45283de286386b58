"""Estimates: list, create, edit, show, PDF, the customer's answer, becoming an invoice."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import contains_eager

from djaboo.db import get_in_space_or_404, space_select
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
from djaboo.documents.pdf import document_pdf
from djaboo.documents.public_links import active_link, public_url
from djaboo.documents.statuses import ESTIMATE_LABELS, estimate_status
from djaboo.documents.views import bp
from djaboo.documents.views.common import document_context, load_document
from djaboo.documents.views.invoices import customer_choices
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage

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
    form = EstimateForm(customer_id=request.args.get("customer", type=int))
    customer_choices(form)
    if not form.customer_id.choices:
        flash("Create a customer first.", "info")
        return redirect(url_for("documents.customer_create"))
    if form.validate_on_submit():
        customer = get_in_space_or_404(
            db.session, Customer, form.customer_id.data, current_user.space_id
        )
        estimate = create_estimate(customer, current_user, form)
        db.session.commit()
        flash(f"Estimate {estimate.number} created as a draft.", "success")
        return redirect(url_for("documents.estimate_detail", estimate_id=estimate.id))
    return render_template("documents/document_form.html", form=form, document=None)


@bp.route("/estimates/<int:estimate_id>/edit", methods=["GET", "POST"])
@login_required
def estimate_edit(estimate_id: int):
    estimate = load_document("estimate", estimate_id)
    form = EstimateForm(obj=estimate)
    customer_choices(form)
    if request.method == "GET":
        while len(form.lines.entries) < len(estimate.lines) + 2:
            form.lines.append_entry()
    if form.validate_on_submit():
        get_in_space_or_404(db.session, Customer, form.customer_id.data, current_user.space_id)
        try:
            update_estimate(estimate, form)
        except InvoiceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("documents.estimate_detail", estimate_id=estimate_id))
        db.session.commit()
        flash("Estimate saved.", "success")
        return redirect(url_for("documents.estimate_detail", estimate_id=estimate.id))
    return render_template("documents/document_form.html", form=form, document=estimate)


@bp.route("/estimates/<int:estimate_id>")
@login_required
def estimate_detail(estimate_id: int):
    estimate = load_document("estimate", estimate_id)
    emails = (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.space_id == estimate.space_id,
                OutboxMessage.doc_type == "estimate",
                OutboxMessage.doc_id == estimate.id,
            )
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .all()
    )
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
    estimate = load_document("estimate", estimate_id)
    content = document_pdf("estimate", estimate, document_context(estimate))
    db.session.commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{estimate.number}.pdf"'},
    )


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

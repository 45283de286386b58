"""Invoices: list, create, edit, show, PDF, payments, cancel."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import contains_eager

from djaboo.db import get_in_space_or_404, space_select
from djaboo.documents.forms import InvoiceForm, PaymentForm
from djaboo.documents.invoicing import (
    InvoiceRuleError,
    create_invoice,
    record_payment,
    update_invoice,
)
from djaboo.documents.listing import paginate
from djaboo.documents.models import Customer, Invoice
from djaboo.documents.pdf import document_pdf
from djaboo.documents.public_links import active_link, public_url
from djaboo.documents.statuses import INVOICE_LABELS, OPEN_INVOICE, invoice_status
from djaboo.documents.views import bp
from djaboo.documents.views.common import document_context, load_document
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage

SORTS = {
    "-number": (Invoice.id.desc(),),
    "number": (Invoice.id,),
    "due": (Invoice.due_date, Invoice.id),
    "-due": (Invoice.due_date.desc(), Invoice.id.desc()),
    "total": (Invoice.total, Invoice.id),
    "-total": (Invoice.total.desc(), Invoice.id.desc()),
}


def load(invoice_id: int) -> Invoice:
    return load_document("invoice", invoice_id)


def customer_choices(form) -> None:
    customers = db.session.execute(
        space_select(Customer, current_user.space_id).order_by(Customer.company)
    ).scalars()
    form.customer_id.choices = [(c.id, c.company) for c in customers]


@bp.route("/invoices")
@login_required
def invoice_list():
    select = (
        space_select(Invoice, current_user.space_id)
        .join(Customer)
        .options(contains_eager(Invoice.customer))
    )  # one query, not one per row
    status = request.args.get("status", "")
    today = date.today()
    if status == "overdue":
        select = select.where(Invoice.status.in_(OPEN_INVOICE), Invoice.due_date < today)
    elif status in INVOICE_LABELS:
        select = select.where(Invoice.status == status)
    page = paginate(
        select,
        args=request.args,
        sorts=SORTS,
        default_sort="-number",
        search_columns=(Invoice.number, Customer.company),
    )
    return render_template(
        "documents/invoices.html",
        page=page,
        status=status,
        today=today,
        labels=INVOICE_LABELS,
        invoice_status=invoice_status,
    )


@bp.route("/invoices/new", methods=["GET", "POST"])
@login_required
def invoice_create():
    form = InvoiceForm(customer_id=request.args.get("customer", type=int))
    customer_choices(form)
    if not form.customer_id.choices:
        flash("Create a customer first.", "info")
        return redirect(url_for("documents.customer_create"))
    if request.method == "GET" and form.customer_id.data:
        customer = db.session.get(Customer, form.customer_id.data)
        if customer and customer.space_id == current_user.space_id:
            form.currency.data = customer.currency
    if form.validate_on_submit():
        customer = get_in_space_or_404(
            db.session, Customer, form.customer_id.data, current_user.space_id
        )
        invoice = create_invoice(customer, current_user, form)
        db.session.commit()
        flash(f"Invoice {invoice.number} created as a draft.", "success")
        return redirect(url_for("documents.invoice_detail", invoice_id=invoice.id))
    return render_template("documents/document_form.html", form=form, document=None)


@bp.route("/invoices/<int:invoice_id>/edit", methods=["GET", "POST"])
@login_required
def invoice_edit(invoice_id: int):
    invoice = load(invoice_id)
    form = InvoiceForm(obj=invoice)
    customer_choices(form)
    if request.method == "GET":
        while len(form.lines.entries) < len(invoice.lines) + 2:
            form.lines.append_entry()
    if form.validate_on_submit():
        get_in_space_or_404(db.session, Customer, form.customer_id.data, current_user.space_id)
        try:
            update_invoice(invoice, form)
        except InvoiceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("documents.invoice_detail", invoice_id=invoice_id))
        db.session.commit()
        flash("Invoice saved.", "success")
        return redirect(url_for("documents.invoice_detail", invoice_id=invoice.id))
    return render_template("documents/document_form.html", form=form, document=invoice)


@bp.route("/invoices/<int:invoice_id>")
@login_required
def invoice_detail(invoice_id: int):
    invoice = load(invoice_id)
    emails = (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.space_id == invoice.space_id,
                OutboxMessage.doc_type == "invoice",
                OutboxMessage.doc_id == invoice.id,
            )
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .all()
    )
    link = public_url(active_link(invoice.space_id, "invoice", invoice.id))
    db.session.commit()
    return render_template(
        "documents/invoice.html",
        invoice=invoice,
        emails=emails,
        payment_form=PaymentForm(formdata=None),
        public_link=link,
        confirm_form=FlaskForm(),
        **document_context(invoice),
    )


@bp.route("/invoices/<int:invoice_id>/pdf")
@login_required
def invoice_pdf(invoice_id: int):
    invoice = load(invoice_id)
    content = document_pdf("invoice", invoice, document_context(invoice))
    db.session.commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice.number}.pdf"'},
    )


@bp.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
@login_required
def invoice_payment(invoice_id: int):
    invoice = load(invoice_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        flash(
            "Payment not recorded: "
            + "; ".join(
                f"{form[name].label.text}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            ),
            "error",
        )
    else:
        try:
            record_payment(
                invoice, current_user, form.amount.data, form.paid_on.data, form.note.data or ""
            )
        except InvoiceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Payment recorded.", "success")
    return redirect(url_for("documents.invoice_detail", invoice_id=invoice_id))


@bp.route("/invoices/<int:invoice_id>/cancel", methods=["POST"])
@login_required
def invoice_cancel(invoice_id: int):
    invoice = load(invoice_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if invoice.status == "paid":
        flash("A paid invoice cannot be cancelled.", "error")
    else:
        invoice.status = "cancelled"
        invoice.version += 1
        db.session.commit()
        flash(f"Invoice {invoice.number} cancelled.", "success")
    return redirect(url_for("documents.invoice_detail", invoice_id=invoice_id))

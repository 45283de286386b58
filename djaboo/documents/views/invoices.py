"""Invoices: list, create, edit, show, PDF, payments, cancel."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import contains_eager

from djaboo.db import space_select
from djaboo.documents.forms import InvoiceForm, PaymentForm
from djaboo.documents.invoicing import (
    InvoiceRuleError,
    create_invoice,
    record_payment,
    update_invoice,
)
from djaboo.documents.listing import paginate
from djaboo.documents.models import Customer, Invoice
from djaboo.documents.public_links import active_link, public_url
from djaboo.documents.sheet import document_context
from djaboo.documents.statuses import INVOICE_LABELS, OPEN_INVOICE, invoice_status
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
    "-number": (Invoice.id.desc(),),
    "number": (Invoice.id,),
    "due": (Invoice.due_date, Invoice.id),
    "-due": (Invoice.due_date.desc(), Invoice.id.desc()),
    "total": (Invoice.total, Invoice.id),
    "-total": (Invoice.total.desc(), Invoice.id.desc()),
}


def load(invoice_id: int) -> Invoice:
    return load_document("invoice", invoice_id)


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
    form = InvoiceForm(customer_id=request.args.get("customer", type=query_id))
    return create_page("invoice", form, create_invoice)


@bp.route("/invoices/<int:invoice_id>/edit", methods=["GET", "POST"])
@login_required
def invoice_edit(invoice_id: int):
    invoice = load(invoice_id)
    return edit_page("invoice", invoice, InvoiceForm(obj=invoice), update_invoice)


@bp.route("/invoices/<int:invoice_id>")
@login_required
def invoice_detail(invoice_id: int):
    invoice = load(invoice_id)
    emails = email_history("invoice", invoice)
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
    return pdf_response("invoice", load(invoice_id))


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

"""The page flows invoices and estimates share: create, edit, email history, PDF response."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from djaboo.db import get_in_space_or_404, space_select
from djaboo.documents.invoicing import InvoiceRuleError
from djaboo.documents.models import Customer
from djaboo.documents.pdf import PDFError, document_pdf
from djaboo.documents.sheet import document_context
from djaboo.errors import render_error
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage


def detail_url(doc_type: str, document) -> str:
    return url_for(f"documents.{doc_type}_detail", **{f"{doc_type}_id": document.id})


def _with_customers(form):
    customers = db.session.execute(
        space_select(Customer, current_user.space_id).order_by(Customer.company)
    ).scalars()
    form.customer_id.choices = [(c.id, c.company) for c in customers]
    return form


def create_page(doc_type: str, form, create_rule):
    """New document form; create_rule(customer, owner, form) adds it (the view commits)."""
    _with_customers(form)
    if not form.customer_id.choices:
        flash("Create a customer first.", "info")
        return redirect(url_for("documents.customer_create"))
    if request.method == "GET" and form.customer_id.data:
        chosen = db.session.get(Customer, form.customer_id.data)
        if chosen and chosen.space_id == current_user.space_id:
            form.currency.data = chosen.currency
    if form.validate_on_submit():
        customer = get_in_space_or_404(
            db.session, Customer, form.customer_id.data, current_user.space_id
        )
        document = create_rule(customer, current_user, form)
        db.session.commit()
        flash(f"{doc_type.capitalize()} {document.number} created as a draft.", "success")
        return redirect(detail_url(doc_type, document))
    return render_template("documents/document_form.html", form=form, document=None)


def edit_page(doc_type: str, document, form, update_rule):
    """Edit form; update_rule(document, form) may refuse with InvoiceRuleError."""
    _with_customers(form)
    if request.method == "GET":
        while len(form.lines.entries) < len(document.lines) + 2:
            form.lines.append_entry()
    if form.validate_on_submit():
        get_in_space_or_404(db.session, Customer, form.customer_id.data, current_user.space_id)
        try:
            update_rule(document, form)
        except InvoiceRuleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(detail_url(doc_type, document))
        db.session.commit()
        flash(f"{doc_type.capitalize()} saved.", "success")
        return redirect(detail_url(doc_type, document))
    return render_template("documents/document_form.html", form=form, document=document)


def email_history(doc_type: str, document) -> list[OutboxMessage]:
    return (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.space_id == document.space_id,
                OutboxMessage.doc_type == doc_type,
                OutboxMessage.doc_id == document.id,
            )
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .all()
    )


def pdf_response(doc_type: str, document, *, public: bool = False) -> Response:
    try:
        content = document_pdf(doc_type, document, document_context(document))
    except PDFError as exc:
        db.session.rollback()
        body, code = render_error(503, f"{exc} Try again in a moment.", "PDF not available")
        return Response(body, code, {"Retry-After": "30"})
    db.session.commit()  # the cached PDF, when this request rendered it
    disposition = "attachment" if public else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{document.number}.pdf"'}
    if public:
        headers.update({"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})
    return Response(content, mimetype="application/pdf", headers=headers)

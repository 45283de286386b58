"""The send view of a document: recipients, the text for this one send, live preview, Send."""

from __future__ import annotations

import uuid

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from djaboo.documents.send_forms import INVOICE_EVENTS, SendForm
from djaboo.documents.send_preview import preview_document_email
from djaboo.documents.sending import (
    SendRefused,
    SendRequest,
    default_event,
    queue_document_email,
    starting_template,
)
from djaboo.documents.views import bp
from djaboo.documents.views.invoices import document_context, load
from djaboo.extensions import db
from djaboo.mail.dispatch import deliver_soon
from djaboo.settings.transport_settings import transport_settings_for_space


def _request_from(form: SendForm) -> SendRequest:
    return SendRequest(
        event=form.event.data,
        contact_ids=list(form.contacts.data or []),
        subject=form.subject.data or "",
        body_html=form.body_html.data or "",
        cc=getattr(form.cc, "addresses", []),
        attach_pdf=form.attach_pdf.data,
        send_key=form.send_key.data or "",
    )


def _fresh_form(invoice, event: str) -> SendForm:
    template = starting_template(invoice, event)
    recipients = [c.id for c in invoice.customer.recipients]
    return SendForm(
        formdata=None,
        events=INVOICE_EVENTS,
        event=event,
        contacts=recipients,
        subject=template.subject,
        body_html=template.body_html,
        attach_pdf=True,
        send_key=uuid.uuid4().hex,
    )


def _with_choices(form: SendForm, invoice) -> SendForm:
    form.contacts.choices = [
        (c.id, f"{c.full_name} <{c.email}>".strip()) for c in invoice.customer.contacts
    ]
    return form


@bp.route("/invoices/<int:invoice_id>/send", methods=["GET", "POST"])
@login_required
def invoice_send(invoice_id: int):
    invoice = load(invoice_id)
    if request.method == "GET":
        event = request.args.get("event")
        form = _fresh_form(invoice, event if event in INVOICE_EVENTS else default_event(invoice))
        return _page(invoice, _with_choices(form, invoice))
    form = _with_choices(SendForm(events=INVOICE_EVENTS), invoice)
    if not form.validate_on_submit() or request.form.get("action") == "preview":
        return _page(invoice, form, status=400 if form.errors else 200)
    try:
        row, created = queue_document_email(
            invoice,
            current_user,
            _request_from(form),
            doc_type="invoice",
            context=document_context(invoice),
        )
    except SendRefused as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _page(invoice, form, status=400)
    db.session.commit()
    if created:
        deliver_soon(current_app._get_current_object(), [row.id], transport_settings_for_space)
        flash(f"Email to {row.to_display} queued; its delivery status is below.", "success")
    else:
        flash(f"This email was already queued ({row.status_label}); it was not sent twice.", "info")
    return redirect(url_for("documents.invoice_detail", invoice_id=invoice.id) + "#emails")


@bp.route("/invoices/<int:invoice_id>/send/preview", methods=["POST"])
@login_required
def invoice_send_preview(invoice_id: int):
    invoice = load(invoice_id)
    form = _with_choices(SendForm(events=INVOICE_EVENTS), invoice)
    errors = {} if form.validate() else dict(form.errors)
    preview = preview_document_email(invoice, current_user, _request_from(form))
    db.session.commit()  # the public link, when this is its first use
    return jsonify(
        subject=preview.subject,
        sender=preview.sender,
        recipient=preview.recipient,
        html=preview.html,
        text=preview.text,
        missing=preview.missing,
        errors=errors,
    )


def _page(invoice, form: SendForm, status: int = 200):
    preview = preview_document_email(invoice, current_user, _request_from(form))
    db.session.commit()
    return render_template(
        "documents/send.html",
        invoice=invoice,
        form=form,
        preview=preview,
        preview_url=url_for("documents.invoice_send_preview", invoice_id=invoice.id),
    ), status

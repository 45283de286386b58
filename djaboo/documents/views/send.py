"""The send view of a document: recipients, the text for this one send, live preview, Send."""

from __future__ import annotations

import uuid

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from djaboo.documents.send_forms import ESTIMATE_EVENTS, INVOICE_EVENTS, SendForm
from djaboo.documents.send_preview import preview_document_email
from djaboo.documents.sending import (
    SendRefused,
    SendRequest,
    default_event,
    queue_document_email,
    starting_template,
)
from djaboo.documents.views import bp
from djaboo.documents.views.common import load_document
from djaboo.extensions import db

EVENTS_OF = {"invoice": INVOICE_EVENTS, "estimate": ESTIMATE_EVENTS}


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


def _with_choices(form: SendForm, document) -> SendForm:
    form.contacts.choices = [
        (c.id, f"{c.full_name} <{c.email}>".strip()) for c in document.customer.contacts
    ]
    return form


def _fresh_form(document, doc_type: str, event: str) -> SendForm:
    template = starting_template(document, event)
    return SendForm(
        formdata=None,
        events=EVENTS_OF[doc_type],
        event=event,
        contacts=[c.id for c in document.customer.recipients],
        subject=template.subject,
        body_html=template.body_html,
        attach_pdf=True,
        send_key=uuid.uuid4().hex,
    )


def send_view(doc_type: str, document_id: int):
    document = load_document(doc_type, document_id)
    events = EVENTS_OF[doc_type]
    if request.method == "GET":
        event = request.args.get("event")
        form = _fresh_form(
            document, doc_type, event if event in events else default_event(document)
        )
        return _page(doc_type, document, _with_choices(form, document))
    form = _with_choices(SendForm(events=events), document)
    if not form.validate_on_submit() or request.form.get("action") == "preview":
        return _page(doc_type, document, form, status=400 if form.errors else 200)
    try:
        row, created = queue_document_email(
            document,
            current_user,
            _request_from(form),
            doc_type=doc_type,
        )
    except SendRefused as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _page(doc_type, document, form, status=400)
    db.session.commit()
    if created:
        flash(f"Email to {row.to_display} queued; its delivery status is below.", "success")
    else:
        flash(f"This email was already queued ({row.status_label}); it was not sent twice.", "info")
    return redirect(
        url_for(f"documents.{doc_type}_detail", **{f"{doc_type}_id": document.id}) + "#emails"
    )


def preview_view(doc_type: str, document_id: int):
    document = load_document(doc_type, document_id)
    form = _with_choices(SendForm(events=EVENTS_OF[doc_type]), document)
    if not form.validate():
        return jsonify(errors=dict(form.errors)), 400  # invalid input is never previewed
    preview = preview_document_email(document, current_user, _request_from(form))
    db.session.commit()  # the public link, when this is its first use
    return jsonify(
        subject=preview.subject,
        sender=preview.sender,
        recipient=preview.recipient,
        html=preview.html,
        text=preview.text,
        missing=preview.missing,
        problem=preview.problem,
        errors={},
    )


def _page(doc_type: str, document, form: SendForm, status: int = 200):
    preview = None  # invalid input is never previewed: the errors say what to fix
    if not form.errors:
        preview = preview_document_email(document, current_user, _request_from(form))
        db.session.commit()
    return render_template(
        "documents/send.html",
        document=document,
        doc_type=doc_type,
        form=form,
        preview=preview,
        detail_url=url_for(f"documents.{doc_type}_detail", **{f"{doc_type}_id": document.id}),
        preview_url=url_for(
            f"documents.{doc_type}_send_preview", **{f"{doc_type}_id": document.id}
        ),
    ), status


@bp.route("/invoices/<int:invoice_id>/send", methods=["GET", "POST"])
@login_required
def invoice_send(invoice_id: int):
    return send_view("invoice", invoice_id)


@bp.route("/invoices/<int:invoice_id>/send/preview", methods=["POST"])
@login_required
def invoice_send_preview(invoice_id: int):
    return preview_view("invoice", invoice_id)


@bp.route("/estimates/<int:estimate_id>/send", methods=["GET", "POST"])
@login_required
def estimate_send(estimate_id: int):
    return send_view("estimate", estimate_id)


@bp.route("/estimates/<int:estimate_id>/send/preview", methods=["POST"])
@login_required
def estimate_send_preview(estimate_id: int):
    return preview_view("estimate", estimate_id)

"""The send view of a document: recipients, the text for this one send, live preview, Send."""

from __future__ import annotations

import uuid

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from djaboo.documents.email_words import email_status
from djaboo.documents.kinds import DocumentKind
from djaboo.documents.send_forms import SendForm
from djaboo.documents.send_preview import preview_document_email
from djaboo.documents.sending import (
    Queued,
    SendRefused,
    SendRequest,
    inactive_events,
    queue_document_email,
    starting_template,
)
from djaboo.documents.views.common import detail_url, load_document, route_each_kind
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.events import EVENTS
from djaboo.security_headers import shows_email_preview
from djaboo.spaces.clock import space_zone
from djaboo.template_filters import local_time


def _request_from(form: SendForm) -> SendRequest:
    return SendRequest(
        event=form.event.data,
        contact_ids=list(form.contacts.data or []),
        subject=form.subject.data or "",
        body_html=form.body_html.data or "",
        cc=getattr(form.cc, "addresses", []),
        attach_pdf=form.attach_pdf.data,
        send_key=form.send_key.data or "",
        send_at=form.send_at_moment,
    )


def _with_choices(form: SendForm, document) -> SendForm:
    form.contacts.choices = [
        (c.id, f"{c.full_name} <{c.email}>".strip()) for c in document.customer.contacts
    ]
    return form


def _fresh_form(kind: DocumentKind, document, event: str) -> SendForm:
    template = starting_template(document, event)
    return SendForm(
        formdata=None,
        events=kind.events,
        space=current_user.space,
        inactive=inactive_events(document, kind.events),
        event=event,
        contacts=[c.id for c in document.customer.recipients],
        subject=template.subject,
        body_html=template.body_html,
        attach_pdf=True,
        send_key=uuid.uuid4().hex,
    )


@route_each_kind("send", "/{prefix}/{id}/send", methods=("GET", "POST"))
@shows_email_preview
def send_view(kind: DocumentKind, document_id: int):
    document = load_document(kind, document_id)
    if request.method == "GET":
        event = request.args.get("event")
        if event not in kind.events:
            event = kind.default_event(document)
        return _page(kind, document, _with_choices(_fresh_form(kind, document, event), document))
    form = _with_choices(
        SendForm(
            events=kind.events,
            space=current_user.space,
            inactive=inactive_events(document, kind.events),
        ),
        document,
    )
    if not form.validate_on_submit() or request.form.get("action") == "preview":
        return _page(kind, document, form, status=400 if form.errors else 200)
    try:
        queued = queue_document_email(document, current_user, _request_from(form))
    except SendRefused as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _page(kind, document, form, status=400)
    db.session.commit()
    flash(*_queued_message(queued))
    return redirect(detail_url(document, "#emails"))


@route_each_kind("send_preview", "/{prefix}/{id}/send/preview", methods=("POST",))
def preview_view(kind: DocumentKind, document_id: int):
    document = load_document(kind, document_id)
    form = _with_choices(
        SendForm(
            events=kind.events,
            space=current_user.space,
            inactive=inactive_events(document, kind.events),
        ),
        document,
    )
    if not form.validate():
        return jsonify(errors=dict(form.errors)), 400  # invalid input is never previewed
    preview = preview_document_email(document, current_user, _request_from(form))
    return jsonify(preview.as_json())


def _queued_message(queued: Queued) -> tuple[str, str]:
    """The flash after Send (kept in the session cookie: a few names, never a long list)."""
    if queued.created:
        several = len(queued.rows) > 1
        names = [n if len(n) <= 60 else n[:59] + "…" for n in queued.recipients[:5]]
        if len(queued.recipients) > 5:
            names.append(_("%(count)s more", count=len(queued.recipients) - 5))
        to = ", ".join(names)
        first = queued.rows[0]
        if first.status == "scheduled":
            when = local_time(first.next_attempt_at, current_user.space)
            if several:
                return _(
                    "Emails to %(to)s scheduled for %(when)s; they are below.", to=to, when=when
                ), "success"
            return _(
                "Email to %(to)s scheduled for %(when)s; it is below.", to=to, when=when
            ), "success"
        if several:
            return _("Emails to %(to)s queued; their delivery status is below.", to=to), "success"
        return _("Email to %(to)s queued; its delivery status is below.", to=to), "success"
    statuses = ", ".join(dict.fromkeys(email_status(row.status) for row in queued.rows))
    if len(queued.rows) > 1:
        return _(
            "These emails were already queued (%(statuses)s); they were not sent twice.",
            statuses=statuses,
        ), "info"
    return _(
        "This email was already queued (%(statuses)s); it was not sent twice.", statuses=statuses
    ), "info"


def _page(kind: DocumentKind, document, form: SendForm, status: int = 200):
    preview = None  # invalid input is never previewed: the errors say what to fix
    if not form.errors:
        preview = preview_document_email(document, current_user, _request_from(form))
    return render_template(
        "documents/send.html",
        document=document,
        kind=kind,
        form=form,
        preview=preview,
        detail_url=detail_url(document),
        zone=space_zone(current_user.space.timezone).key,
        preview_url=url_for(kind.endpoint("send_preview"), **{kind.id_arg: document.id}),
        catalogue=EVENTS[form.event.data].field_catalogue() if form.event.data in EVENTS else [],
    ), status

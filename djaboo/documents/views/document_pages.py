"""The pages of every kind of document: list, create, edit, show, PDF, cancel, revoke its link.

One view function per page, routed for each kind (common.route_each_kind); what differs
between kinds comes from the kind (djaboo/documents/kinds.py) and its template part."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import contains_eager

from djaboo.database_timeouts import describe
from djaboo.db import get_in_space_or_404, space_select, utcnow
from djaboo.documents.errors import DocumentRuleError
from djaboo.documents.kinds import DocumentKind, kind_of
from djaboo.documents.lifecycle import (
    cancel_document,
    create_document,
    mark_sent_without_email,
    update_document,
)
from djaboo.documents.listing import paginate
from djaboo.documents.models import Customer
from djaboo.documents.pdf import PDFError, draw_pdf, keep_pdf
from djaboo.documents.public_links import active_link, current_link, public_url, revoke_links
from djaboo.documents.sheet import document_context, render_sheet, sheet_logo_url
from djaboo.documents.totals import MAX_LINES
from djaboo.documents.views.common import detail_url, load_document, route_each_kind
from djaboo.errors import render_error
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.outbox import OutboxMessage
from djaboo.request_guard import query_id
from djaboo.spaces.clock import space_today
from djaboo.staff.models import User

log = logging.getLogger(__name__)


def _sorts(kind: DocumentKind) -> dict:
    model, when = kind.model, kind.list_date
    column = getattr(model, when.attribute)
    return {
        "-number": (model.id.desc(),),
        "number": (model.id,),
        when.sort: (column, model.id),
        f"-{when.sort}": (column.desc(), model.id.desc()),
        "total": (model.total, model.id),
        "-total": (model.total.desc(), model.id.desc()),
    }


@route_each_kind("list", "/{prefix}")
def document_list(kind: DocumentKind):
    model = kind.model
    select = (
        space_select(model, current_user.space_id)
        .join(Customer)
        .options(contains_eager(model.customer))
    )  # one query, not one per row
    status, today = request.args.get("status", ""), space_today(current_user.space)
    page = paginate(
        select.where(*kind.life.where(model, status, today)),
        args=request.args,
        sorts=_sorts(kind),
        default_sort="-number",
        search_columns=(model.number, Customer.company),
    )
    return render_template(
        "documents/document_list.html",
        kind=kind,
        page=page,
        status=status,
        today=today,
        space=current_user.space,
    )


@route_each_kind("create", "/{prefix}/new", methods=("GET", "POST"))
def document_create(kind: DocumentKind):
    # ?customer= from a customer's page; ?invoice= from the invoice a credit note corrects.
    form = kind.form(
        customer_id=request.args.get("customer", type=query_id),
        invoice_id=request.args.get("invoice", type=query_id),
    )
    form.fill_choices(current_user.space_id)
    if not form.customer_id.choices:
        flash(_("Create a customer first."), "info")
        return redirect(url_for("documents.customer_create"))
    if request.method == "GET" and form.customer_id.data:
        chosen = db.session.get(Customer, form.customer_id.data)
        if chosen and chosen.space_id == current_user.space_id:
            form.currency.data = chosen.currency
    if form.validate_on_submit():
        customer = get_in_space_or_404(
            db.session, Customer, form.customer_id.data, current_user.space_id
        )
        document = create_document(kind, customer, current_user, form)
        db.session.commit()
        flash(kind.words.created % {"number": document.number}, "success")
        return redirect(detail_url(document))
    return render_template("documents/document_form.html", kind=kind, form=form, document=None)


@route_each_kind("edit", "/{prefix}/{id}/edit", methods=("GET", "POST"))
def document_edit(kind: DocumentKind, document_id: int):
    document = load_document(kind, document_id)
    form = kind.form(obj=document)
    form.fill_choices(current_user.space_id)
    if request.method == "GET":
        # Two empty lines to fill in, never past what a document may hold.
        while len(form.lines.entries) < min(len(document.lines) + 2, MAX_LINES):
            form.lines.append_entry()
    if form.validate_on_submit():
        get_in_space_or_404(db.session, Customer, form.customer_id.data, current_user.space_id)
        try:
            update_document(document, form)
        except DocumentRuleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(detail_url(document))
        db.session.commit()
        flash(str(kind.words.saved), "success")
        return redirect(detail_url(document))
    return render_template("documents/document_form.html", kind=kind, form=form, document=document)


@route_each_kind("detail", "/{prefix}/{id}")
def document_detail(kind: DocumentKind, document_id: int):
    document = load_document(kind, document_id)
    emails = email_history(document)
    link = current_link(kind, document)  # a page shows the link; it never creates one
    context = document_context(document)
    return render_template(
        "documents/document.html",
        doc=document,
        emails=emails,
        public_link=public_url(link) if link else None,
        marked_sent_by=marked_sent_by(document),
        confirm_form=FlaskForm(),
        **{name: form(formdata=None) for name, form in kind.page_forms.items()},
        # As the customer reads it: in their language, whatever the staff page's.
        sheet_html=render_sheet(document, context, sheet_logo_url(context["seller"])),
        **context,
    )


@route_each_kind("pdf", "/{prefix}/{id}/pdf")
def document_pdf_page(kind: DocumentKind, document_id: int):
    return pdf_response(load_document(kind, document_id))


@route_each_kind(
    "cancel", "/{prefix}/{id}/cancel", methods=("POST",), where=lambda k: k.life.cancellable
)
def document_cancel(kind: DocumentKind, document_id: int):
    document = load_document(kind, document_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        cancel_document(document)
    except DocumentRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(kind.words.cancelled % {"number": document.number}, "success")
    return redirect(detail_url(document))


@route_each_kind("mark_sent", "/{prefix}/{id}/mark-sent", methods=("POST",))
def document_mark_sent(kind: DocumentKind, document_id: int):
    """Mark as sent: the status of a first send, nothing emailed (sent by post, say)."""
    document = load_document(kind, document_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        mark_sent_without_email(document, current_user, utcnow())
    except DocumentRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        status = kind.status_word(document.status)
        flash(kind.words.marked_sent % {"number": document.number, "status": status}, "success")
    return redirect(detail_url(document))


def marked_sent_by(document) -> str:
    """Who marked the document as sent, for its page ("" if nobody did)."""
    if document.marked_sent_at is None:
        return ""
    user = db.session.get(User, document.marked_sent_by_id) if document.marked_sent_by_id else None
    return user.name if user else _("a former staff member")


@route_each_kind("revoke_link", "/{prefix}/{id}/revoke-link", methods=("POST",))
def revoke_link(kind: DocumentKind, document_id: int):
    """A link forwarded to the wrong person, say: it stops working, the page shows a new one."""
    document = load_document(kind, document_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    revoke_links(kind, document)
    active_link(kind, document)
    db.session.commit()
    flash(_("The old link no longer works; a new one is shown below."), "success")
    return redirect(detail_url(document))


@route_each_kind("create_link", "/{prefix}/{id}/create-link", methods=("POST",))
def create_link(kind: DocumentKind, document_id: int):
    """A link before the first send (to paste into a chat, say); sending creates one anyway."""
    document = load_document(kind, document_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if document.status == "draft":  # customers never see drafts: the link would only 404
        flash(_("A draft is not shown to customers; send it first."), "error")
        return redirect(detail_url(document))
    active_link(kind, document)
    db.session.commit()
    flash(_("The public link is ready below."), "success")
    return redirect(detail_url(document))


def email_history(document) -> list[OutboxMessage]:
    return (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.space_id == document.space_id,
                OutboxMessage.doc_type == kind_of(document).name,
                OutboxMessage.doc_id == document.id,
            )
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .all()
    )


def pdf_response(document, *, public: bool = False) -> Response:
    try:
        drawn = draw_pdf(document, document_context(document))
    except PDFError as exc:
        db.session.rollback()
        body, code = render_error(
            503, _("%(problem)s Try again in a moment.", problem=exc), _("PDF not available")
        )
        return Response(body, code, {"Retry-After": "30"})
    if drawn.fresh:
        # Kept so the next download (anyone holding the link) does not draw it again. The one
        # write a page makes, and it may fail: a full disk or a read-only database still get
        # their PDF.
        try:
            keep_pdf(document, drawn)
            db.session.commit()
        except sa.exc.SQLAlchemyError as exc:
            db.session.rollback()
            log.warning("PDF of %s not cached: %s", document.number, describe(exc))
    content = drawn.content
    disposition = "attachment" if public else "inline"
    headers = {"Content-Disposition": f'{disposition}; filename="{document.number}.pdf"'}
    if public:
        headers.update({"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"})
    return Response(content, mimetype="application/pdf", headers=headers)

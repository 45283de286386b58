"""What a customer sees through the link in an email: no sign-in, one document, nothing else."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from djaboo.database_timeouts import describe
from djaboo.documents.kinds import DocumentKind
from djaboo.documents.public_links import find_link
from djaboo.documents.sheet import document_context, sheet_logo_url
from djaboo.documents.viewing import is_staff_of, record_view, view_is_due
from djaboo.documents.views.common import route_each_kind
from djaboo.documents.views.document_pages import pdf_response
from djaboo.extensions import db
from djaboo.i18n import with_language
from djaboo.spaces.clock import space_today

log = logging.getLogger(__name__)


def shared_document(kind: DocumentKind, token: str):
    """The document this live token was made for; anything else is a plain 404."""
    link = find_link(kind, token)
    document = db.session.get(kind.model, link.doc_id) if link else None
    if document is None or document.space_id != link.space_id or document.status == "draft":
        abort(404)
    return document


def public_page(document, token: str, message: str | None = None):
    """The customer's page; the kind's template part adds what the customer may do there."""
    context = document_context(document)
    with with_language(context["language"]):  # the customer's, whoever opens the link
        return render_template(
            "documents/public.html",
            doc=document,
            token=token,
            form=FlaskForm(),
            message=message,
            today=space_today(context["space"]),
            logo_src=sheet_logo_url(context["seller"]),
            **context,
        )


@route_each_kind("public", "/p/{name}/<token>", public=True)
def public_document(kind: DocumentKind, token: str):
    document = shared_document(kind, token)
    page = public_page(document, token)  # drawn first: whatever the write does, it is shown
    customer = not is_staff_of(current_user, document)
    if request.method == "GET" and customer and view_is_due(document):
        _note_view(document)
    return page


def _note_view(document) -> None:
    """The one write a GET makes on purpose (tests/test_get_never_writes.py lists it). A full
    disk, a read-only database or a lock held too long lose the record, never the page."""
    number = document.number
    try:
        record_view(document)
        db.session.commit()
    except sa.exc.SQLAlchemyError as exc:
        log.warning("view of %s not recorded: %s", number, describe(exc))
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError as again:  # the connection died with it
            log.warning("rollback after it failed too: %s", describe(again))


@route_each_kind("public_pdf", "/p/{name}/<token>/pdf", public=True)
def public_document_pdf(kind: DocumentKind, token: str):
    return pdf_response(shared_document(kind, token), public=True)

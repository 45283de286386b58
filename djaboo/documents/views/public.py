"""What a customer sees through the link in an email: no sign-in, one document, nothing else."""

from __future__ import annotations

from flask import abort, render_template
from flask_wtf import FlaskForm

from djaboo.documents.kinds import DocumentKind
from djaboo.documents.public_links import find_link
from djaboo.documents.sheet import document_context
from djaboo.documents.views.common import route_each_kind
from djaboo.documents.views.document_pages import pdf_response
from djaboo.extensions import db
from djaboo.spaces.clock import space_today


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
    return render_template(
        "documents/public.html",
        doc=document,
        token=token,
        form=FlaskForm(),
        message=message,
        today=space_today(context["space"]),
        **context,
    )


@route_each_kind("public", "/p/{name}/<token>", public=True)
def public_document(kind: DocumentKind, token: str):
    return public_page(shared_document(kind, token), token)


@route_each_kind("public_pdf", "/p/{name}/<token>/pdf", public=True)
def public_document_pdf(kind: DocumentKind, token: str):
    return pdf_response(shared_document(kind, token), public=True)

"""Revoking a document's public link (a link forwarded to the wrong person, say)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import login_required
from flask_wtf import FlaskForm

from djaboo.documents.public_links import revoke_links
from djaboo.documents.views import bp
from djaboo.documents.views.common import load_document
from djaboo.extensions import db


@bp.route("/<any(invoices, estimates):kind>/<int:document_id>/revoke-link", methods=["POST"])
@login_required
def revoke_link(kind: str, document_id: int):
    doc_type = kind[:-1]
    document = load_document(doc_type, document_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    revoke_links(document.space_id, doc_type, document.id)  # the next view makes a new one
    db.session.commit()
    flash("The old link no longer works; a new one is shown below.", "success")
    return redirect(url_for(f"documents.{doc_type}_detail", **{f"{doc_type}_id": document.id}))

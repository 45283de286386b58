"""What a customer sees through the link in an email: no sign-in, one document, nothing else."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template

from djaboo.documents.models import Invoice
from djaboo.documents.pdf import document_pdf
from djaboo.documents.public_links import find_link
from djaboo.documents.views import bp
from djaboo.documents.views.invoices import document_context
from djaboo.extensions import db


def _invoice(token: str) -> Invoice:
    link = find_link("invoice", token)
    invoice = db.session.get(Invoice, link.doc_id) if link else None
    if invoice is None or invoice.space_id != link.space_id or invoice.status == "draft":
        abort(404)
    return invoice


@bp.route("/p/invoice/<token>")
def public_invoice(token: str):
    invoice = _invoice(token)
    return render_template(
        "documents/public_invoice.html",
        invoice=invoice,
        token=token,
        today=date.today(),
        **document_context(invoice),
    )


@bp.route("/p/invoice/<token>/pdf")
def public_invoice_pdf(token: str):
    invoice = _invoice(token)
    content = document_pdf("invoice", invoice, document_context(invoice))
    db.session.commit()
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{invoice.number}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex",
        },
    )

"""PDFs of invoices and estimates, from the same HTML as their page, cached per version.

The renderer fetches nothing: no file:, no http(s): URLs, so a hostile note or line item cannot
make the server read local files or reach the network. Only data: images are used.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from djaboo.db import insert_or_ignore, utcnow
from djaboo.documents.models import DocumentPDF
from djaboo.extensions import db

MAX_DATA_URL = 512 * 1024


def refuse_fetch(url: str, timeout: int = 10, ssl_context=None, **_):
    """WeasyPrint url_fetcher: only small data: URLs; everything else is refused."""
    if url.startswith("data:") and len(url) <= MAX_DATA_URL:
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise ValueError(f"PDF rendering does not fetch {url[:60]!r}")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on first use: it takes half a second

    return HTML(string=html, url_fetcher=refuse_fetch, base_url="about:blank").write_pdf()


def document_pdf(doc_type: str, document, context: dict) -> bytes:
    """The cached PDF of this version of the document, rendered on first need."""
    cached = db.session.execute(
        sa.select(DocumentPDF.content).where(
            DocumentPDF.doc_type == doc_type,
            DocumentPDF.doc_id == document.id,
            DocumentPDF.version == document.version,
        )
    ).scalar_one_or_none()
    if cached is not None:
        return cached
    html = render_template("documents/pdf.html", doc_type=doc_type, doc=document, **context)
    content = render_pdf(html)
    # Another worker may cache the same version at the same moment; either copy is right.
    insert_or_ignore(
        db.session,
        DocumentPDF.__table__,
        space_id=document.space_id,
        doc_type=doc_type,
        doc_id=document.id,
        version=document.version,
        content=content,
        created_at=utcnow(),
    )
    return content

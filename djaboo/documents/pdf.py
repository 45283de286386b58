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


def _fetcher():
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        """Only small data: URLs; file:, http(s): and everything else are refused."""

        def __init__(self):
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if len(url) > MAX_DATA_URL:
                raise ValueError("data: URL too large")
            return super().fetch(url, headers)

    return DataOnlyFetcher()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on first use: it takes half a second

    return HTML(string=html, url_fetcher=_fetcher(), base_url="about:blank").write_pdf()


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
    html = render_template("documents/pdf.html", doc=document, **{**context, "doc_type": doc_type})
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

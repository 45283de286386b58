"""PDFs of documents of every kind, from the same HTML as their page, cached per printed content.

The renderer fetches nothing: no file:, no http(s): URLs, so a hostile note or line item cannot
make the server read local files or reach the network. Only data: images are used.
"""

from __future__ import annotations

import hashlib
import multiprocessing

import sqlalchemy as sa
from flask import current_app, render_template

from djaboo.db import insert_or_ignore, utcnow
from djaboo.documents.kinds import kind_of
from djaboo.documents.models import DocumentPDF
from djaboo.extensions import db


class PDFError(RuntimeError):
    """The PDF could not be made; the message says why in words a user can act on."""


_context = None


def _processes():
    """A forkserver with WeasyPrint preloaded, started on first use in each process."""
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["weasyprint", "djaboo.documents.pdf_child"])
        _context = context
    return _context


def render_pdf(html: str, timeout: float | None = None) -> bytes:
    """The PDF of html, made in a child process that is killed after `timeout` seconds.

    WeasyPrint can take minutes on a hostile document and, being native code underneath, could
    crash: in a child, either costs one PDF, never the web worker or the mail worker."""
    from djaboo.documents import pdf_child

    timeout = timeout or current_app.config["PDF_TIMEOUT"]
    context = _processes()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=pdf_child.render_to, args=(html, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise PDFError(f"Making the PDF took longer than {timeout:g} seconds.")
        ok, result = receiver.recv()
    except EOFError:
        child.join(1)
        raise PDFError(f"The PDF renderer stopped (exit code {child.exitcode}).") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if not ok:
        raise PDFError(f"The PDF could not be made: {result}.")
    return result


def document_pdf(document, context: dict, *, store: bool = True) -> bytes:
    """The PDF of the document as it is now, cached by the exact HTML it is drawn from: the
    status printed on it ("Overdue" from the due date on) is part of the key, not only the
    version. Raises PDFError when it cannot be made in time. store=False (a page that shows
    the PDF: GET requests never write) uses the cache but does not fill it."""
    kind = kind_of(document)
    html = render_template("documents/pdf.html", doc=document, **{**context, "kind": kind})
    digest = hashlib.sha256(html.encode()).hexdigest()
    mine = (DocumentPDF.doc_type == kind.name, DocumentPDF.doc_id == document.id)
    cached = db.session.execute(
        sa.select(DocumentPDF.content).where(*mine, DocumentPDF.html_sha256 == digest)
    ).scalar_one_or_none()
    if cached is not None:
        return cached
    content = render_pdf(html)
    if not store:
        return content
    # Older states of this document are never shown again; keep one PDF per document.
    db.session.execute(sa.delete(DocumentPDF).where(*mine, DocumentPDF.html_sha256 != digest))
    # Another worker may cache the same PDF at the same moment; either copy is right.
    insert_or_ignore(
        db.session,
        DocumentPDF.__table__,
        space_id=document.space_id,
        doc_type=kind.name,
        doc_id=document.id,
        version=document.version,
        html_sha256=digest,
        content=content,
        created_at=utcnow(),
    )
    return content

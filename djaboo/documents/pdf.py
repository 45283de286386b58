"""PDFs of documents of every kind, from the same HTML as their page, cached per printed content.

The renderer fetches nothing: no file:, no http(s): URLs, so a hostile note or line item cannot
make the server read local files or reach the network. Only data: images are used.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template

from djaboo.db import insert_or_ignore, utcnow
from djaboo.documents.kinds import kind_of
from djaboo.documents.models import DocumentPDF
from djaboo.extensions import db
from djaboo.i18n import _, with_language
from djaboo.settings.company import company_profile_for, logo_data_url


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
            raise PDFError(
                _("Making the PDF took longer than %(seconds)s seconds.", seconds=f"{timeout:g}")
            )
        ok, result = receiver.recv()
    except EOFError:
        child.join(1)
        raise PDFError(
            _("The PDF renderer stopped (exit code %(code)s).", code=child.exitcode)
        ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if not ok:
        raise PDFError(_("The PDF could not be made: %(problem)s.", problem=result))
    return result


@dataclass(frozen=True)
class DrawnPDF:
    content: bytes
    html_sha256: str
    fresh: bool  # drawn now, not found in the cache


def draw_pdf(document, context: dict) -> DrawnPDF:
    """The PDF of the document as it is now: from the cache, which is keyed by the exact HTML it
    is drawn from (the status printed on it, "Overdue" from the due date on, is part of the
    key, not only the version), else drawn. Raises PDFError when it cannot be made in time."""
    kind = kind_of(document)
    seller = context["seller"]
    logo = logo_data_url(company_profile_for(context["space"])) if seller.has_logo else ""
    with with_language(context["language"]):  # the customer's, whoever asks for it
        html = render_template(
            "documents/pdf.html", doc=document, logo_src=logo, **{**context, "kind": kind}
        )
    digest = hashlib.sha256(html.encode()).hexdigest()
    cached = db.session.execute(
        sa.select(DocumentPDF.content).where(*_of(document), DocumentPDF.html_sha256 == digest)
    ).scalar_one_or_none()
    if cached is not None:
        return DrawnPDF(cached, digest, fresh=False)
    return DrawnPDF(render_pdf(html), digest, fresh=True)


def keep_pdf(document, drawn: DrawnPDF) -> None:
    """Cache a freshly drawn PDF (flushed, not committed), replacing the document's older ones:
    they are never shown again."""
    db.session.execute(
        sa.delete(DocumentPDF).where(*_of(document), DocumentPDF.html_sha256 != drawn.html_sha256)
    )
    # Another worker may cache the same PDF at the same moment; either copy is right.
    insert_or_ignore(
        db.session,
        DocumentPDF.__table__,
        space_id=document.space_id,
        doc_type=kind_of(document).name,
        doc_id=document.id,
        version=document.version,
        html_sha256=drawn.html_sha256,
        content=drawn.content,
        created_at=utcnow(),
    )


def document_pdf(document, context: dict) -> bytes:
    """The PDF as it is now, cached (for a send, in the caller's transaction)."""
    drawn = draw_pdf(document, context)
    if drawn.fresh:
        keep_pdf(document, drawn)
    return drawn.content


def _of(document) -> tuple:
    return (DocumentPDF.doc_type == kind_of(document).name, DocumentPDF.doc_id == document.id)

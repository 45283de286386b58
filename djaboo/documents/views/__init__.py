from flask import Blueprint

from djaboo.documents import email_words
from djaboo.documents.statuses import status_word

bp = Blueprint("documents", __name__)
email_words.register(bp)


@bp.app_template_filter("document_status")
def document_status(status: str, kind_name: str = "invoice") -> str:
    """A document's stored status in the reader's language: `i.status|document_status`."""
    return str(status_word(kind_name, status))


# The view modules register their routes on bp when imported.
from djaboo.documents.views import (  # noqa: E402, F401, I001
    customers,
    document_pages,
    emails,
    estimates,
    invoices,
    public,
    reminders,
    samples,
    send,
)

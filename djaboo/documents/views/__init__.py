from flask import Blueprint

bp = Blueprint("documents", __name__)

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

from flask import Blueprint

bp = Blueprint("documents", __name__)

from djaboo.documents.views import customers, emails, estimates, invoices, links, public, send  # noqa: E402, F401, I001

"""What a document sheet shows besides the document: on its page, its public page and its PDF.

A sheet is written in its customer's language (djaboo/i18n.py), whoever looks at it: labels,
amounts, dates, the order of names, and what that country's invoices must say (a Japanese
qualified invoice; a French invoice's legal mentions).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import render_template, url_for
from markupsafe import Markup

from djaboo.documents.kinds import kind_of
from djaboo.documents.merge_facts import reader_language
from djaboo.documents.statuses import status_word
from djaboo.documents.totals import totals_by_rate
from djaboo.extensions import db
from djaboo.i18n import with_language
from djaboo.settings.company import seller_of
from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space

# Rates marked on each line of a sheet in that language: Japan's reduced consumption tax
# (軽減税率, food and newspapers) is marked ※ on a qualified invoice.
REDUCED_RATES = {"ja": frozenset({Decimal(8)})}


def sheet_status(kind, status: str):
    """The status printed on the sheet, in the language it is rendered in."""
    return status_word(kind.name, status)


def status_label(document, today: date | None = None) -> str:
    if today is None:
        today = space_today(db.session.get(Space, document.space_id))
    return kind_of(document).life.label_on(document, today)


def document_context(document) -> dict:
    """What the document sheet (page, public page and PDF) shows besides the document; `kind`
    picks the kind's own template parts (templates/documents/kinds/<name>.html)."""
    space = db.session.get(Space, document.space_id)
    today = space_today(space)
    kind = kind_of(document)
    language = reader_language(document, space)
    recipients = document.customer.recipients
    status = kind.life.status_on(document, today)
    return {
        "space": space,
        "status": status,  # the status as shown today: "overdue" where stored "unpaid"
        "status_label": status_label(document, today),
        "kind": kind,
        "language": language,
        "sheet_status": sheet_status(kind, status),
        "seller": seller_of(space),
        "attention": recipients[0].name_in(language) if recipients else "",
        "rates": totals_by_rate(document.lines, document.currency),
        "reduced_rates": REDUCED_RATES.get(language, frozenset()),
    }


def sheet_logo_url(seller) -> str:
    """The logo on a page (the PDF carries its own copy)."""
    return url_for("company.logo", key=seller.logo_key) if seller.has_logo else ""


def render_sheet(document, context: dict, logo_src: str = "") -> Markup:
    """The sheet in its customer's language, for a page written in another (the staff's)."""
    with with_language(context["language"]):
        return Markup(  # noqa: S704 - our own template, rendered with autoescape
            render_template("documents/_sheet.html", doc=document, logo_src=logo_src, **context)
        )

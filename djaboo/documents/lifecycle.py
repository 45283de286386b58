"""The rules every kind of document follows: created as a draft with the next number of its
kind, changed until its status locks it, marked sent by its first email, cancelled when its
kind allows. A status that locks it cancels its emails still waiting to go (unwanted_emails.py).
Add and flush only; the caller commits."""

from __future__ import annotations

from decimal import Decimal

from djaboo.documents.errors import DocumentRuleError
from djaboo.documents.kinds import DocumentKind, kind_of
from djaboo.documents.models import Customer
from djaboo.documents.numbering import next_number
from djaboo.documents.recording import lock_documents
from djaboo.documents.unwanted_emails import withdraw_unwanted_emails
from djaboo.extensions import db
from djaboo.i18n import _, _l
from djaboo.staff.models import User


def create_document(kind: DocumentKind, customer: Customer, owner: User, form):
    """A draft of this kind for customer, from a validated form of the kind."""
    document = kind.model(
        space_id=customer.space_id,
        customer_id=customer.id,
        number=next_number(customer.space_id, kind),
        owner_id=owner.id,
        status="draft",
        version=1,
        issue_date=form.issue_date.data,
        currency=form.currency.data,
    )
    db.session.add(document)
    _apply(kind, document, form)
    db.session.flush()
    return document


def update_document(document, form) -> None:
    kind = kind_of(document)
    if document.status in kind.life.locked:
        raise DocumentRuleError(_("%(document)s cannot be changed.", document=_a(document, kind)))
    _apply(kind, document, form)
    document.version += 1
    withdraw_unwanted_emails(document)  # lines cut to what was paid: the invoice is paid


def mark_sent(document, when) -> None:
    """The status change that goes with the first email (an invoice: draft -> unpaid)."""
    if document.status == "draft":
        document.status = kind_of(document).life.sent_status
        document.version += 1
    document.sent_at = document.sent_at or when


def mark_sent_without_email(document, user: User, when) -> None:
    """Mark as sent: a draft handed over some other way (by post, in person). Its status
    changes as on a first email, nothing is emailed (nothing goes in the outbox), and who did
    it and when are kept for its page. The document is locked and read again first, so a send
    or another click at the same moment does it once."""
    kind = kind_of(document)
    lock_documents(kind, [document.id])
    db.session.refresh(document)
    if document.status != "draft":
        raise DocumentRuleError(
            _(
                "%(document)s cannot be marked as sent: only a draft can.",
                document=_a(document, kind),
            )
        )
    mark_sent(document, when)
    document.marked_sent_at = when
    document.marked_sent_by_id = user.id


def cancel_document(document) -> None:
    kind = kind_of(document)
    if document.status == "cancelled":
        raise DocumentRuleError(kind.words.already_cancelled % {"number": document.number})
    if document.status not in kind.life.cancellable:
        raise DocumentRuleError(_("%(document)s cannot be cancelled.", document=_a(document, kind)))
    document.status = "cancelled"
    document.version += 1
    withdraw_unwanted_emails(document)


def copy_lines(source, target_kind: DocumentKind) -> list:
    """Lines of another document, for a document of target_kind."""
    return [
        target_kind.line_model(
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
        )
        for line in source.lines
    ]


def _apply(kind: DocumentKind, document, form) -> None:
    """Customer, dates, currency, notes, the non-blank lines and the kind's own fields."""
    document.customer_id = form.customer_id.data
    document.issue_date = form.issue_date.data
    document.currency = form.currency.data
    document.notes = form.notes.data or ""
    for name, value in form.kind_values().items():
        setattr(document, name, value)
    document.lines.clear()
    db.session.flush()
    filled = [entry.form for entry in form.lines.entries if not entry.form.is_blank]
    for position, line in enumerate(filled, start=1):
        document.lines.append(
            kind.line_model(
                position=position,
                description=line.description.data.strip(),
                quantity=line.quantity.data,
                unit_price=line.unit_price.data,
                tax_rate=line.tax_rate.data or Decimal(0),
            )
        )
    kind.recompute(document)


# "A paid invoice", "An accepted estimate": (A, An) per kind, the status in the reader's words
# (French agrees it: "Une facture payée", "Un devis accepté").
_A_DOCUMENT = {
    "invoice": (_l("A %(status)s invoice"), _l("An %(status)s invoice")),
    "estimate": (_l("A %(status)s estimate"), _l("An %(status)s estimate")),
    "credit_note": (_l("A %(status)s credit note"), _l("An %(status)s credit note")),
}


def _a(document, kind: DocumentKind) -> str:
    english = kind.life.labels[document.status].lower()
    phrase = _A_DOCUMENT[kind.name][english[0] in "aeiou"]
    return phrase % {"status": str(kind.status_word(document.status)).lower()}

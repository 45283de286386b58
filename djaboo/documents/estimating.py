"""What only estimates do: the customer's answer, and becoming an invoice."""

from __future__ import annotations

from datetime import date, timedelta

from djaboo.documents.errors import DocumentRuleError
from djaboo.documents.invoicing import recompute
from djaboo.documents.kinds import ESTIMATE, INVOICE
from djaboo.documents.lifecycle import copy_lines
from djaboo.documents.models import Estimate, Invoice
from djaboo.documents.numbering import next_number
from djaboo.documents.unwanted_emails import withdraw_unwanted_emails
from djaboo.extensions import db
from djaboo.i18n import _, _l
from djaboo.settings.company import payment_terms_of
from djaboo.staff.models import User

ALREADY_ANSWERED = {
    "accepted": _l("This estimate is already accepted."),
    "declined": _l("This estimate is already declined."),
}


def answer_estimate(estimate: Estimate, accepted: bool, today: date) -> None:
    """The customer's answer (on the public page, or recorded by staff)."""
    status = ESTIMATE.life.status_on(estimate, today)
    if status not in ("sent", "draft"):
        # Lazy: the customer's page shows it in their language, a staff page in the staff's.
        raise DocumentRuleError(
            _l("This estimate can no longer be accepted or declined.")
            if status == "expired"
            else ALREADY_ANSWERED.get(status, _l("This estimate can no longer be answered."))
        )
    estimate.status = "accepted" if accepted else "declined"
    estimate.version += 1
    withdraw_unwanted_emails(estimate)  # answered: no "please answer" may still go out


def convert_to_invoice(estimate: Estimate, owner: User, today: date) -> Invoice:
    """An accepted estimate becomes a draft invoice with the same lines, once."""
    if estimate.status != "accepted":
        raise DocumentRuleError(_("Only an accepted estimate can become an invoice."))
    if estimate.invoice_id:
        raise DocumentRuleError(_("This estimate is already an invoice."))
    invoice = Invoice(
        space_id=estimate.space_id,
        customer_id=estimate.customer_id,
        number=next_number(estimate.space_id, INVOICE),
        owner_id=owner.id,
        issue_date=today,
        due_date=today + timedelta(days=payment_terms_of(estimate.space_id)),
        currency=estimate.currency,
        status="draft",
        version=1,
        notes=estimate.notes,
        lines=copy_lines(estimate, INVOICE),
    )
    db.session.add(invoice)
    db.session.flush()
    recompute(invoice)
    estimate.invoice_id = invoice.id
    return invoice

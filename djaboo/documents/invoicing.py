"""What only invoices have: payments, and the paid status they decide. Add and flush only."""

from __future__ import annotations

from decimal import Decimal

from djaboo.documents.errors import DocumentRuleError
from djaboo.documents.models import Invoice, Payment
from djaboo.documents.statuses import paid_status
from djaboo.documents.totals import refresh_totals, round_money
from djaboo.documents.unwanted_emails import withdraw_unwanted_emails
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.staff.models import User


def recompute(invoice: Invoice) -> None:
    """Totals from the lines, amount paid from the payments, and the status they make."""
    refresh_totals(invoice)
    invoice.amount_paid = sum((p.amount for p in invoice.payments), Decimal(0))
    if invoice.status not in ("draft", "cancelled"):
        invoice.status = paid_status(invoice.total, invoice.amount_paid)


def record_payment(
    invoice: Invoice,
    user: User,
    amount: Decimal,
    paid_on,
    note: str,
    *,
    submit_key: str | None = None,
) -> Payment:
    """Add the payment and the status it makes. Its thank-you: thank_you.py, which calls this."""
    if invoice.status in ("draft", "cancelled"):
        raise DocumentRuleError(
            _("Send the invoice before recording payments.")
            if invoice.status == "draft"
            else _("This invoice is cancelled.")
        )
    amount = round_money(amount, invoice.currency)
    if amount > invoice.amount_due:
        raise DocumentRuleError(_("The payment is more than the amount due."))
    payment = Payment(
        space_id=invoice.space_id,
        amount=amount,
        paid_on=paid_on,
        note=note,
        recorded_by_id=user.id,
        submit_key=submit_key,
    )
    invoice.payments.append(payment)
    recompute(invoice)
    invoice.version += 1
    db.session.flush()
    withdraw_unwanted_emails(invoice)  # paid now: no "please pay" may still go out
    return payment

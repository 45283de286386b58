"""Creating and changing invoices: numbers, lines, cached totals, payments. Add and flush only."""

from __future__ import annotations

from decimal import Decimal

from djaboo.documents.models import Customer, Invoice, InvoiceLine, Payment
from djaboo.documents.numbering import next_number
from djaboo.documents.statuses import paid_status
from djaboo.documents.totals import document_totals, round_money
from djaboo.extensions import db
from djaboo.staff.models import User


class InvoiceRuleError(ValueError):
    """A change the rules refuse; the message is shown to the user."""


def _apply(invoice: Invoice, form) -> None:
    apply_common(invoice, form, InvoiceLine)
    invoice.due_date = form.due_date.data
    invoice.reminders_enabled = form.reminders_enabled.data
    recompute(invoice)


def apply_common(document, form, line_class) -> None:
    """Customer, dates, currency, notes and the non-blank lines of a DocumentForm."""
    document.customer_id = form.customer_id.data
    document.issue_date = form.issue_date.data
    document.currency = form.currency.data
    document.notes = form.notes.data or ""
    document.lines.clear()
    db.session.flush()
    filled = [entry.form for entry in form.lines.entries if not entry.form.is_blank]
    for position, line in enumerate(filled, start=1):
        document.lines.append(
            line_class(
                position=position,
                description=line.description.data.strip(),
                quantity=line.quantity.data,
                unit_price=line.unit_price.data,
                tax_rate=line.tax_rate.data or Decimal(0),
            )
        )


def recompute(invoice: Invoice) -> None:
    totals = document_totals(invoice.lines, invoice.currency)
    invoice.subtotal, invoice.tax_total, invoice.total = totals.subtotal, totals.tax, totals.total
    invoice.amount_paid = sum((p.amount for p in invoice.payments), Decimal(0))
    if invoice.status not in ("draft", "cancelled"):
        invoice.status = paid_status(invoice.total, invoice.amount_paid)


def create_invoice(customer: Customer, owner: User, form) -> Invoice:
    invoice = Invoice(
        space_id=customer.space_id,
        number=next_number(customer.space_id, "invoice"),
        owner_id=owner.id,
        status="draft",
        version=1,
        issue_date=form.issue_date.data,
        due_date=form.due_date.data,
        currency=form.currency.data,
        customer_id=customer.id,
    )
    db.session.add(invoice)
    _apply(invoice, form)
    db.session.flush()
    return invoice


def update_invoice(invoice: Invoice, form) -> None:
    if invoice.status in ("paid", "cancelled"):
        raise InvoiceRuleError(f"A {invoice.status} invoice cannot be changed.")
    _apply(invoice, form)
    invoice.version += 1


def record_payment(invoice: Invoice, user: User, amount: Decimal, paid_on, note: str) -> Payment:
    if invoice.status in ("draft", "cancelled"):
        raise InvoiceRuleError(
            "Send the invoice before recording payments."
            if invoice.status == "draft"
            else "This invoice is cancelled."
        )
    amount = round_money(amount, invoice.currency)
    if amount > invoice.amount_due:
        raise InvoiceRuleError("The payment is more than the amount due.")
    payment = Payment(
        space_id=invoice.space_id, amount=amount, paid_on=paid_on, note=note, recorded_by_id=user.id
    )
    invoice.payments.append(payment)
    recompute(invoice)
    invoice.version += 1
    db.session.flush()
    return payment


def mark_sent(invoice: Invoice, when) -> None:
    """The status change that goes with the first email: draft -> unpaid."""
    if invoice.status == "draft":
        invoice.status = "unpaid"
        invoice.version += 1
    invoice.sent_at = invoice.sent_at or when

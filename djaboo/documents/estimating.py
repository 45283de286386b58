"""Estimates: creation, changes, the customer's answer, and becoming an invoice."""

from __future__ import annotations

from datetime import date, timedelta

from djaboo.documents.invoicing import InvoiceRuleError, apply_common, recompute
from djaboo.documents.models import Customer, Estimate, EstimateLine, Invoice, InvoiceLine
from djaboo.documents.numbering import next_number
from djaboo.documents.statuses import estimate_status
from djaboo.documents.totals import document_totals
from djaboo.extensions import db
from djaboo.staff.models import User


def _apply(estimate: Estimate, form) -> None:
    apply_common(estimate, form, EstimateLine)
    estimate.expiry_date = form.expiry_date.data
    totals = document_totals(estimate.lines, estimate.currency)
    estimate.subtotal, estimate.tax_total, estimate.total = (
        totals.subtotal,
        totals.tax,
        totals.total,
    )


def create_estimate(customer: Customer, owner: User, form) -> Estimate:
    estimate = Estimate(
        space_id=customer.space_id,
        customer_id=customer.id,
        number=next_number(customer.space_id, "estimate"),
        owner_id=owner.id,
        status="draft",
        version=1,
        issue_date=form.issue_date.data,
        expiry_date=form.expiry_date.data,
        currency=form.currency.data,
    )
    db.session.add(estimate)
    _apply(estimate, form)
    db.session.flush()
    return estimate


def update_estimate(estimate: Estimate, form) -> None:
    if estimate.status in ("accepted", "declined"):
        raise InvoiceRuleError(f"An {estimate.status} estimate cannot be changed.")
    _apply(estimate, form)
    estimate.version += 1


def answer_estimate(estimate: Estimate, accepted: bool, today: date) -> None:
    """The customer's answer (on the public page, or recorded by staff)."""
    status = estimate_status(estimate, today)
    if status not in ("sent", "draft"):
        raise InvoiceRuleError(
            "This estimate can no longer be accepted or declined."
            if status == "expired"
            else f"This estimate is already {status}."
        )
    estimate.status = "accepted" if accepted else "declined"
    estimate.version += 1


def convert_to_invoice(estimate: Estimate, owner: User, today: date) -> Invoice:
    """An accepted estimate becomes a draft invoice with the same lines, once."""
    if estimate.status != "accepted":
        raise InvoiceRuleError("Only an accepted estimate can become an invoice.")
    if estimate.invoice_id:
        raise InvoiceRuleError("This estimate is already an invoice.")
    invoice = Invoice(
        space_id=estimate.space_id,
        customer_id=estimate.customer_id,
        number=next_number(estimate.space_id, "invoice"),
        owner_id=owner.id,
        issue_date=today,
        due_date=today + timedelta(days=30),
        currency=estimate.currency,
        status="draft",
        version=1,
        notes=estimate.notes,
    )
    for line in estimate.lines:
        invoice.lines.append(
            InvoiceLine(
                position=line.position,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
            )
        )
    db.session.add(invoice)
    db.session.flush()
    recompute(invoice)
    estimate.invoice_id = invoice.id
    return invoice


def mark_estimate_sent(estimate: Estimate, when) -> None:
    if estimate.status == "draft":
        estimate.status = "sent"
        estimate.version += 1
    estimate.sent_at = estimate.sent_at or when

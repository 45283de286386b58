"""What a document's status means today. "Overdue" and "expired" are not stored: they follow
from the dates, so they are never stale."""

from __future__ import annotations

from datetime import date

from djaboo.documents.models import Estimate, Invoice

INVOICE_LABELS = {
    "draft": "Draft",
    "unpaid": "Unpaid",
    "partially_paid": "Partially paid",
    "paid": "Paid",
    "overdue": "Overdue",
    "cancelled": "Cancelled",
}
ESTIMATE_LABELS = {
    "draft": "Draft",
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "expired": "Expired",
}
OPEN_INVOICE = ("unpaid", "partially_paid")


def invoice_status(invoice: Invoice, today: date) -> str:
    if invoice.status in OPEN_INVOICE and invoice.due_date < today:
        return "overdue"
    return invoice.status


def estimate_status(estimate: Estimate, today: date) -> str:
    if estimate.status in ("draft", "sent") and estimate.expiry_date < today:
        return "expired"
    return estimate.status


def paid_status(total, amount_paid) -> str:
    if amount_paid <= 0:
        return "unpaid"
    return "paid" if amount_paid >= total else "partially_paid"

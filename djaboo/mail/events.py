"""The events that send email, each with the merge fields its template may use."""

from __future__ import annotations

from dataclasses import dataclass

from djaboo.mail.fields import FIELDS, fields_of

LANGUAGES = {"en": "English", "fr": "Français", "ja": "日本語"}


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    description: str
    groups: tuple[str, ...]

    @property
    def fields(self) -> list[str]:
        return fields_of(self.groups)

    def field_catalogue(self) -> list[tuple[str, str]]:
        return [(name, FIELDS[name][1]) for name in self.fields]


_COMMON = ("contact", "company", "staff")
EVENTS = {
    e.key: e
    for e in [
        Event(
            "invoice_sent",
            "Invoice sent to customer",
            "Sent when staff send an invoice for the first time.",
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_resent",
            "Invoice already sent (re-send)",
            "Sent when staff send an invoice again.",
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_due_soon",
            "Invoice due soon",
            "Automatic reminder a few days before the due date.",
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_overdue",
            "Invoice overdue notice",
            "First automatic reminder after the due date, and the manual overdue notice.",
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_overdue_repeat",
            "Invoice still overdue (repeat notice)",
            "Automatic reminder sent again while an invoice stays unpaid.",
            ("invoice", *_COMMON),
        ),
        Event(
            "payment_received",
            "Payment received (thank-you)",
            "Sent when a payment is recorded.",
            ("invoice", "payment", *_COMMON),
        ),
        Event(
            "estimate_sent",
            "Estimate sent to customer",
            "Sent when staff send an estimate.",
            ("estimate", *_COMMON),
        ),
        Event(
            "estimate_expiring",
            "Estimate expiring soon",
            "Reminder before an estimate's expiry date.",
            ("estimate", *_COMMON),
        ),
        Event(
            "credit_note_sent",
            "Credit note sent to customer",
            "Sent when staff send a credit note.",
            ("credit_note", *_COMMON),
        ),
        Event(
            "test_email",
            "Test email",
            "Sent by Settings → Email → Send Test Email.",
            ("company", "staff"),
        ),
    ]
}

"""The emails documents send: their events, in the order pages list them, and register(),
which adds them with their merge fields and preview source to the mail core and the editor."""

from __future__ import annotations

from djaboo.documents.merge_fields import FIELD_GROUPS, N_
from djaboo.documents.template_previews import invoice_choices, invoice_preview_facts
from djaboo.email_templates.preview_sources import PreviewSource, register_preview_source
from djaboo.mail.events import Event, register_event
from djaboo.mail.fields import register_fields

_COMMON = ("contact", "company", "staff")
DOCUMENT_EVENTS = {
    e.key: e
    for e in [
        Event(
            "invoice_sent",
            N_("Invoice sent to customer"),
            N_("Sent when staff send an invoice for the first time."),
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_resent",
            N_("Invoice already sent (re-send)"),
            N_("Sent when staff send an invoice again."),
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_due_soon",
            N_("Invoice due soon"),
            N_("Automatic reminder a few days before the due date."),
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_overdue",
            N_("Invoice overdue notice"),
            N_("First automatic reminder after the due date, and the manual overdue notice."),
            ("invoice", *_COMMON),
        ),
        Event(
            "invoice_overdue_repeat",
            N_("Invoice still overdue (repeat notice)"),
            N_("Automatic reminder sent again while an invoice stays unpaid."),
            ("invoice", *_COMMON),
        ),
        Event(
            "payment_received",
            N_("Payment received (thank-you)"),
            N_("Sent when a payment is recorded (Settings → Reminders)."),
            ("invoice", "payment", *_COMMON),
        ),
        Event(
            "estimate_sent",
            N_("Estimate sent to customer"),
            N_("Sent when staff send an estimate."),
            ("estimate", *_COMMON),
        ),
        Event(
            "estimate_expiring",
            N_("Estimate expiring soon"),
            N_("Automatic reminder before an estimate's expiry date (Settings → Reminders)."),
            ("estimate", *_COMMON),
        ),
        Event(
            "credit_note_sent",
            N_("Credit note sent to customer"),
            N_("Sent when staff send a credit note."),
            ("credit_note", *_COMMON),
        ),
    ]
}


def register() -> None:
    """Called once per app by create_app (and by the tests before they collect); again is
    harmless: each registry keeps one of each."""
    for group in FIELD_GROUPS:
        register_fields(group)
    for event in DOCUMENT_EVENTS.values():
        register_event(event)
    register_preview_source(PreviewSource("invoice", invoice_choices, invoice_preview_facts))

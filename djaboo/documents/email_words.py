"""The email log's words in the reader's language: an email's status, why it exists and what
each recipient got. The mail core (djaboo/mail/outbox.py, recipient_results.py) keeps its
English labels for logs and notices; a staff page shows these, whose English is the same words
(tests/documents/test_staff_pages_translated.py holds them equal)."""

from __future__ import annotations

from flask import Blueprint

from djaboo.i18n import _, _lp
from djaboo.mail.recipient_results import (
    SUMMARY_LISTED,
    SUMMARY_WORDS,
    RecipientResult,
    recipient_outcomes,
)

# "email status": the same English word may name a time ("Queued" at 10:02) or a document's
# status ("Cancelled" invoice); an email's status is translated on its own.
STATUS_WORDS = {
    "queued": _lp("email status", "Queued"),
    "scheduled": _lp("email status", "Scheduled"),
    "sending": _lp("email status", "Sending"),
    "sent": _lp("email status", "Accepted by the server"),
    "retry": _lp("email status", "Will retry"),
    "failed": _lp("email status", "Failed"),
    "attention": _lp("email status", "Needs attention"),
    "unknown": _lp("email status", "Unknown (check)"),
    "withdrawn": _lp("email status", "Not sent: no longer needed"),
    "cancelled": _lp("email status", "Cancelled"),
    "bounced": _lp("email status", "Bounced"),
}
ORIGIN_WORDS = {
    "manual": _lp("email origin", "Sent by staff"),
    "reminder": _lp("email origin", "Automatic reminder"),
    "test": _lp("email origin", "Test email"),
    "thank_you": _lp("email origin", "Payment thank-you"),
    "notice": _lp("email origin", "Notice to staff"),
    "password_reset": _lp("email origin", "Password reset"),
}
OUTCOME_WORDS = {
    "accepted": _lp("email status", "Accepted by the server"),
    "refused": _lp("recipient", "Refused"),
    "deferred": _lp("recipient", "Deferred"),
}


def email_status(status: str) -> str:
    """An outbox status as the reader's language says it."""
    return str(STATUS_WORDS.get(status, status))


def email_origin(origin: str) -> str:
    return str(ORIGIN_WORDS.get(origin, origin))


def recipient_outcome(result: RecipientResult) -> str:
    return str(OUTCOME_WORDS.get(result.outcome, result.outcome))


def _clip(words: str) -> str:
    return words if len(words) <= SUMMARY_WORDS else words[: SUMMARY_WORDS - 1] + "…"


def _named(outcomes: list[RecipientResult]) -> str:
    shown = ", ".join(f"{r.address}: {_clip(r.words)}" for r in outcomes[:SUMMARY_LISTED])
    more = len(outcomes) - SUMMARY_LISTED
    return _("%(listed)s and %(count)s more", listed=shown, count=more) if more > 0 else shown


def recipient_summary(results) -> str:
    """recipient_results.recipient_summary in the reader's language: "Delivered to 2; refused
    for x@y.example: 550 5.1.1 No such user"; "" when the server answered for nobody yet."""
    outcomes = recipient_outcomes(results)
    if not outcomes:
        return ""
    by = {k: [r for r in outcomes if r.outcome == k] for k in ("accepted", "refused", "deferred")}
    parts = [_("Delivered to %(count)s", count=len(by["accepted"]))]
    if by["refused"]:
        parts.append(_("refused for %(recipients)s", recipients=_named(by["refused"])))
    if by["deferred"]:
        parts.append(_("deferred for %(recipients)s", recipients=_named(by["deferred"])))
    return _("; ").join(parts)


def register(bp: Blueprint) -> None:
    """Filters for every template: `row.status|email_status`, `row.origin|email_origin`."""
    bp.add_app_template_filter(email_status)
    bp.add_app_template_filter(email_origin)
    bp.add_app_template_filter(recipient_outcome)
    bp.add_app_template_filter(recipient_summary)

"""The emails notices send to staff: their events, in the order pages list them, and register(),
which adds them with their merge fields to the mail core (after documents, whose {estimate_…}
fields the answers use)."""

from __future__ import annotations

from djaboo.mail.events import Event, register_event
from djaboo.mail.fields import register_fields
from djaboo.mail.texts import N_
from djaboo.notices.merge_fields import FIELD_GROUPS

ESTIMATE_ACCEPTED = "estimate_accepted_notice"
ESTIMATE_DECLINED = "estimate_declined_notice"
EMAIL_FAILED = "email_failed_notice"
FAILED_DIGEST = "failed_emails_digest"
SENDING_PAUSED = "sending_paused_notice"

_STAFF = ("company", "staff")  # {staff_…}: the staff member the notice is for
NOTICE_EVENTS = {
    e.key: e
    for e in [
        Event(
            ESTIMATE_ACCEPTED,
            N_("Estimate accepted (to staff)"),
            N_("Sent to the estimate's owner when the customer accepts it on its page."),
            ("estimate", "estimate_answer", *_STAFF),
        ),
        Event(
            ESTIMATE_DECLINED,
            N_("Estimate declined (to staff)"),
            N_("Sent to the estimate's owner when the customer declines it on its page."),
            ("estimate", "estimate_answer", *_STAFF),
        ),
        Event(
            EMAIL_FAILED,
            N_("Email failed (to staff)"),
            N_(
                "Sent to the email's sender and to the admins when it fails for good, is refused "
                "for some recipients, or needs attention (Settings → Email → Tell staff about "
                "failed emails: Each time)."
            ),
            ("failed_email", *_STAFF),
        ),
        Event(
            FAILED_DIGEST,
            N_("Failed emails of the day (to staff, daily digest)"),
            N_(
                "Sent once a day, at the reminders' send hour, listing the emails that went wrong "
                "(Settings → Email → Tell staff about failed emails: Once a day)."
            ),
            ("failed_digest", *_STAFF),
        ),
        Event(
            SENDING_PAUSED,
            N_("Sending paused (to staff)"),
            N_(
                "Sent to the admins, once per pause, when the mail server refuses the space's "
                "settings (instead of one notice per email); it leaves with the waiting emails "
                "once the settings are saved again."
            ),
            ("mail_paused", *_STAFF),
        ),
    ]
}


def register() -> None:
    """Called once per app by create_app, after documents; again is harmless."""
    for group in FIELD_GROUPS:
        register_fields(group)
    for event in NOTICE_EVENTS.values():
        register_event(event)

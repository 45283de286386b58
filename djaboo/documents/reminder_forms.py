from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange

from djaboo.documents.kinds import INVOICE
from djaboo.documents.mail_events import DOCUMENT_EVENTS
from djaboo.i18n import _l

TIMEZONES = [
    SelectChoice(tz, tz) for tz in sorted(available_timezones()) if "/" in tz or tz == "UTC"
]


def days(label, maximum: int, description="", minimum: int = 0) -> IntegerField:
    return IntegerField(
        label,
        description=description,
        validators=[
            InputRequired(),
            NumberRange(
                minimum,
                maximum,
                _l("Enter a number from %(min)s to %(max)s.", min=minimum, max=maximum),
            ),
        ],
    )


def template_choice(label) -> SelectField:
    return SelectField(
        label,
        # Event names are marked in djaboo/documents/mail_events.py (N_), translated when drawn.
        choices=[SelectChoice(e, lazy_gettext(DOCUMENT_EVENTS[e].label)) for e in INVOICE.events],
        description=_l("Edited in Setup → Email Templates, in each customer's language."),
    )


class ReminderSettingsForm(FlaskForm):
    due_soon_enabled = BooleanField(_l("Send a notice before the due date"))
    due_soon_days = days(_l("Days before the due date"), 60)
    due_soon_event = template_choice(_l("Template for the due-soon notice"))
    overdue_first_days = days(_l("First overdue notice, days after the due date"), 365)
    overdue_event = template_choice(_l("Template for the first overdue notice"))
    resend_every_days = days(
        _l("Then every (days)"), 365, _l("0 sends the overdue notice only once.")
    )
    max_resends = days(_l("At most this many repeats"), 50)
    repeat_event = template_choice(_l("Template for the repeats"))
    send_hour = IntegerField(
        _l("Send at (hour, 0–23)"),
        validators=[InputRequired(), NumberRange(0, 23, _l("Enter an hour from 0 to 23."))],
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=TIMEZONES,
        description=_l("Due dates and the send hour are read in this zone."),
    )
    attach_pdf = BooleanField(
        _l("Attach the invoice PDF"),
        description=_l(
            "To the reminders and the payment thank-you; an estimate's expiry reminder "
            "attaches the estimate."
        ),
    )
    thank_you_enabled = BooleanField(
        _l("Email the customer when a payment is recorded"),
        description=_l(
            "Sends the “Payment received (thank-you)” template to the customer's contacts, "
            "signed by whoever recorded the payment. A thank-you is not a reminder: it goes "
            "even to customers whose reminders are off."
        ),
    )
    estimate_expiry_enabled = BooleanField(
        _l("Remind customers before an estimate expires"),
        description=_l(
            "Sends the “Estimate expiring soon” template once per sent estimate that is not "
            "yet accepted or declined, at the send hour above. Not to customers whose "
            "reminders are off."
        ),
    )
    estimate_expiry_days = days(_l("Days before the expiry date"), 60, minimum=1)

from __future__ import annotations

from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms.fields import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from djaboo.db import utcnow
from djaboo.documents.sending import inactive_template_message
from djaboo.email_templates.forms import check_fields
from djaboo.field_checks import BoundedHTML, HTMLTextAreaField
from djaboo.i18n import _, _l
from djaboo.mail.events import EVENTS
from djaboo.mail.message import MessageError, has_line_break, normalize_address
from djaboo.spaces.clock import NoSuchLocalTime, from_space_clock, space_time

MAX_AHEAD = timedelta(days=365)  # Send at: at most this far ahead


def _inactive(label: str) -> str:
    return _("%(template)s (inactive)", template=_(label))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SendForm(FlaskForm):
    # The idempotency key the page was drawn with (a uuid4 hex); anything else is refused.
    send_key = HiddenField(
        _l("Form"),
        validators=[
            DataRequired(_l("This form expired; reload the page.")),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$", message=_l("This form expired; reload the page.")),
        ],
    )
    event = SelectField(_l("Email"))
    contacts = CheckboxesField(_l("To"), coerce=int)
    cc = StringField(
        _l("CC"),
        validators=[Length(max=800)],
        description=_l("Up to 3 more addresses, separated by commas."),
    )
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=255)])
    body_html = HTMLTextAreaField(_l("Message"), validators=[DataRequired(), BoundedHTML(100_000)])
    attach_pdf = BooleanField(_l("Attach PDF"), default=True)
    # Send later: a wall-clock time on the space's clock; validate_send_at makes it a moment.
    send_at = DateTimeLocalField(
        _l("Send at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        render_kw={"step": 60},
    )

    def __init__(
        self, *args, events: tuple[str, ...], space, inactive: set[str] = frozenset(), **kwargs
    ):
        """events: what this document's kind may send (DocumentKind.events); space: whose
        clock Send at is read on; inactive: events whose template is switched off (marked, and
        refused)."""
        super().__init__(*args, **kwargs)
        self.inactive = set(inactive)
        self.event.choices = [
            SelectChoice(
                e, _inactive(EVENTS[e].label) if e in self.inactive else _(EVENTS[e].label)
            )
            for e in events
        ]
        self.space = space
        self.send_at.moment = None  # the UTC moment of a valid Send at

    @property
    def send_at_moment(self):
        """When to send (aware UTC), or None: now."""
        return self.send_at.moment

    @property
    def active_choices(self) -> list[SelectChoice]:
        """The events this page may still send, to offer instead of an inactive one."""
        return [c for c in self.event.choices if c.value not in self.inactive]

    @property
    def inactive_problem(self) -> str:
        """Why the chosen template cannot be sent, or "" (shown before anyone posts it too)."""
        return (
            inactive_template_message(self.event.data) if self.event.data in self.inactive else ""
        )

    def validate_event(self, field):
        if field.data in self.inactive:
            raise ValidationError(inactive_template_message(field.data))

    @property
    def allowed_fields(self) -> list[str]:
        return EVENTS[self.event.data].fields if self.event.data in EVENTS else []

    def validate_contacts(self, field):
        if not field.data:
            raise ValidationError(_("Choose at least one recipient."))

    def validate_cc(self, field):
        addresses = [a.strip() for a in (field.data or "").split(",") if a.strip()]
        if len(addresses) > 3:
            raise ValidationError(_("At most %(count)s CC addresses.", count=3))
        try:
            field.addresses = [normalize_address(a) for a in addresses]
        except MessageError as exc:
            raise ValidationError(exc.message) from None

    def validate_subject(self, field):
        if has_line_break(field.data or ""):
            raise ValidationError(_("A subject cannot contain line breaks."))
        check_fields(field.data, self.allowed_fields)

    def validate_body_html(self, field):
        check_fields(field.data, self.allowed_fields)

    def validate_send_at(self, field):
        if field.data is None:  # not a date and time: its parse error says so
            return
        now = utcnow()
        # Compared on the wall clock first: a year 9999 or 0001 never reaches a conversion.
        local_now = space_time(self.space, now).replace(tzinfo=None)
        if field.data <= local_now:
            raise ValidationError(_("Choose a time in the future, or leave it empty to send now."))
        if field.data > local_now + MAX_AHEAD + timedelta(days=1):
            raise ValidationError(_("At most a year ahead."))
        try:
            moment = from_space_clock(self.space, field.data)
        except NoSuchLocalTime as exc:
            raise ValidationError(str(exc)) from None
        if moment <= now:
            raise ValidationError(_("Choose a time in the future, or leave it empty to send now."))
        if moment > now + MAX_AHEAD:
            raise ValidationError(_("At most a year ahead."))
        field.moment = moment

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from babel.numbers import format_decimal
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from djaboo.db import space_select
from djaboo.documents.models import Customer, Invoice
from djaboo.documents.totals import MAX_AMOUNT, MAX_LINES, document_totals
from djaboo.extensions import db
from djaboo.field_checks import display_name, single_line, without_bidi
from djaboo.i18n import _, _l, _lp, current_locale
from djaboo.mail.events import LANGUAGES
from djaboo.mail.message import MessageError, normalize_address
from djaboo.settings.company import payment_terms_of
from djaboo.spaces.clock import space_today

CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN"]
CURRENCY_CHOICES = [SelectChoice(c, c) for c in CURRENCIES]
CURRENCY_CODES = frozenset(CURRENCIES)


def _today() -> date:
    """Form defaults are dates on the signed-in user's space clock, like every other date."""
    return space_today(current_user.space)


def _in_30_days() -> date:
    return _today() + timedelta(days=30)


def _after_payment_terms() -> date:
    """A new invoice's due date: the payment terms of Setup → Company after today."""
    return _today() + timedelta(days=payment_terms_of(current_user.space_id))


# The invoices a credit note may be set against: the latest, enough for a choice list.
CREDITABLE_INVOICES = 500


@dataclass(frozen=True)
class _Line:
    """A line as typed, for checking the totals before anything is stored."""

    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal


LANGUAGE_CHOICES = [SelectChoice("", _l("Space default"))] + [
    SelectChoice(code, label) for code, label in LANGUAGES.items()
]


def one_address(form, field):
    if field.data:
        try:
            field.data = normalize_address(field.data)
        except MessageError as exc:
            raise ValidationError(exc.message) from None


NAME = dict(validators=[Length(max=100), single_line, display_name], filters=[without_bidi])


class ContactForm(FlaskForm):
    first_name = StringField(_l("First name"), **NAME)
    last_name = StringField(_l("Last name"), **NAME)
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), one_address])
    phone = StringField(_l("Phone"), validators=[Length(max=40), single_line])
    is_primary = BooleanField(_l("Primary contact"))
    receives_documents = BooleanField(_l("Receives invoice and estimate emails"), default=True)


class CustomerForm(FlaskForm):
    company = StringField(
        _lp("customer", "Company"), validators=[DataRequired(), Length(max=200), single_line]
    )
    address = TextAreaField(_l("Address"), validators=[Length(max=1000)])
    vat_number = StringField(_l("VAT number"), validators=[Length(max=40), single_line])
    language = SelectField(
        _l("Language"),
        choices=LANGUAGE_CHOICES,
        description=_l("The language of the emails this customer gets."),
    )
    currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES)
    reminders_enabled = BooleanField(_l("Send overdue reminders"), default=True)


class NewCustomerForm(CustomerForm):
    """A customer with its first contact, in one go."""

    first_name = StringField(_l("First name"), **NAME)
    last_name = StringField(_l("Last name"), **NAME)
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254), one_address])
    phone = StringField(_l("Phone"), validators=[Length(max=40), single_line])


class LineForm(FlaskForm):
    class Meta:
        csrf = False  # part of the invoice form, which carries the token

    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    quantity = DecimalField(
        _l("Quantity"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, max=10**8, message=_l("Enter a quantity from 0.")),
        ],
    )
    unit_price = DecimalField(
        _l("Unit price"),
        places=None,
        validators=[Optional(), NumberRange(min=-(10**10), max=10**10)],
    )
    tax_rate = DecimalField(
        _l("Tax %"),
        places=None,
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message=_l("A tax rate is between 0 and 100.")),
        ],
    )

    @property
    def is_blank(self) -> bool:
        return not (self.description.data or "").strip() and self.unit_price.data is None


class DocumentForm(FlaskForm):
    """What every kind of document shares: customer, currency, dates, notes and lines.

    A kind's form adds its own fields and names them: DATE_FIELDS are drawn beside the issue
    date, OPTION_FIELDS after the notes, and kind_values() is what they store."""

    DATE_FIELDS: tuple[str, ...] = ()
    OPTION_FIELDS: tuple[str, ...] = ()

    customer_id = SelectField(_l("Customer"), coerce=int, validators=[DataRequired()])
    issue_date = DateField(_l("Issue date"), default=_today, validators=[DataRequired()])
    currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES)
    notes = TextAreaField(
        _l("Notes"), validators=[Length(max=5000)], description=_l("Shown on the document.")
    )
    # One more than allowed is read, so that too many lines is an error rather than a silent cut.
    lines = FieldList(
        FormField(LineForm), label=_l("Lines"), min_entries=3, max_entries=MAX_LINES + 1
    )

    def validate_lines(self, field):
        filled = [entry.form for entry in field.entries if not entry.form.is_blank]
        if not filled:
            raise ValidationError(_("Add at least one line."))
        if len(field.entries) > MAX_LINES:
            raise ValidationError(_("A document has at most %(count)s lines.", count=MAX_LINES))
        for line in filled:
            if not (line.description.data or "").strip():
                line.description.errors.append(_("Describe the line."))
            if line.unit_price.data is None:
                line.unit_price.errors.append(_("Enter a unit price."))
            if line.quantity.data is None:
                line.quantity.errors.append(_("Enter a quantity."))
        if any(line.errors for line in filled):
            raise ValidationError(_("Some lines are incomplete."))
        totals = document_totals(
            [_Line(f.quantity.data, f.unit_price.data, f.tax_rate.data or 0) for f in filled],
            self.currency.data if self.currency.data in CURRENCY_CODES else "EUR",
        )
        if max(abs(totals.subtotal), abs(totals.total)) > MAX_AMOUNT:
            raise ValidationError(
                _(
                    "The total may not exceed %(amount)s.",
                    amount=format_decimal(MAX_AMOUNT, locale=current_locale()),
                )
            )

    def fill_choices(self, space_id: int) -> None:
        """The space's own customers are the only ones that can be chosen."""
        customers = db.session.execute(
            space_select(Customer, space_id).order_by(Customer.company)
        ).scalars()
        self.customer_id.choices = [(c.id, c.company) for c in customers]

    def kind_values(self) -> dict:
        return {}


class InvoiceForm(DocumentForm):
    DATE_FIELDS = ("due_date",)
    OPTION_FIELDS = ("reminders_enabled",)

    due_date = DateField(_l("Due date"), default=_after_payment_terms, validators=[DataRequired()])
    reminders_enabled = BooleanField(_l("Send overdue reminders for this invoice"), default=True)

    def validate_due_date(self, field):
        if self.issue_date.data and field.data and field.data < self.issue_date.data:
            raise ValidationError(_("The due date cannot be before the issue date."))

    def kind_values(self) -> dict:
        return {"due_date": self.due_date.data, "reminders_enabled": self.reminders_enabled.data}


class EstimateForm(DocumentForm):
    DATE_FIELDS = ("expiry_date",)

    expiry_date = DateField(
        _l("Valid until"),
        default=_in_30_days,
        validators=[DataRequired()],
    )

    def validate_expiry_date(self, field):
        if self.issue_date.data and field.data and field.data < self.issue_date.data:
            raise ValidationError(_("An estimate cannot expire before its date."))

    def kind_values(self) -> dict:
        return {"expiry_date": self.expiry_date.data}


class CreditNoteForm(DocumentForm):
    OPTION_FIELDS = ("invoice_id",)

    invoice_id = SelectField(
        _l("Credits invoice"),
        coerce=int,
        default=0,
        description=_l("The invoice this credit note corrects, if any."),
    )

    def fill_choices(self, space_id: int) -> None:
        super().fill_choices(space_id)
        invoices = db.session.execute(
            space_select(Invoice, space_id)
            .where(Invoice.status != "draft")
            .order_by(Invoice.id.desc())
            .limit(CREDITABLE_INVOICES)
        ).scalars()
        self.invoice_customers = {0: None}
        self.invoice_id.choices = [(0, _("None"))]
        for invoice in invoices:
            self.invoice_customers[invoice.id] = invoice.customer_id
            self.invoice_id.choices.append((invoice.id, invoice.number))

    def validate_invoice_id(self, field):
        owner = getattr(self, "invoice_customers", {}).get(field.data)
        if field.data and owner != self.customer_id.data:
            raise ValidationError(_("This invoice is another customer's."))

    def kind_values(self) -> dict:
        return {"invoice_id": self.invoice_id.data or None}


class PaymentForm(FlaskForm):
    amount = DecimalField(
        _lp("payment", "Amount"),
        places=None,
        validators=[
            DataRequired(),
            NumberRange(min=0.01, max=MAX_AMOUNT, message=_l("Enter an amount above 0.")),
        ],
    )
    paid_on = DateField(_l("Paid on"), default=_today, validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Length(max=200), single_line])
    # Drawn with the page: the same form posted twice (a double click, a retried request)
    # records one payment. A post without it (an older page) is recorded as it comes.
    submit_key = HiddenField(
        _l("Form"),
        default=lambda: uuid.uuid4().hex,
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$", message=_l("This form expired; reload the page.")),
        ],
    )

"""The Setup → Company form: the legal details, checked as the law of the country writes them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.fields import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import TextInput

from djaboo.field_checks import single_line, without_bidi
from djaboo.i18n import _, _l, current_locale
from djaboo.settings.logo import Logo, LogoRefused, read_logo
from djaboo.settings.models import MAX_PAYMENT_TERMS
from djaboo.settings.registration_numbers import CHECKS, VAT_CHECKS

MAX_LINES_TEXT = 1000  # an address, bank details: a few lines
# Territories CLDR names that are not countries a company is registered in.
NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}


def country_choices() -> list[SelectChoice]:
    """Every country, named and sorted in the page's language."""
    names = current_locale().territories
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES]
    return [SelectChoice("", _("— choose —"))] + [
        SelectChoice(code, names[code]) for code in sorted(codes, key=lambda c: names[c].casefold())
    ]


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _lines(value):
    """Text of a few lines: trailing spaces and empty lines at the ends dropped."""
    if not isinstance(value, str):
        return value
    return "\n".join(line.rstrip() for line in value.strip().splitlines())


def payment_days(form, field) -> None:
    """Whole days from 0 to MAX_PAYMENT_TERMS in plain digits; one clear sentence otherwise."""
    raw = (field.raw_data[0] if field.raw_data else "").strip()
    field.errors[:] = []
    if not raw.isascii() or not raw.isdigit() or len(raw) > 3 or int(raw) > MAX_PAYMENT_TERMS:
        raise StopValidation(_("Enter a number of days from 0 to %(max)s.", max=MAX_PAYMENT_TERMS))
    field.data = int(raw)


class CompanyForm(FlaskForm):
    legal_name = StringField(
        _l("Legal name"),
        validators=[Length(max=200), single_line],
        filters=[_stripped, without_bidi],
        description=_l("As registered; empty: the space's name is printed."),
    )
    address = TextAreaField(
        _l("Address"), validators=[Length(max=MAX_LINES_TEXT)], filters=[_lines, without_bidi]
    )
    country = SelectField(_l("Country"), choices=[], validate_choice=True)
    vat_number = StringField(
        _l("VAT number"),
        validators=[Length(max=40), single_line],
        filters=[_stripped],
    )
    registration_number = StringField(
        _l("Registration number"),
        validators=[Length(max=40), single_line],
        filters=[_stripped],
        description=_l(
            "Japan: the qualified-invoice issuer number (T and 13 digits). France: the SIREN "
            "(9 digits) or SIRET (14 digits)."
        ),
    )
    logo = FileField(
        _l("Upload a logo"),
        description=_l("PNG or JPEG, at most 512 KB and 2000 × 2000 pixels."),
        render_kw={"accept": "image/png,image/jpeg"},
    )
    remove_logo = BooleanField(_l("Remove the logo"))
    bank_details = TextAreaField(
        _l("Bank details"),
        validators=[Length(max=MAX_LINES_TEXT)],
        filters=[_lines, without_bidi],
        description=_l("Bank, IBAN and BIC, or how to pay: printed on every invoice."),
    )
    payment_terms_days = IntegerField(
        _l("Payment terms (days)"),
        validators=[payment_days],
        widget=TextInput(),
        description=_l("A new invoice is due this many days after its date (0 to 365)."),
    )
    late_penalty_text = StringField(
        _l("Late-payment penalties (France)"),
        validators=[Length(max=500), single_line],
        filters=[_stripped],
        description=_l(
            "Printed on invoices in French, and on every invoice of a company in France, as "
            "French law asks."
        ),
    )
    recovery_indemnity_text = StringField(
        _l("Fixed recovery indemnity (France)"),
        validators=[Length(max=500), single_line],
        filters=[_stripped],
        description=_l(
            "Printed on invoices in French, and on every invoice of a company in France, as "
            "French law asks."
        ),
    )
    early_payment_discount_text = StringField(
        _l("Early-payment discount (France)"),
        validators=[Length(max=500), single_line],
        filters=[_stripped],
        description=_l(
            "The discount terms for paying early (conditions d'escompte), printed where the "
            "late-payment penalties are."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.new_logo: Logo | None = None

    def validate_registration_number(self, field):
        check = CHECKS.get(self.country.data)
        if field.data and check:
            try:
                field.data = check(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None

    def validate_vat_number(self, field):
        check = VAT_CHECKS.get(self.country.data)
        if field.data and check:
            try:
                field.data = check(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None

    def validate_logo(self, field):
        """A file chosen (Flask-WTF gives a FileStorage, else None: no file, or a plain form
        value where the file belongs) is read and checked now, once."""
        if field.data is None:
            return
        try:
            self.new_logo = read_logo(field.data.stream)
        except LogoRefused as exc:
            raise ValidationError(str(exc)) from None

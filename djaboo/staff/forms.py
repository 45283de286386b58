from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from djaboo.field_checks import BoundedHTML, HTMLTextAreaField
from djaboo.i18n import _l
from djaboo.staff.accounts import MIN_PASSWORD_LENGTH, AccountError, normalize_email

PASSWORD_LENGTH_MESSAGE = _l("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
PASSWORDS_DIFFER = _l("The passwords differ.")
ROLE_CHOICES = [SelectChoice("staff", _l("Staff")), SelectChoice("admin", _l("Admin"))]
# Profile → Language: each language in its own name, whatever the page's language; empty
# follows the space's default language (staff_user.language NULL).
LANGUAGE_CHOICES = [
    SelectChoice("", _l("The space's default language")),
    SelectChoice("en", "English"),
    SelectChoice("fr", "Français"),
    SelectChoice("ja", "日本語"),
]


class LanguageField(SelectField):
    """The Language select: "" (the space's default) is stored as None."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("choices", LANGUAGE_CHOICES)
        super().__init__(label, **kwargs)

    def process_data(self, value):
        super().process_data(value or "")

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data or None)


class ValidEmail:
    """One valid addr-spec (no display name, no list); the normalized form replaces the input."""

    def __call__(self, form, field):
        try:
            field.data = normalize_email(field.data or "")
        except AccountError as exc:
            raise ValidationError(str(exc)) from None


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254), ValidEmail()],
        description=_l("The address you sign in with."),
        render_kw={"autocomplete": "username"},
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=PASSWORDS_DIFFER)],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    signature_html = HTMLTextAreaField(
        _l("Email signature"),
        validators=[Optional(), BoundedHTML(20_000)],
        editor="lines",
        description=_l(
            "Replaces the space's global signature in the emails you send. HTML allowed; "
            "scripts and forms are removed."
        ),
    )
    # Email me when… (notices to staff; the space's admins choose their texts in Email templates)
    notify_estimate_answers = BooleanField(_l("a customer accepts or declines my estimate"))
    notify_own_failures = BooleanField(_l("an email I sent fails"))
    notify_space_failures = BooleanField(_l("any email of the space fails"))  # admins only
    language = LanguageField(_l("Language"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
    )
    confirm_password = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("new_password", message=PASSWORDS_DIFFER)],
    )


class StaffCreateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), ValidEmail()])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="staff")
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
    )


class StaffEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), ValidEmail()])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))
    language = LanguageField(_l("Language"))
    new_password = PasswordField(
        _l("New password"),
        validators=[
            Optional(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
        description=_l("Leave empty to keep the current password."),
    )


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token for a one-button POST."""

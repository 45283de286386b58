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
from djaboo.staff.accounts import MIN_PASSWORD_LENGTH, AccountError, normalize_email

PASSWORD_LENGTH_MESSAGE = f"Use at least {MIN_PASSWORD_LENGTH} characters."
ROLE_CHOICES = [SelectChoice("staff", "Staff"), SelectChoice("admin", "Admin")]


class ValidEmail:
    """One valid addr-spec (no display name, no list); the normalized form replaces the input."""

    def __call__(self, form, field):
        try:
            field.data = normalize_email(field.data or "")
        except AccountError as exc:
            raise ValidationError(str(exc)) from None


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254), ValidEmail()],
        description="The address you sign in with.",
        render_kw={"autocomplete": "username"},
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    signature_html = HTMLTextAreaField(
        "Email signature",
        validators=[Optional(), BoundedHTML(20_000)],
        editor="lines",
        description="Replaces the space's global signature in the emails you send. HTML allowed; "
        "scripts and forms are removed.",
    )
    # Email me when… (notices to staff; the space's admins choose their texts in Email templates)
    notify_estimate_answers = BooleanField("a customer accepts or declines my estimate")
    notify_own_failures = BooleanField("an email I sent fails")
    notify_space_failures = BooleanField("any email of the space fails")  # admins only


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
    )
    confirm_password = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
    )


class StaffCreateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), ValidEmail()])
    role = SelectField("Role", choices=ROLE_CHOICES, default="staff")
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
    )


class StaffEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), ValidEmail()])
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active")
    new_password = PasswordField(
        "New password",
        validators=[
            Optional(),
            Length(min=MIN_PASSWORD_LENGTH, max=1024, message=PASSWORD_LENGTH_MESSAGE),
        ],
        description="Leave empty to keep the current password.",
    )


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token for a one-button POST."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from djaboo.display_texts import translated
from djaboo.field_checks import BoundedHTML, HTMLTextAreaField
from djaboo.i18n import _, _l
from djaboo.mail.events import LANGUAGES
from djaboo.mail.headers import display_name_problem, strip_bidi
from djaboo.mail.merge import fields_used, unknown_fields
from djaboo.mail.message import charset_problem, has_line_break


def check_fields(text: str, allowed: list[str]) -> None:
    unknown = unknown_fields(text, allowed)
    if unknown:
        names = ", ".join("{" + n + "}" for n in unknown)
        if len(unknown) > 1:
            raise ValidationError(
                _(
                    "Unknown merge fields %(names)s. Use one of the fields listed for this email.",
                    names=names,
                )
            )
        raise ValidationError(
            _(
                "Unknown merge field %(names)s. Use one of the fields listed for this email.",
                names=names,
            )
        )


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=255)])
    from_name = StringField(
        _l("From name"),
        validators=[Length(max=120)],
        description=_l("Optional; overrides the From Name of Settings → Email for this email."),
    )
    body_html = HTMLTextAreaField(_l("Body"), validators=[DataRequired(), BoundedHTML(100_000)])
    plain_text = BooleanField(
        _l("Send as plain text"), description=_l("Send only a text version (no HTML part).")
    )
    active = BooleanField(_l("Active"), description=_l("Inactive templates are not sent."))

    def __init__(
        self,
        *args,
        allowed_fields: list[str],
        charset: str,
        required_fields: tuple[str, ...] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.allowed_fields = allowed_fields
        self.required_fields = required_fields
        self.charset = charset

    def validate_subject(self, field):
        if has_line_break(field.data or ""):
            raise ValidationError(_("A subject cannot contain line breaks."))
        check_fields(field.data, self.allowed_fields)
        self._check_charset(field)

    def validate_from_name(self, field):
        if has_line_break(field.data or ""):
            raise ValidationError(_("Line breaks are not allowed here."))
        field.data = strip_bidi(field.data or "")
        problem = display_name_problem(field.data)
        if problem:
            raise ValidationError(translated(problem))
        self._check_charset(field)

    def validate_body_html(self, field):
        check_fields(field.data, self.allowed_fields)
        if absent := [n for n in self.required_fields if n not in fields_used(field.data)]:
            names = ", ".join("{" + n + "}" for n in absent)
            raise ValidationError(
                _("The body must contain %(names)s; this email is useless without it.", names=names)
            )
        self._check_charset(field)

    def _check_charset(self, field):
        problem = charset_problem(field.data or "", self.charset)
        if problem:
            raise ValidationError(
                _(
                    "%(problem)s Change the Email Charset or the text.",
                    problem=translated(problem),
                )
            )


class DefaultLanguageForm(FlaskForm):
    default_language = SelectField(
        _l("Default language"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGES.items()],
        description=_l("For customers who have no language of their own."),
    )


class ConfirmForm(FlaskForm):
    """Just the CSRF token, for one-button POSTs."""

"""The forms of Settings → Email → DKIM (their own module: the Email form is busy enough)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from djaboo.i18n import _l
from djaboo.mail.dkim import SELECTOR
from djaboo.settings.dkim_key import DEFAULT_SELECTOR


class GenerateKeyForm(FlaskForm):
    algorithm = SelectField(
        _l("Key type"),
        choices=[
            SelectChoice("ed25519", _l("Ed25519 (short, modern)")),
            SelectChoice("rsa", _l("RSA 2048 (checked everywhere)")),
        ],
        default="rsa",
        description=_l(
            "Gmail and Yahoo verify RSA; an Ed25519 signature alone does not count for them yet."
        ),
    )
    selector = StringField(
        _l("Selector"),
        default=DEFAULT_SELECTOR,
        validators=[
            DataRequired(_l("Enter a selector, for example djaboo.")),
            Length(max=63),
            Regexp(SELECTOR.pattern + r"\Z", message=_l("Letters, digits and hyphens only.")),
        ],
        # A lazy string is written into the page as it is (it counts as HTML): the brackets
        # are entities, so the page shows them as before.
        description=_l("The name of the record: &lt;selector&gt;._domainkey.&lt;your domain&gt;."),
    )


class SigningForm(FlaskForm):
    sign = BooleanField(_l("Sign outgoing emails"))


class DomainCheckForm(FlaskForm):
    """Only the CSRF token: the domain is the space's From domain."""

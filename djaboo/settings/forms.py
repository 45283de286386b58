"""The Settings → Email form. Every rule that needs more than one field lives here too."""

from __future__ import annotations

import ipaddress
import re

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    EmailField,
    FormField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from djaboo.display_texts import translated, translated_mail_lines
from djaboo.field_checks import (
    BoundedHTML,
    HTMLTextAreaField,
    display_name,
    single_line,
    without_bidi,
)
from djaboo.i18n import _, _l, _lp
from djaboo.mail.errors import ConfigurationError, TransientError
from djaboo.mail.events import LANGUAGES
from djaboo.mail.fields import GLOBAL_FIELDS
from djaboo.mail.host_policy import permitted_addresses
from djaboo.mail.merge import unknown_fields
from djaboo.mail.message import MessageError, charset_problem, normalize_address
from djaboo.mail.tls import normalize_fingerprint
from djaboo.settings.models import MAX_KEEP_DAYS, EmailSettings, EmailWrapper
from djaboo.settings.oauth_providers import PROVIDERS as OAUTH_PROVIDERS
from djaboo.settings.presets import PRESETS
from djaboo.settings.transport_settings import host_policy_from_config, stored_password_problem

ENGINES = [
    SelectChoice("standard", _l("Standard")),
    SelectChoice("alternative", _l("Alternative")),
]
PROTOCOLS = [
    SelectChoice("smtp", "SMTP"),
    SelectChoice("sendmail", "Sendmail"),
    SelectChoice("mail", "Mail"),
    *(SelectChoice(f"{p.key}_oauth", p.protocol_label) for p in OAUTH_PROVIDERS.values()),
]
ENCRYPTIONS = [
    SelectChoice("ssl", "SSL"),
    SelectChoice("tls", "TLS"),
    SelectChoice("none", _lp("no encryption", "None")),
]
CHARSETS = [
    SelectChoice(value, label)
    for value, label in (
        ("utf-8", "UTF-8"),
        ("iso-8859-1", _l("ISO-8859-1 (Western European)")),
        ("iso-8859-15", _l("ISO-8859-15 (Western European with €)")),
        ("windows-1252", _l("Windows-1252 (Western European)")),
        ("iso-8859-2", _l("ISO-8859-2 (Central European)")),
        ("windows-1250", "Windows-1250"),
        ("windows-1251", _l("Windows-1251 (Cyrillic)")),
        ("koi8-r", _l("KOI8-R (Russian)")),
        ("iso-2022-jp", _l("ISO-2022-JP (Japanese)")),
        ("shift_jis", _l("Shift_JIS (Japanese)")),
        ("euc-jp", _l("EUC-JP (Japanese)")),
        ("gb2312", _l("GB2312 (Simplified Chinese)")),
        ("big5", _l("Big5 (Traditional Chinese)")),
        ("euc-kr", _l("EUC-KR (Korean)")),
    )
]
MAX_BCC = 5
FAILURE_NOTICES = [
    SelectChoice("each", _l("Each time")),
    SelectChoice("digest", _l("Once a day (digest)")),
]
# Wrong pairings of encryption and well-known port, with the sentence that says what works.
PAIRING_ERRORS = {
    ("ssl", 587): _l(
        "SSL does not work on port 587, which starts in plain text: choose TLS for "
        "port 587, or use port 465 for SSL."
    ),
    ("tls", 465): _l(
        "Port 465 expects SSL from the first byte: choose SSL for port 465, or use "
        "port 587 for TLS."
    ),
    ("none", 465): _l(
        "Port 465 expects SSL: choose SSL for port 465, or use port 25 without encryption."
    ),
    ("ssl", 25): _l(
        "Port 25 starts in plain text: choose TLS or None for port 25, or use port 465 for SSL."
    ),
}
# Changing any of these re-points the stored password; it must be typed again. The protocol is
# not one of them: with Sendmail or Mail the password goes nowhere, and switching back to SMTP
# sends it to the server it was entered for (these fields are compared whatever the protocol,
# so they cannot be changed "while on Sendmail" to slip the password to another server).
SERVER_FIELDS = ("encryption", "host", "port", "username")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
KEEP_DAYS_ERROR = _l(
    "Enter a number of days from 1 to %(max)s, or leave it empty to keep sent messages forever.",
    max=MAX_KEEP_DAYS,
)


def days_kept(form, field) -> None:
    """Empty: forever (None). Otherwise whole days, 1 to MAX_KEEP_DAYS, in plain digits; one
    clear sentence for anything else (0, -1, 99999, "abc", "1e3") instead of WTForms' own."""
    if not field.raw_data:  # not part of this submission: the stored value stays
        raise StopValidation()
    raw = (field.raw_data[0] or "").strip()
    field.errors[:] = []
    if not raw:
        field.data = None
        raise StopValidation()
    if not re.fullmatch(r"[0-9]{1,5}", raw) or not 1 <= int(raw) <= MAX_KEEP_DAYS:
        raise StopValidation(KEEP_DAYS_ERROR)
    field.data = int(raw)


def valid_host(host: str) -> bool:
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(literal)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.rstrip(".").encode("idna").decode().lower()
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return (
        len(ascii_host) <= 253 and all(_LABEL.match(x) for x in labels) and not labels[-1].isdigit()
    )


class EmailTextsForm(Form):
    """The signature, header and footer of one language (a part of EmailSettingsForm)."""

    signature_html = HTMLTextAreaField(
        _l("Email Signature"), validators=[BoundedHTML(20_000)], editor="lines"
    )
    header_html = HTMLTextAreaField(_l("Predefined Header"), validators=[BoundedHTML(50_000)])
    footer_html = HTMLTextAreaField(_l("Predefined Footer"), validators=[BoundedHTML(50_000)])

    def validate_header_html(self, field):
        _check_global_fields(field.data)

    def validate_footer_html(self, field):
        _check_global_fields(field.data)

    @property
    def text_fields(self):
        return (self.signature_html, self.header_html, self.footer_html)


class EmailSettingsForm(FlaskForm):
    preset = SelectField(
        _l("Provider preset"),
        validate_choice=False,
        choices=[
            SelectChoice("", _l("— choose to fill host, port and encryption —")),
            *(SelectChoice(p.key, p.label) for p in PRESETS),
        ],
    )
    engine = SelectField(
        _l("Mail Engine"),
        choices=ENGINES,
        description=_l(
            "Standard uses Python's smtplib; Alternative uses "
            "aiosmtplib. Switch if your server misbehaves with one of them."
        ),
    )
    protocol = SelectField(
        _l("Email Protocol"),
        choices=PROTOCOLS,
        description=_l(
            "SMTP is recommended. Sendmail and Mail hand the "
            "message to this server's own mail program."
        ),
    )
    encryption = SelectField(
        _l("Email Encryption"),
        choices=ENCRYPTIONS,
        description=_l("SSL on port 465, TLS (STARTTLS) on port 587, None on port 25."),
    )
    host = StringField(
        _l("SMTP Host"),
        validators=[Length(max=253), single_line],
        filters=[lambda v: (v or "").strip()],
    )
    port = IntegerField(
        _l("SMTP Port"),
        validators=[Optional(), NumberRange(1, 65535, _l("A port is a number from 1 to 65535."))],
    )
    from_email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("The From address of everything this space sends."),
    )
    from_name = StringField(
        _l("From Name"),
        validators=[Length(max=120), single_line, display_name],
        filters=[without_bidi],
        description=_l("Shown as the sender; empty means the space's name."),
    )
    username = StringField(
        _l("SMTP Username"),
        validators=[Length(max=254), single_line],
        description=_l(
            "Optional. When set it is used to log in (Exchange); "
            "the Email above stays the From address. Empty: Email is the login."
        ),
    )
    password = PasswordField(_l("SMTP Password"), validators=[Length(max=1024)])
    clear_password = BooleanField(_l("Remove the stored password"))
    charset = SelectField(_l("Email Charset"), choices=CHARSETS)
    bcc_all = StringField(
        _l("BCC All Emails To"),
        validators=[Length(max=1000), single_line],
        description=_l("Comma-separated addresses that receive a hidden copy of every email."),
    )
    # The signature, header and footer in each language: texts_en-signature_html, …
    texts_en = FormField(EmailTextsForm, LANGUAGES["en"])
    texts_fr = FormField(EmailTextsForm, LANGUAGES["fr"])
    texts_ja = FormField(EmailTextsForm, LANGUAGES["ja"])
    logo_url = StringField(
        _l("Logo URL"),
        validators=[Length(max=500)],
        description=_l(
            "Optional https:// address of your logo, for {logo_url} in the header, "
            "when no logo is uploaded in Setup → Company (an uploaded logo is used first)."
        ),
    )
    allow_insecure_auth = BooleanField(
        _l("Allow login without encryption"),
        description=_l(
            "Not recommended: the password travels in clear. Only for a trusted relay "
            "inside your own network."
        ),
    )
    pinned_sha256 = StringField(
        _l("Pinned certificate (SHA-256)"),
        validators=[Length(max=100)],
        description=_l(
            "Only for a server with a self-signed certificate: paste the fingerprint "
            "that Check Connection shows. Leave empty to trust the usual certificate authorities."
        ),
    )
    timeout_seconds = IntegerField(
        _l("Timeout (seconds)"),
        default=30,
        validators=[DataRequired(), NumberRange(5, 120, _l("Choose between 5 and 120 seconds."))],
    )
    keep_sent_days = IntegerField(
        _l("Keep sent messages for"),
        validators=[days_kept],
        widget=TextInput(),  # a number input would turn "abc" into "" (forever) unannounced
        description=_l(
            "Days. Empty: forever. After that, a sent email keeps its line in the "
            "email log (subject, recipients, status, the server's answer) but the message itself "
            "and its PDF are removed."
        ),
    )

    failure_notices = SelectField(
        _l("Tell staff about failed emails"),
        choices=FAILURE_NOTICES,
        description=_l(
            "The sender and the admins get an email when an email fails for good or "
            "needs attention: each time, or once a day (at the reminders' send hour) listing them "
            "all. Each can turn it off in their profile (Email me when…)."
        ),
    )

    def __init__(self, *args, existing: EmailSettings, oauth=None, **kwargs):
        texts = {
            f"texts_{language}": existing.wrapper(language) or EmailWrapper(language=language)
            for language in LANGUAGES
        }
        super().__init__(*args, obj=existing, data=texts, **kwargs)
        self.existing = existing
        self.warnings: list[str] = []
        self.oauth_provider: str | None = None  # set by validate(): "microsoft" or "google"
        if oauth is not None and oauth.active and not self.protocol.raw_data:
            self.protocol.data = f"{oauth.provider}_oauth"

    def texts_forms(self, default_language: str) -> list[tuple[str, str, FormField]]:
        """(language, its name, its texts' form part), the default language first."""
        order = sorted(LANGUAGES, key=lambda language: language != default_language)
        return [(code, LANGUAGES[code], getattr(self, f"texts_{code}")) for code in order]

    def validate_host(self, field):
        if self.protocol.data != "smtp":
            return
        if not field.data:
            raise ValidationError(_("Enter the SMTP Host, e.g. smtp.example.com."))
        if not valid_host(field.data):
            raise ValidationError(_("This is not a valid host name or IP address."))

    def validate_port(self, field):
        if self.protocol.data == "smtp" and field.data is None:
            raise ValidationError(_("Enter the SMTP Port: 465 for SSL, 587 for TLS, 25 for None."))

    def validate_from_email(self, field):
        field.data = _single_address(field.data)

    def validate_bcc_all(self, field):
        addresses = [a.strip() for a in (field.data or "").split(",") if a.strip()]
        if len(addresses) > MAX_BCC:
            raise ValidationError(_("At most %(count)s addresses.", count=MAX_BCC))
        field.data = ", ".join(_single_address(a) for a in addresses)

    def validate_logo_url(self, field):
        field.data = (field.data or "").strip()
        if field.data and not re.match(r"^https?://[^\s\"'<>]+$", field.data):
            raise ValidationError(_("Enter an address starting with https://"))

    def validate_pinned_sha256(self, field):
        if field.data and field.data.strip():
            try:
                field.data = normalize_fingerprint(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        else:
            field.data = ""

    def validate(self, extra_validators=None) -> bool:
        # Microsoft 365 / Google (OAuth) are SMTP with an OAuth login: every SMTP rule applies,
        # but no password is stored (djaboo/settings/oauth_settings.py keeps the rest).
        chosen = self.protocol.data
        self.oauth_provider = (
            (chosen or "").removesuffix("_oauth")
            if (chosen in {f"{k}_oauth" for k in OAUTH_PROVIDERS})
            else None
        )
        if self.oauth_provider:
            self.protocol.data = "smtp"
        try:
            ok = super().validate(extra_validators)
            if not ok:
                return False
            checks = [self._check_pairing, self._check_charset, self._check_host_policy]
            if not self.oauth_provider:
                checks.insert(1, self._check_password)
            for check in checks:
                ok = check() and ok
            return ok
        finally:
            if self.oauth_provider:
                self.protocol.data = chosen

    def _fail(self, field, message: str) -> bool:
        field.errors.append(message)
        return False

    def _check_pairing(self) -> bool:
        if self.protocol.data != "smtp":
            return True
        message = PAIRING_ERRORS.get((self.encryption.data, self.port.data))
        return self._fail(self.encryption, message) if message else True

    def _check_password(self) -> bool:
        stored = self.existing.has_password and not self.clear_password.data
        if stored and not self.password.data and self.protocol.data == "smtp":
            problem = stored_password_problem(self.existing)
            if problem:
                return self._fail(
                    self.password,
                    _(
                        "%(problem)s Enter the password again.",
                        problem=translated_mail_lines(problem.lines),
                    ),
                )
        if stored and not self.password.data:
            changed = [
                f
                for f in SERVER_FIELDS
                if (getattr(self, f).data or "") != (getattr(self.existing, f) or "")
            ]
            if changed and self.protocol.data == "smtp":
                return self._fail(
                    self.password,
                    _(
                        "Re-enter the password: you changed the server settings, and a stored "
                        "password is only ever sent to the server it was entered for."
                    ),
                )
            if changed:  # the SMTP fields are hidden with Sendmail or Mail: say it where seen
                return self._fail(
                    self.protocol,
                    _(
                        "You also changed the SMTP server settings: choose SMTP and re-enter the "
                        "password, or leave the server settings as they were."
                    ),
                )
        has_password = bool(self.password.data) or stored
        if (
            self.protocol.data == "smtp"
            and self.encryption.data == "none"
            and has_password
            and not self.allow_insecure_auth.data
        ):
            return self._fail(
                self.encryption,
                _(
                    "With no encryption the password would travel in clear: choose SSL or TLS, "
                    'or tick "Allow login without encryption" for a trusted internal relay.'
                ),
            )
        return True

    def _check_charset(self) -> bool:
        """What every email carries must be written in the charset. Each language's texts are
        only in that language's emails: the default language's (what the others fall back
        to) must fit, another language's that do not are a warning (emails in that language
        cannot be sent in this charset anyway: their templates are written in it too)."""
        ok = True
        default = self.existing.space.default_language if self.existing.space else "en"
        for field in (self.from_name, *getattr(self, f"texts_{default}").text_fields):
            problem = charset_problem(field.data or "", self.charset.data)
            if problem:
                ok = self._fail(field, translated(problem))
        for language in LANGUAGES:
            if language == default:
                continue
            for field in getattr(self, f"texts_{language}").text_fields:
                problem = charset_problem(field.data or "", self.charset.data)
                if problem:
                    self.warnings.append(
                        _(
                            "%(language)s, %(field)s: %(problem)s Emails in %(language)s "
                            "cannot be sent with this charset.",
                            language=LANGUAGES[language],
                            field=field.label.text,
                            problem=translated(problem),
                        )
                    )
        return ok

    def _check_host_policy(self) -> bool:
        if self.protocol.data != "smtp":
            return True
        policy = host_policy_from_config(current_app.config)
        try:
            permitted_addresses(self.host.data, self.port.data, policy)
        except ConfigurationError as exc:
            if "does not exist in DNS" not in exc.message:
                return self._fail(self.host, translated_mail_lines(exc.lines + exc.hint_lines))
            self.warnings.append(_checked_again(exc))
        except TransientError as exc:
            self.warnings.append(_checked_again(exc))
        return True


def _checked_again(exc) -> str:
    return _(
        "%(problem)s It is checked again before each connection.",
        problem=translated_mail_lines(exc.lines),
    )


def _check_global_fields(text: str) -> None:
    unknown = unknown_fields(text or "", GLOBAL_FIELDS)
    if unknown:
        names = ", ".join("{" + n + "}" for n in unknown)
        usable = ", ".join("{" + n + "}" for n in GLOBAL_FIELDS)
        if len(unknown) > 1:
            message = _(
                "Unknown merge fields here: %(names)s. The header and footer wrap every kind of "
                "email, so they can use: %(usable)s.",
                names=names,
                usable=usable,
            )
        else:
            message = _(
                "Unknown merge field here: %(names)s. The header and footer wrap every kind of "
                "email, so they can use: %(usable)s.",
                names=names,
                usable=usable,
            )
        raise ValidationError(message)


def _single_address(value: str) -> str:
    try:
        return normalize_address(value)
    except MessageError as exc:
        raise ValidationError(translated_mail_lines(exc.lines)) from None


class TestEmailForm(FlaskForm):
    recipient = EmailField(_l("Send test email to"), validators=[DataRequired(), Length(max=254)])

    def validate_recipient(self, field):
        field.data = _single_address(field.data)


class ConnectionCheckForm(FlaskForm):
    recipient = EmailField(_l("Check delivery to"), validators=[DataRequired(), Length(max=254)])

    def validate_recipient(self, field):
        field.data = _single_address(field.data)

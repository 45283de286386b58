"""The OAuth part of Settings → Email: the app registration fields (Client ID, Client Secret,
Tenant ID) shown when Email Protocol is Microsoft 365 (OAuth) or Google (OAuth), saved with the
rest of the page in its one transaction."""

from __future__ import annotations

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, PasswordField, StringField
from wtforms.validators import Length, ValidationError

from djaboo.extensions import db
from djaboo.field_checks import single_line
from djaboo.i18n import _, _l
from djaboo.secrets_at_rest import encrypt
from djaboo.settings.oauth_models import EmailOAuth
from djaboo.settings.oauth_providers import PROVIDERS, redirect_uri, valid_tenant


class OAuthAppForm(FlaskForm):
    """Fields named oauth-…, posted with the Settings → Email form (no CSRF of its own)."""

    class Meta:
        csrf = False  # the page's form carries the token and is checked first

    client_id = StringField(
        _l("Client ID"),
        validators=[Length(max=200), single_line],
        filters=[lambda v: (v or "").strip()],
        description=_l("Application (client) ID of your app registration."),
    )
    client_secret = PasswordField(
        _l("Client Secret"),
        validators=[Length(max=1024)],
        description=_l("Encrypted when saved and never shown again. Leave empty to keep it."),
    )
    tenant = StringField(
        _l("Tenant ID"),
        default="organizations",
        validators=[Length(max=100)],
        filters=[lambda v: (v or "").strip()],
        description=_l(
            "Microsoft only: your directory (tenant) ID or domain; organizations for "
            "any work or school account."
        ),
    )
    from_alias_confirmed = BooleanField(
        _l("The Email above is an alias of the connected mailbox (Send As is allowed)")
    )

    def __init__(self, *args, existing: EmailOAuth | None, **kwargs):
        super().__init__(*args, obj=existing, prefix="oauth", **kwargs)
        self.existing = existing
        if existing is None and not self.tenant.raw_data:
            self.tenant.data = "organizations"

    def validate_client_id(self, field):
        if not field.data:
            raise ValidationError(_("Enter the Client ID of your app registration."))

    def validate_tenant(self, field):
        field.data = field.data or "organizations"
        if not valid_tenant(field.data):
            raise ValidationError(
                _(
                    "A tenant is a directory ID (a GUID), a domain such as contoso.com, or "
                    "organizations."
                )
            )

    def validate_client_secret(self, field):
        stored = self.existing is not None and self.existing.client_secret_encrypted
        if not field.data and not stored:
            raise ValidationError(_("Enter the Client Secret of your app registration."))


def oauth_for(space_id: int) -> EmailOAuth | None:
    return db.session.execute(
        sa.select(EmailOAuth).where(EmailOAuth.space_id == space_id)
    ).scalar_one_or_none()


def apply_oauth(
    space_id: int, provider: str | None, form: OAuthAppForm | None, from_changed: bool = False
) -> None:
    """Save the choice (the caller commits): OAuth on with the form's registration, or off.
    A new provider or client forgets the grant: it belongs to the app it was given to. An alias
    confirmation is for one From address: a new From left under an old tick is asked again."""
    oauth = oauth_for(space_id)
    if provider is None or form is None:
        if oauth is not None:
            oauth.active = False
        return
    if oauth is None:
        oauth = EmailOAuth(space_id=space_id, provider=provider)
        db.session.add(oauth)
    if oauth.provider != provider or oauth.client_id != form.client_id.data:
        oauth.refresh_token_encrypted = oauth.access_token_encrypted = ""
        oauth.access_expires_at, oauth.mailbox = None, ""
    oauth.provider, oauth.active = provider, True
    oauth.client_id = form.client_id.data
    oauth.tenant = form.tenant.data if provider == "microsoft" else "organizations"
    confirmed = bool(form.from_alias_confirmed.data)
    if from_changed and oauth.from_alias_confirmed:  # the tick was for the previous address
        confirmed = False
    oauth.from_alias_confirmed = confirmed
    if form.client_secret.data:
        oauth.client_secret_encrypted = encrypt(form.client_secret.data)
    db.session.flush()


def from_warning(oauth: EmailOAuth | None, from_email: str) -> str | None:
    """The provider refuses a From that is neither the mailbox nor one of its aliases."""
    if oauth is None or not oauth.active or not oauth.connected:
        return None
    if from_email.lower() == oauth.mailbox.lower() or oauth.from_alias_confirmed:
        return None
    label = PROVIDERS[oauth.provider].label
    return _(
        "The Email (From) %(sender)s is not the connected mailbox %(mailbox)s: %(provider)s "
        "will refuse it unless it is an alias the mailbox may send as. Use %(mailbox)s, or "
        "confirm below that it is such an alias.",
        sender=from_email,
        mailbox=oauth.mailbox,
        provider=label,
    )


def oauth_page_values(oauth: EmailOAuth | None, from_email: str, config) -> dict:
    return {
        "oauth": oauth,
        "oauth_providers": PROVIDERS,
        "oauth_redirect_uri": redirect_uri(config),
        "oauth_from_warning": from_warning(oauth, from_email),
    }

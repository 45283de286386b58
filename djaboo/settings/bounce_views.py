"""Setup → Settings → Email → Bounces (admins only): its own form, routes and include
(templates/settings/_bounces.html), so the page's other parts change without touching it."""

from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from djaboo.display_texts import translated, translated_mail_lines
from djaboo.extensions import db
from djaboo.i18n import _, _l
from djaboo.mail.bounces import bounced_addresses
from djaboo.mail.message import MessageError, normalize_address
from djaboo.secrets_at_rest import encrypt
from djaboo.settings.bounces import BounceSettings, bounce_settings_for, check_space_mailbox
from djaboo.settings.email_settings import email_settings_for
from djaboo.settings.forms import EmailSettingsForm, valid_host
from djaboo.settings.views import _page, bp
from djaboo.staff.permissions import admin_required


class BounceSettingsForm(FlaskForm):
    return_path = EmailField(
        _l("Return-Path for bounces"),
        validators=[Optional(), Length(max=254)],
        description=_l(
            "A mailbox that receives the bounces (it may be the bounce mailbox below). "
            "With a + in it (bounces+@example.com), each email gets its own address "
            "(bounces+token@example.com), so every bounce finds its email."
        ),
    )
    imap_host = StringField(_l("IMAP host"), validators=[Optional(), Length(max=253)])
    imap_port = IntegerField(
        _l("IMAP port"), default=993, validators=[Optional(), NumberRange(1, 65535)]
    )
    imap_ssl = BooleanField(_l("SSL (off: STARTTLS)"), default=True)
    imap_username = StringField(_l("IMAP username"), validators=[Optional(), Length(max=254)])
    imap_password = PasswordField(
        _l("IMAP password"),
        validators=[Optional(), Length(max=500)],
        description=_l("Stored encrypted. Leave empty to keep the saved one."),
    )
    save_sent_copy = BooleanField(_l("Save a copy in the mailbox's Sent folder"))

    def validate_return_path(self, field):
        if field.data:
            try:
                field.data = normalize_address(field.data)
            except MessageError as exc:
                raise ValidationError(translated_mail_lines(exc.lines)) from None

    def validate_imap_host(self, field):
        field.data = (field.data or "").strip()
        if field.data and not valid_host(field.data):
            raise ValidationError(_("Enter a host name such as imap.example.com."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.imap_username.data = (self.imap_username.data or "").strip()
        if ok and self.imap_host.data and not self.imap_username.data:
            self.imap_username.errors = [_("The IMAP username is needed to read the mailbox.")]
            ok = False
        return ok

    def validate_save_sent_copy(self, field):
        if field.data and not self.imap_host.data:
            raise ValidationError(
                _("Set the mailbox (IMAP host and username) to save copies in it.")
            )


def bounce_panel() -> dict:
    """What templates/settings/_bounces.html shows (read only: a GET never writes)."""
    settings = bounce_settings_for(current_user.space_id)
    form = getattr(g, "bounce_form", None)
    if form is None:
        form = BounceSettingsForm(formdata=None, obj=settings)
        if not settings.imap_port:
            form.imap_port.data = 993
    return {"form": form, "settings": settings}


@bp.app_template_global("bounce_panel")
def _bounce_panel_global() -> dict:
    return bounce_panel()


@bp.app_template_global("bounced_addresses")
def _bounced_addresses_global(addresses) -> dict:
    """Of these addresses, the ones that bounced in the signed-in user's space."""
    return bounced_addresses(current_user.space_id, list(addresses)[:200])


@bp.route("/email/bounces", methods=["POST"])
@admin_required
def save_bounces():
    form = BounceSettingsForm()
    if not form.validate_on_submit():
        g.bounce_form = form
        settings = email_settings_for(current_user.space)
        return _page(EmailSettingsForm(existing=settings, formdata=None), status=400)
    settings = bounce_settings_for(current_user.space_id)
    settings.return_path = form.return_path.data or ""
    settings.imap_host = form.imap_host.data or ""
    settings.imap_port = form.imap_port.data or 993
    settings.imap_ssl = bool(form.imap_ssl.data)
    settings.imap_username = form.imap_username.data or ""
    if form.imap_password.data:
        settings.imap_password_encrypted = encrypt(form.imap_password.data)
    settings.save_sent_copy = bool(form.save_sent_copy.data)
    settings.check_error = ""
    db.session.add(settings)
    db.session.commit()
    flash(_("Bounce settings saved."), "success")
    return redirect(url_for("settings.email") + "#bounces")


class CheckMailboxForm(FlaskForm):
    pass


@bp.route("/email/bounces/check", methods=["POST"])
@admin_required
def check_bounce_mailbox():
    if not CheckMailboxForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("settings.email") + "#bounces")
    from djaboo.notices.failures import notify_failure

    settings = bounce_settings_for(current_user.space_id)
    if settings.id is None or not settings.has_mailbox:
        flash(_("Save the bounce mailbox (IMAP host and username) first."), "error")
        return redirect(url_for("settings.email") + "#bounces")
    error = check_space_mailbox(current_user.space_id, notify_failure)
    if error:
        flash(
            _("The bounce mailbox could not be read: %(error)s", error=translated(error)), "error"
        )
    else:
        flash(_("The bounce mailbox was read."), "success")
    return redirect(url_for("settings.email") + "#bounces")


__all__ = ["BounceSettings", "BounceSettingsForm", "bounce_panel"]

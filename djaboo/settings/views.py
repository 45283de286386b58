"""Setup → Settings → Email (admins only)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from djaboo import display_texts
from djaboo.db import get_in_space_or_404
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.delivery import resume_space
from djaboo.mail.events import LANGUAGES as LANGUAGE_NAMES
from djaboo.security_headers import allow_form_action, edits_email_html
from djaboo.settings.connection_check import CheckRefused, run_in_background, start_mail_check
from djaboo.settings.email_settings import apply_email_settings, email_settings_for
from djaboo.settings.forms import ConnectionCheckForm, EmailSettingsForm, TestEmailForm
from djaboo.settings.models import MailCheck
from djaboo.settings.oauth_providers import sign_in_origin
from djaboo.settings.oauth_settings import OAuthAppForm, apply_oauth, oauth_for, oauth_page_values
from djaboo.settings.presets import presets_as_data
from djaboo.settings.report_texts import check_report_texts, check_status_label
from djaboo.settings.transport_settings import stored_password_problem
from djaboo.staff.permissions import admin_required

bp = Blueprint("settings", __name__, url_prefix="/settings")
bp.record_once(lambda state: display_texts.init_app(state.app))
bp.add_app_template_global(check_status_label, "check_status_label")
bp.add_app_template_global(check_report_texts, "check_report_texts")


def _page(form, test_form=None, check_form=None, status=200, oauth_form=None):
    settings = form.existing
    oauth = oauth_for(current_user.space_id)
    oauth_form = oauth_form or OAuthAppForm(existing=oauth, formdata=None)
    if oauth is not None and oauth.active:  # Connect leads to the provider's sign-in
        allow_form_action(sign_in_origin(oauth.provider, current_app.config))
    test_form = test_form or TestEmailForm(recipient=current_user.email, formdata=None)
    check_form = check_form or ConnectionCheckForm(recipient=current_user.email, formdata=None)
    recent = (
        db.session.execute(
            sa.select(MailCheck)
            .where(MailCheck.space_id == current_user.space_id)
            .order_by(MailCheck.id.desc())
            .limit(5)
        )
        .scalars()
        .all()
    )
    return render_template(
        "settings/email.html",
        form=form,
        settings=settings,
        test_form=test_form,
        check_form=check_form,
        recent=recent,
        presets=presets_as_data(),
        languages=LANGUAGE_NAMES,
        default_language=current_user.space.default_language,
        password_problem=stored_password_problem(settings),
        oauth_form=oauth_form,
        **oauth_page_values(oauth, settings.from_email, current_app.config),
    ), status


@bp.route("/email", methods=["GET", "POST"])
@admin_required
@edits_email_html
def email():
    settings = email_settings_for(current_user.space)
    oauth = oauth_for(current_user.space_id)
    form = EmailSettingsForm(existing=settings, oauth=oauth)
    oauth_form = OAuthAppForm(existing=oauth)
    valid = form.validate_on_submit()
    if valid and form.oauth_provider:
        valid = oauth_form.validate()
    if valid:
        from_changed = (form.from_email.data or "").lower() != (settings.from_email or "").lower()
        apply_email_settings(settings, form)
        apply_oauth(settings.space_id, form.oauth_provider, oauth_form, from_changed)
        db.session.add(settings)  # the defaults, if the row was missing
        waiting = resume_space(settings.space_id)  # the admin changed what was wrong
        db.session.commit()
        flash(_("Email settings saved."), "success")
        if waiting:
            flash(
                _("%(count)s email(s) waiting for these settings are queued again.", count=waiting),
                "info",
            )
        for warning in form.warnings:
            flash(warning, "warning")
        return redirect(url_for("settings.email"))
    failed = form.errors or oauth_form.errors
    return _page(form, status=400 if failed else 200, oauth_form=oauth_form)


def _start(kind: str, form):
    settings = email_settings_for(current_user.space)
    if not form.validate_on_submit():
        oauth = oauth_for(current_user.space_id)
        page_form = EmailSettingsForm(existing=settings, formdata=None, oauth=oauth)
        forms = {"test_form": form} if kind == "test_email" else {"check_form": form}
        return _page(page_form, status=400, **forms)
    if (settings.protocol == "smtp" and not settings.host) or not settings.from_email:
        flash(_("Save the server settings (SMTP Host and Email) before testing them."), "error")
        return redirect(url_for("settings.email"))
    try:
        check = start_mail_check(current_user, kind, form.recipient.data)
    except CheckRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("settings.email"))
    db.session.commit()
    run_in_background(current_app._get_current_object(), check.id)
    return redirect(url_for("settings.check_report", check_id=check.id))


@bp.route("/email/test", methods=["POST"])
@admin_required
@edits_email_html
def send_test_email():
    return _start("test_email", TestEmailForm())


@bp.route("/email/check", methods=["POST"])
@admin_required
@edits_email_html
def check_connection():
    return _start("connection", ConnectionCheckForm())


@bp.route("/email/checks/<int:check_id>")
@admin_required
def check_report(check_id: int):
    check = get_in_space_or_404(db.session, MailCheck, check_id, current_user.space_id)
    return render_template("settings/check_report.html", check=check)


from djaboo.settings import oauth_views  # noqa: E402, F401 (its routes are on this blueprint)

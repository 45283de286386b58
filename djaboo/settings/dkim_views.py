"""Setup → Settings → Email → DKIM (admins only): the key, signing, and Check domain."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from djaboo.display_texts import translated
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.settings.dkim_forms import DomainCheckForm, GenerateKeyForm, SigningForm
from djaboo.settings.dkim_key import dkim_key_for, generate_dkim_key, key_readable
from djaboo.settings.domain_check import Lookup, check_domain, dkim_record_problem
from djaboo.settings.email_settings import email_settings_for
from djaboo.staff.permissions import admin_required

bp = Blueprint("dkim", __name__, url_prefix="/settings/email")


def _from_domain() -> str:
    from_email = email_settings_for(current_user.space).from_email
    return from_email.rpartition("@")[2].lower() if "@" in from_email else ""


def _page(generate_form=None, report=None, status=200):
    key = dkim_key_for(current_user.space_id)
    domain = _from_domain()
    return render_template(
        "settings/dkim.html",
        key=key,
        key_unreadable=key is not None and not key_readable(key),
        domain=domain,
        generate_form=generate_form or GenerateKeyForm(formdata=None),
        signing_form=SigningForm(formdata=None, sign=bool(key and key.signing)),
        check_form=DomainCheckForm(formdata=None),
        report=report,
    ), status


@bp.route("/dkim")
@admin_required
def dkim_page():
    return _page()


@bp.route("/dkim/key", methods=["POST"])
@admin_required
def generate_key():
    form = GenerateKeyForm()
    domain = _from_domain()
    if not form.validate_on_submit():
        return _page(generate_form=form, status=400)
    if not domain:
        flash(
            _("Save the sender's Email in Settings → Email first: the key signs its domain."),
            "error",
        )
        return redirect(url_for("dkim.dkim_page"))
    generate_dkim_key(current_user.space_id, domain, form.algorithm.data, form.selector.data)
    db.session.commit()
    flash(_("New key generated. Publish the DNS record below, then turn on signing."), "success")
    return redirect(url_for("dkim.dkim_page"))


@bp.route("/dkim/signing", methods=["POST"])
@admin_required
def signing():
    form = SigningForm()
    key = dkim_key_for(current_user.space_id)
    if not form.validate_on_submit() or key is None:
        flash(_("Generate a key first."), "error")
        return redirect(url_for("dkim.dkim_page"))
    if form.sign.data and not key.signing:
        problem = dkim_record_problem(Lookup(current_app.config.get("DNS_RESOLVER")), key)
        if problem:
            flash(_("Signing stays off: %(problem)s", problem=translated(problem)), "error")
            return redirect(url_for("dkim.dkim_page"))
    key.signing = bool(form.sign.data)
    db.session.commit()
    flash(_("Outgoing emails are signed.") if key.signing else _("Signing is off."), "success")
    return redirect(url_for("dkim.dkim_page"))


@bp.route("/domain-check", methods=["POST"])
@admin_required
def domain_check():
    """Answers with the report itself (nothing is stored): at most a few seconds of DNS."""
    form = DomainCheckForm()
    domain = _from_domain()
    if not form.validate_on_submit() or not domain:
        flash(
            _("Save the sender's Email in Settings → Email first: its domain is checked."), "error"
        )
        return redirect(url_for("dkim.dkim_page"))
    settings = email_settings_for(current_user.space)
    smtp_host = settings.host if settings.protocol == "smtp" else ""
    report = check_domain(
        domain,
        smtp_host,
        dkim_key_for(current_user.space_id),
        current_app.config.get("DNS_RESOLVER"),
    )
    return _page(report=report)

"""Setup → Company (admins) and the company logo's public address (/logo/<key>.png)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.settings.company import apply_company, company_profile_for
from djaboo.settings.company_form import CompanyForm
from djaboo.settings.models import CompanyProfile
from djaboo.staff.permissions import admin_required

bp = Blueprint("company", __name__)
_KEY = re.compile(r"[A-Za-z0-9_-]{8,32}")
LOGO_MAX_AGE = 3600  # a changed logo shows within the hour; the ETag saves the bytes meanwhile


@bp.route("/settings/company", methods=["GET", "POST"])
@admin_required
def edit():
    profile = company_profile_for(current_user.space)
    form = CompanyForm(obj=profile)
    if form.validate_on_submit():
        apply_company(profile, form, form.new_logo)
        db.session.add(profile)  # the defaults, if the row was missing
        db.session.commit()
        flash(_("Company details saved."), "success")
        return redirect(url_for("company.edit"))
    page = render_template("settings/company.html", form=form, profile=profile)
    return page, 400 if form.errors else 200


@bp.route("/logo/<key>.png")
def logo(key: str):
    """The logo for emails and pages: public (mail clients load it), only ever PNG bytes the
    app made itself (djaboo/settings/logo.py), cached, never sniffed as anything else."""
    if not _KEY.fullmatch(key):
        abort(404)
    row = db.session.execute(
        sa.select(CompanyProfile.logo_png, CompanyProfile.logo_sha256).where(
            CompanyProfile.logo_key == key
        )
    ).one_or_none()
    if row is None or not row.logo_png:
        abort(404)
    response = Response(row.logo_png, mimetype="image/png")
    response.set_etag(row.logo_sha256)
    response.headers["Cache-Control"] = f"public, max-age={LOGO_MAX_AGE}"
    response.headers["Content-Disposition"] = 'inline; filename="logo.png"'
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # shown in webmail
    return response.make_conditional(request)

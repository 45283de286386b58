"""Sign-in and sign-out views."""

from __future__ import annotations

import math

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.staff.accounts import find_user_by_email, password_matches
from djaboo.staff.blueprint import bp
from djaboo.staff.forms import ConfirmForm, LoginForm
from djaboo.staff.next_url import safe_next_url
from djaboo.staff.throttle import clear_failures, record_failure, seconds_until_allowed


@bp.route("/login", methods=["GET", "POST"])
def login():
    home = url_for("staff.home")
    if current_user.is_authenticated:
        return redirect(home)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        cfg = current_app.config
        email = form.email.data.strip().lower()
        ip = request.remote_addr or "unknown"
        wait = seconds_until_allowed(
            email,
            ip,
            max_per_email=cfg["LOGIN_MAX_FAILURES"],
            max_per_ip=cfg["LOGIN_MAX_FAILURES_PER_IP"],
            window=cfg["LOGIN_FAILURE_WINDOW"],
        )
        user = find_user_by_email(email)
        if wait:
            minutes = math.ceil(wait / 60)
            form.form_errors.append(
                _(
                    "Too many failed sign-in attempts. Try again in %(minutes)s minutes.",
                    minutes=minutes,
                )
                if minutes != 1
                else _("Too many failed sign-in attempts. Try again in 1 minute.")
            )
            status = 429
        elif password_matches(user, form.password.data) and user.active:
            clear_failures(email, cfg["LOGIN_FAILURE_WINDOW"])
            user.last_login_at = utcnow()
            db.session.commit()
            session.clear()  # nothing from before sign-in survives into the signed-in session
            login_user(user)
            return redirect(safe_next_url(request.args.get("next"), home))
        else:
            record_failure(email, ip)
            db.session.commit()
            form.form_errors.append(_("Email or password is incorrect."))
            status = 401
    return render_template("staff/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        # A new token ends this session everywhere, so a copied cookie is useless afterwards.
        current_user.rotate_session_token()
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You are signed out."), "success")
    return redirect(url_for("staff.login"))

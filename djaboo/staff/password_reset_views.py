"""Forgot your password? (public pages): ask for a link, then choose a new password with it."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import logout_user

from djaboo.extensions import db
from djaboo.i18n import _l
from djaboo.staff.accounts import AccountError
from djaboo.staff.blueprint import bp
from djaboo.staff.forms import ForgotPasswordForm, ResetPasswordForm
from djaboo.staff.password_reset import UNUSABLE, ResetRefused, usable_reset, use_reset
from djaboo.staff.reset_requests import request_password_reset
from djaboo.staff.throttle import clear_failures

# The one answer, whether the address has an account, is deactivated or asked too often.
SENT = _l(
    "If an account uses this address, we sent it a link to choose a new password. "
    "The link works once, for an hour."
)
CHANGED = _l(
    "Your password is changed, and every session of your account was signed out. "
    "Sign in with your new password."
)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data, request.remote_addr or "unknown")
        db.session.commit()
        flash(str(SENT), "info")
        return redirect(url_for("staff.login"))
    status = 400 if form.errors else 200
    return render_template("staff/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = usable_reset(token)  # a read: opening the page never uses the link up
    if reset is None:
        return _unusable()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = use_reset(token, form.new_password.data)
        except ResetRefused:  # used a moment ago, by another submission
            db.session.rollback()
            return _unusable()
        except AccountError as exc:
            db.session.rollback()
            form.new_password.errors.append(str(exc))
        else:
            # The mailbox was proven: earlier failed sign-ins no longer hold the account back.
            clear_failures(user.email, current_app.config["LOGIN_FAILURE_WINDOW"])
            db.session.commit()
            logout_user()  # whoever was signed in here, the next sign-in starts afresh
            session.clear()
            flash(str(CHANGED), "success")
            return redirect(url_for("staff.login"))
    status = 400 if form.errors else 200
    page = render_template("staff/reset_password.html", form=form, email=reset.user.email)
    return page, status, {"Referrer-Policy": "no-referrer"}


def _unusable():
    page = render_template("staff/reset_unusable.html", message=UNUSABLE)
    return page, 404, {"Referrer-Policy": "no-referrer"}

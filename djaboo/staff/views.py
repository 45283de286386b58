"""Home, own profile, and the admins' staff pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import refresh
from flask_login import current_user, login_required, login_user

from djaboo.db import get_in_space_or_404, space_select
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.security_headers import edits_email_html
from djaboo.staff.accounts import (
    AccountError,
    create_user,
    email_taken,
    password_matches,
    set_language,
    set_notice_choices,
    set_password,
    set_signature,
    update_membership,
)
from djaboo.staff.blueprint import bp
from djaboo.staff.forms import PasswordChangeForm, ProfileForm, StaffCreateForm, StaffEditForm
from djaboo.staff.models import User
from djaboo.staff.permissions import admin_required


@bp.route("/")
@login_required
def home():
    return render_template("staff/home.html")


@bp.route("/staff/profile", methods=["GET", "POST"])
@login_required
@edits_email_html
def profile():
    form = ProfileForm(obj=current_user)
    password_form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        set_signature(current_user, form.signature_html.data)
        set_notice_choices(
            current_user,
            estimate_answers=form.notify_estimate_answers.data,
            own_failures=form.notify_own_failures.data,
            space_failures=form.notify_space_failures.data if current_user.is_admin else None,
        )
        set_language(current_user, form.language.data)
        db.session.commit()
        refresh()  # the flash is in the language just chosen, as the next page is
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("staff.profile"))
    return render_template("staff/profile.html", form=form, password_form=password_form)


@bp.route("/staff/profile/password", methods=["POST"])
@login_required
@edits_email_html
def change_password():
    form = ProfileForm(obj=current_user, formdata=None)
    password_form = PasswordChangeForm(prefix="pw")
    if password_form.validate_on_submit():
        if not password_matches(current_user, password_form.current_password.data):
            password_form.current_password.errors.append(_("This is not your current password."))
        else:
            set_password(current_user, password_form.new_password.data)
            db.session.commit()
            # This session continues under the new token; others end. The user itself, not the
            # current_user proxy: stored as the user, the proxy would resolve to itself.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other sessions were signed out."), "success")
            return redirect(url_for("staff.profile"))
    return render_template("staff/profile.html", form=form, password_form=password_form), 400


@bp.route("/staff")
@admin_required
def staff_list():
    users = (
        db.session.execute(
            space_select(User, current_user.space_id).order_by(User.active.desc(), User.name)
        )
        .scalars()
        .all()
    )
    return render_template("staff/list.html", users=users)


@bp.route("/staff/new", methods=["GET", "POST"])
@admin_required
def staff_create():
    form = StaffCreateForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user.space,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
            )
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _("%(name)s can now sign in as %(email)s.", name=user.name, email=user.email),
                "success",
            )
            return redirect(url_for("staff.staff_list"))
    return render_template("staff/edit.html", form=form, user=None)


@bp.route("/staff/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def staff_edit(user_id: int):
    user = get_in_space_or_404(db.session, User, user_id, current_user.space_id)
    form = StaffEditForm(obj=user)
    if form.validate_on_submit():
        try:
            if email_taken(form.email.data, except_user_id=user.id):
                raise AccountError(_("This email address already has an account."))
            update_membership(user, role=form.role.data, active=form.active.data)
            user.name = form.name.data.strip()
            user.email = form.email.data
            set_language(user, form.language.data)
            if form.new_password.data:
                set_password(user, form.new_password.data)
        except AccountError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            if user.id == current_user.id:
                refresh()  # an admin who changed their own language reads the flash in it
            flash(_("%(name)s is saved.", name=user.name), "success")
            if user.id == current_user.id and not (user.active and user.is_admin):
                return redirect(url_for("staff.home"))
            return redirect(url_for("staff.staff_list"))
    return render_template("staff/edit.html", form=form, user=user)

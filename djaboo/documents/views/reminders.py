"""Setup → Settings → Reminders (admins)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from djaboo.documents.reminder_forms import ReminderSettingsForm
from djaboo.documents.reminders import reminder_settings_for
from djaboo.documents.views import bp
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.staff.permissions import admin_required


@bp.route("/settings/reminders", methods=["GET", "POST"])
@admin_required
def reminder_settings():
    settings = reminder_settings_for(current_user.space_id)
    space = current_user.space
    form = ReminderSettingsForm(obj=settings, timezone=space.timezone or "UTC")
    if form.validate_on_submit():
        form.populate_obj(settings)
        db.session.add(settings)  # the defaults, if the row was missing
        space.timezone = form.timezone.data
        db.session.commit()
        flash(_("Reminder settings saved."), "success")
        return redirect(url_for("documents.reminder_settings"))
    return render_template("documents/reminder_settings.html", form=form), (
        400 if form.errors else 200
    )

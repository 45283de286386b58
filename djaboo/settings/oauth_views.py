"""Connect, callback and Disconnect for Microsoft 365 / Google (OAuth); thin views over
djaboo/settings/oauth_connect.py, on the settings blueprint."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.settings.oauth_connect import ConnectRefused, disconnect, finish_connect, start_connect
from djaboo.settings.oauth_providers import PROVIDERS
from djaboo.settings.oauth_settings import oauth_for
from djaboo.settings.views import bp
from djaboo.staff.permissions import admin_required

SESSION_KEY = "oauth_state"


@bp.route("/email/oauth/connect", methods=["POST"])
@admin_required
def oauth_connect():
    oauth = oauth_for(current_user.space_id)
    if oauth is None or not oauth.active or not oauth.client_id:
        flash(
            _(
                "Choose Microsoft 365 (OAuth) or Google (OAuth) as Email Protocol, enter the "
                "Client ID and Client Secret, and Save before connecting."
            ),
            "error",
        )
        return redirect(url_for("settings.email"))
    if not current_app.config.get("BASE_URL"):
        flash(_("BASE_URL is not set: the redirect URI cannot be built."), "error")
        return redirect(url_for("settings.email"))
    url, state_hash = start_connect(oauth, current_user, current_app.config)
    db.session.commit()
    session[SESSION_KEY] = state_hash
    return redirect(url)


@bp.route("/email/oauth/callback")
@admin_required
def oauth_callback():
    oauth = oauth_for(current_user.space_id)
    try:
        oauth, waiting = finish_connect(
            oauth, current_user, request.args, session.get(SESSION_KEY, ""), current_app.config
        )
    except ConnectRefused as exc:
        # A matching state is used up even when the provider's answer was an error; a forged
        # one changes nothing (it cannot cancel the Connect this browser has in flight).
        db.session.commit()
        flash(str(exc), "error")
        return redirect(url_for("settings.email"))
    db.session.commit()
    session.pop(SESSION_KEY, None)
    flash(_("Connected as %(mailbox)s.", mailbox=oauth.mailbox), "success")
    if waiting:
        flash(
            _("%(count)s email(s) waiting for this connection are queued again.", count=waiting),
            "info",
        )
    return redirect(url_for("settings.email"))


@bp.route("/email/oauth/disconnect", methods=["POST"])
@admin_required
def oauth_disconnect():
    oauth = oauth_for(current_user.space_id)
    if oauth is not None and oauth.connected:
        label = PROVIDERS[oauth.provider].label
        disconnect(oauth)
        db.session.commit()
        flash(
            _(
                "Disconnected from %(provider)s. Emails wait until you connect again.",
                provider=label,
            ),
            "info",
        )
    return redirect(url_for("settings.email"))

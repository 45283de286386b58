"""The main navigation: entries appear once the feature that serves them is installed."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, url_for
from flask_login import current_user

from djaboo.i18n import _l

# (label, endpoint, admin only); labels are lazy: read in the reader's language
MAIN = [
    (_l("Invoices"), "documents.invoice_list", False),
    (_l("Estimates"), "documents.estimate_list", False),
    (_l("Credit notes"), "documents.credit_note_list", False),
    (_l("Customers"), "documents.customer_list", False),
    (_l("Emails"), "documents.email_log", False),
]
SETUP = [
    (_l("Company"), "company.edit", True),
    (_l("Settings → Email"), "settings.email", True),
    (_l("Settings → Reminders"), "documents.reminder_settings", True),
    (_l("Email Templates"), "email_templates.template_list", False),  # staff may look and preview
    (_l("Staff"), "staff.staff_list", True),
]


def _visible(entries):
    endpoints = current_app.view_functions
    admin = current_user.is_authenticated and current_user.is_admin
    return [
        (label, url_for(endpoint), endpoint)
        for label, endpoint, admin_only in entries
        if endpoint in endpoints and (admin or not admin_only)
    ]


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation():
        # PDFs are rendered by the worker and the CLI too, with no request and no user.
        if not has_request_context() or not current_user.is_authenticated:
            return {
                "nav_main": [],
                "nav_setup": [],
                "mail_pause": None,
                "mail_waiting": None,
                "mail_reconnect": None,
            }
        pause = _mail_pause()
        return {
            "nav_main": _visible(MAIN),
            "nav_setup": _visible(SETUP),
            "mail_pause": pause,
            "mail_waiting": _mail_waiting(),
            "mail_reconnect": _mail_reconnect() if pause else None,
        }


def _mail_waiting():
    """For admins: minutes emails have waited with no mail worker running, else None."""
    if not current_user.is_admin:
        return None
    from djaboo.mail.worker import waiting_without_worker

    return waiting_without_worker(current_user.space_id)


def _mail_pause():
    """Why this space's mail is paused, for the banner every page shows."""
    from djaboo.extensions import db
    from djaboo.mail.outbox import MailPause

    return db.session.get(MailPause, current_user.space_id)


def _mail_reconnect():
    """The provider to reconnect ("Microsoft 365", "Google") when its grant was refused."""
    from djaboo.settings.oauth_providers import PROVIDERS
    from djaboo.settings.oauth_settings import oauth_for

    oauth = oauth_for(current_user.space_id)
    if oauth is not None and oauth.active and oauth.grant_refused_at is not None:
        return PROVIDERS[oauth.provider].label
    return None

"""The space's email log: every email, its status and the server's answer; a person's hand on
the queue (Cancel, Retry now / Send now, Resend; several at once from the log), whose rules are
djaboo/mail/queue_control.py."""

from __future__ import annotations

from email import message_from_bytes, policy

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import load_only

from djaboo.db import get_in_space_or_404, space_select
from djaboo.documents.listing import paginate
from djaboo.documents.views import bp
from djaboo.extensions import db
from djaboo.i18n import _, _l
from djaboo.mail.outbox import STATUS_LABELS, OutboxMessage
from djaboo.mail.queue_control import (
    CANCELLABLE,
    MAX_IDS,
    RESENDABLE,
    SENDABLE_NOW,
    cancel_emails,
    refusal,
    resend_emails,
    send_emails_now,
)
from djaboo.request_guard import query_id
from djaboo.security_headers import shows_email_preview
from djaboo.staff.models import User

LOG_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.created_at,
    OutboxMessage.to_display,
    OutboxMessage.subject,
    OutboxMessage.sent_by_id,
    OutboxMessage.origin,
    OutboxMessage.status,
    OutboxMessage.next_attempt_at,
    OutboxMessage.server_reply,
    OutboxMessage.last_error,
    OutboxMessage.message_id,
    OutboxMessage.pruned_at,
)
SORTS = {"-created": (OutboxMessage.id.desc(),), "created": (OutboxMessage.id,)}
# What each button does to one email: the rule, and the flash when it did.
ACTIONS = {
    "cancel": (
        lambda space_id, ids: cancel_emails(space_id, ids, by=current_user.name),
        _l("The email is cancelled; it will not be sent."),
    ),
    "send_now": (send_emails_now, _l("The email is queued; it goes out now.")),
    "resend": (resend_emails, _l("The email is queued again.")),
}
# Which buttons a row of a status gets (the rules decide again on the click).
STATES = {"cancellable": CANCELLABLE, "sendable_now": SENDABLE_NOW, "resendable": RESENDABLE}
# Emails whose content opens an account (a reset link): the log shows their line, never their
# message, or any staff member of the space could take over another's account (an admin's).
WITHHELD_ORIGINS = ("password_reset",)


@bp.route("/emails")
@login_required
def email_log():
    # The log's columns only: never the message itself (a PDF each), read a page at a time.
    select = space_select(OutboxMessage, current_user.space_id).options(load_only(*LOG_COLUMNS))
    status = request.args.get("status", "")
    if status in STATUS_LABELS:
        select = select.where(OutboxMessage.status == status)
    page = paginate(
        select,
        args=request.args,
        sorts=SORTS,
        default_sort="-created",
        search_columns=(OutboxMessage.subject, OutboxMessage.to_display),
    )
    senders = {
        u.id: u.name
        for u in db.session.execute(space_select(User, current_user.space_id)).scalars()
    }
    return render_template(
        "documents/emails.html",
        page=page,
        status=status,
        labels=STATUS_LABELS,
        senders=senders,
        confirm_form=FlaskForm(),
        space=current_user.space,
        states=STATES,
        max_ids=MAX_IDS,
    )


@bp.route("/emails/<int:email_id>")
@login_required
@shows_email_preview
def email_detail(email_id: int):
    row = get_in_space_or_404(db.session, OutboxMessage, email_id, current_user.space_id)
    sender_name = db.session.get(User, row.sent_by_id).name if row.sent_by_id else "—"
    if row.pruned_at or row.origin in WITHHELD_ORIGINS:  # the log line only
        return render_template(
            "documents/email.html",
            row=row,
            removed_after_days=removed_after_days(row) if row.pruned_at else None,
            sender_name=sender_name,
            confirm_form=FlaskForm(),
            space=current_user.space,
            states=STATES,
        )
    parsed = message_from_bytes(row.raw, policy=policy.default)
    html_part = parsed.get_body(("html",))
    text_part = parsed.get_body(("plain",))
    return render_template(
        "documents/email.html",
        row=row,
        headers=list(parsed.items()),
        html=html_part.get_content() if html_part else None,
        text=text_part.get_content() if text_part else "",
        attachments=[a.get_filename() for a in parsed.iter_attachments()],
        sender_name=sender_name,
        confirm_form=FlaskForm(),
        space=current_user.space,
        states=STATES,
    )


def removed_after_days(row: OutboxMessage) -> int:
    """How many days after it was sent the message was removed (Settings → Email → Keep sent
    messages for, as it was then: the setting may have changed since)."""
    return (row.pruned_at - (row.sent_at or row.created_at)).days


@bp.route("/emails/<int:email_id>.eml")
@login_required
def email_download(email_id: int):
    row = get_in_space_or_404(db.session, OutboxMessage, email_id, current_user.space_id)
    if row.pruned_at:
        abort(
            404,
            _("The message itself was removed after %(days)s days.", days=removed_after_days(row)),
        )
    if row.origin in WITHHELD_ORIGINS:
        abort(404, _("This email holds a sign-in link; its message is not shown to anyone."))
    return Response(
        row.raw,
        mimetype="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="email-{row.id}.eml"'},
    )


@bp.route("/emails/<int:email_id>/resend", methods=["POST"])
@login_required
def email_resend(email_id: int):
    return _act_on(email_id, "resend")


@bp.route("/emails/<int:email_id>/cancel", methods=["POST"])
@login_required
def email_cancel(email_id: int):
    return _act_on(email_id, "cancel")


@bp.route("/emails/<int:email_id>/send-now", methods=["POST"])
@login_required
def email_send_now(email_id: int):
    """Retry now (a retrying email), Send now (a scheduled one)."""
    return _act_on(email_id, "send_now")


def _act_on(email_id: int, action: str):
    row = get_in_space_or_404(db.session, OutboxMessage, email_id, current_user.space_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    rule, done = ACTIONS[action]
    if rule(current_user.space_id, [row.id]):
        db.session.commit()
        flash(str(done), "success")
    else:
        db.session.rollback()
        flash(refusal(action, row), "error")
    if request.form.get("back") == "log":
        return redirect(_log_url())
    return redirect(url_for("documents.email_detail", email_id=row.id))


@bp.route("/emails/selected", methods=["POST"])
@login_required
def emails_selected():
    """Resend or Cancel the emails ticked in the log (ids of another space change nothing)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    values = request.form.getlist("ids")
    if action not in ("resend", "cancel"):
        flash(_("Choose Resend or Cancel."), "error")
    elif not values:
        flash(_("Tick the emails first."), "error")
    elif len(values) > MAX_IDS:
        flash(_("At most %(count)s emails at once.", count=MAX_IDS), "error")
    else:
        ids = set(filter(None, map(_id_or_none, values)))
        changed = ACTIONS[action][0](current_user.space_id, ids)
        db.session.commit()
        left = len(ids) - len(changed)
        counts = {"count": len(changed), "left": left}
        if action == "resend" and left:
            message = _(
                "%(count)s email(s) queued again. %(left)s left as they were: only failed "
                "emails that still have their message can be sent again.",
                **counts,
            )
        elif action == "resend":
            message = _("%(count)s email(s) queued again.", **counts)
        elif left:
            message = _(
                "%(count)s email(s) cancelled. %(left)s left as they were: only queued, "
                "retrying or scheduled emails can be cancelled.",
                **counts,
            )
        else:
            message = _("%(count)s email(s) cancelled.", **counts)
        flash(message, "success" if changed else "error")
    return redirect(_log_url())


def _id_or_none(value: str) -> int | None:
    try:
        return query_id(value)
    except ValueError:
        return None


def _log_url() -> str:
    """Back to the log, on the status it was filtered on (only a known one)."""
    status = request.form.get("status", "")
    return url_for("documents.email_log", **({"status": status} if status in STATUS_LABELS else {}))

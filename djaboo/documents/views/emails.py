"""The space's email log: every email, its status and the server's answer, resend when failed."""

from __future__ import annotations

from email import message_from_bytes, policy

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from djaboo.db import get_in_space_or_404, space_select
from djaboo.documents.listing import paginate
from djaboo.documents.views import bp
from djaboo.extensions import db
from djaboo.mail.outbox import STATUS_LABELS, OutboxMessage
from djaboo.security_headers import shows_email_preview
from djaboo.staff.models import User

SORTS = {"-created": (OutboxMessage.id.desc(),), "created": (OutboxMessage.id,)}
RESENDABLE = ("failed", "attention", "unknown")
# Emails whose content opens an account (a reset link): the log shows their line, never their
# message, or any staff member of the space could take over another's account (an admin's).
WITHHELD_ORIGINS = ("password_reset",)


@bp.route("/emails")
@login_required
def email_log():
    select = space_select(OutboxMessage, current_user.space_id)
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
        abort(404, f"The message itself was removed after {removed_after_days(row)} days.")
    if row.origin in WITHHELD_ORIGINS:
        abort(404, "This email holds a sign-in link; its message is not shown to anyone.")
    return Response(
        row.raw,
        mimetype="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="email-{row.id}.eml"'},
    )


@bp.route("/emails/<int:email_id>/resend", methods=["POST"])
@login_required
def email_resend(email_id: int):
    row = get_in_space_or_404(db.session, OutboxMessage, email_id, current_user.space_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if row.pruned_at:  # never the case for a resendable row (retention.PRUNABLE); said anyway
        flash("The message itself was removed: send it again from its document.", "error")
    elif row.status not in RESENDABLE:
        flash("Only failed emails can be sent again.", "error")
    elif not row.message_id:  # composing it failed: there is nothing to send again
        flash("This email was never made; send it again from its document.", "error")
    else:
        # The same row and Message-ID: a resend is the same email, never a second one.
        row.status, row.next_attempt_at, row.last_error = "queued", None, ""
        db.session.commit()
        flash("The email is queued again.", "success")
    return redirect(url_for("documents.email_detail", email_id=row.id))

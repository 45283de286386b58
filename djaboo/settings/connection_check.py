"""Send Test Email and Check Connection: recorded, rate-limited, run off the request thread.

The view only records a MailCheck row and starts the run; a slow or dead server can therefore
never hold a web worker for the length of the timeout. The report page follows the row.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail import diagnostics
from djaboo.mail.delivery import worker_name
from djaboo.mail.errors import ConfigurationError, MailError
from djaboo.mail.recording import NewEmail, Recorded, record_email, settle_held
from djaboo.mail.texts import N_, Line, english, lines_of
from djaboo.settings.email_settings import email_settings_for
from djaboo.settings.models import MailCheck
from djaboo.settings.test_email import compose_test_email
from djaboo.settings.transport_settings import transport_settings_for
from djaboo.spaces.models import Space
from djaboo.staff.models import User

log = logging.getLogger(__name__)
RATE_WINDOW = timedelta(minutes=10)


class CheckRefused(Exception):
    """The check may not run now; the message says why."""


def start_mail_check(user: User, kind: str, recipient: str) -> MailCheck:
    """Record a check to run (flushed, not committed). Refused when the admin sent too many."""
    limit = current_app.config["TEST_EMAILS_PER_10_MINUTES"]
    recent = db.session.execute(
        sa.select(sa.func.count(MailCheck.id)).where(
            MailCheck.space_id == user.space_id,
            MailCheck.created_at > utcnow() - RATE_WINDOW,
        )
    ).scalar_one()
    if recent >= limit:
        raise CheckRefused(
            _(
                "This space ran %(count)s tests in the last 10 minutes; wait a few minutes "
                "before the next one.",
                count=recent,
            )
        )
    check = MailCheck(
        space_id=user.space_id,
        requested_by_id=user.id,
        kind=kind,
        recipient=recipient,
        status="running",
        steps=[],
    )
    db.session.add(check)
    db.session.flush()
    return check


def run_in_background(app: Flask, check_id: int) -> threading.Thread:
    """Run the committed check in a thread with its own app context and transaction."""

    def target():
        with app.app_context():
            try:
                run_mail_check(check_id)
            except Exception:  # the row must never stay "running" because of a bug
                log.exception("mail check %s crashed", check_id)
                db.session.rollback()
                _finish(
                    db.session.get(MailCheck, check_id),
                    False,
                    lines_of(N_("The check stopped because of an internal error; it was logged.")),
                    [],
                    [],
                )
            finally:
                db.session.remove()

    thread = threading.Thread(target=target, name=f"mail-check-{check_id}", daemon=True)
    thread.start()
    return thread


def run_mail_check(check_id: int) -> None:
    check = db.session.get(MailCheck, check_id)
    space = db.session.get(Space, check.space_id)
    settings = email_settings_for(space)
    try:
        transport = transport_settings_for(settings, current_app.config)
    except ConfigurationError as exc:  # the stored password no longer decrypts
        _finish(check, False, diagnostics.failure_lines(exc), exc.hint_lines, [])
        return
    if check.kind == "connection":
        report = diagnostics.check_connection(transport, settings.from_email, check.recipient)
    else:
        try:
            user = db.session.get(User, check.requested_by_id) if check.requested_by_id else None
            composed = compose_test_email(space, settings, user, check.recipient)
        except MailError as exc:
            _finish(check, False, diagnostics.failure_lines(exc), exc.hint_lines, [])
            return
        recorded = _record(check, composed)
        # The stored bytes (signed, when the space signs), as the worker would send them.
        envelope = replace(composed.envelope, message=recorded.raw)
        report = diagnostics.send_test_email(transport, envelope)
        _settle(recorded, report)
    _finish(check, report.ok, report.summary_lines, report.hint_lines, report.steps)


def _record(check: MailCheck, composed) -> Recorded:
    """The test email is in the email log like every email, recorded before it is sent, but
    sent here, at once, for the step-by-step report: held by this check, so no worker takes it
    (unless this process dies: then a worker sends it once the lease runs out)."""
    recorded = record_email(
        NewEmail(
            space_id=check.space_id,
            origin="test",
            key=f"test-email:{check.id}",
            composed=composed,
            event="test_email",
            sent_by_id=check.requested_by_id,
            held_by=f"mail-check:{check.id}:{worker_name()}",
        )
    )
    db.session.commit()
    return recorded


def _settle(recorded: Recorded, report: diagnostics.Report) -> None:
    changes = {"status": "sent" if report.ok else "failed", "claimed_by": "", "claim_token": ""}
    if report.ok:
        changes |= {"sent_at": utcnow(), "server_reply": report.summary}
    else:
        changes |= {"last_error": report.summary}
    settle_held(recorded, changes)
    db.session.commit()


def _finish(check: MailCheck, ok: bool, summary: list[Line], hint: list[Line], steps: list) -> None:
    check.status = "succeeded" if ok else "failed"
    check.summary, check.hint = english(summary), english(hint)
    check.report = {
        "steps": steps,
        "summary": [line.as_data() for line in summary],
        "hint": [line.as_data() for line in hint],
    }
    check.finished_at = utcnow()
    db.session.commit()

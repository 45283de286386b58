"""A Send Test Email / Check Connection report in its reader's language: the lines recorded by
the check (djaboo/mail/texts.py) are translated here, the server's words stay as they are."""

from __future__ import annotations

from dataclasses import dataclass

from djaboo.display_texts import translated_lines, translated_step_detail
from djaboo.i18n import _, _l
from djaboo.settings.models import MailCheck

# Protocol commands (EHLO, AUTH, RCPT…) are the same in every language; these are words.
STEP_NAMES = {
    "Resolve": _l("Resolve"),
    "Connect": _l("Connect"),
    "Connecting": _l("Connecting"),
    "Greeting": _l("Greeting"),
}
STATUS_LABELS = {"running": _l("running"), "succeeded": _l("succeeded"), "failed": _l("failed")}


@dataclass
class ReportTexts:
    title: str
    heading: str
    summary: str
    hint: str
    steps: list[dict]


def check_report_texts(check: MailCheck) -> ReportTexts:
    if check.kind == "test_email":
        title = _("Test email")
        heading = _("Test email to %(recipient)s", recipient=check.recipient)
    else:
        title = _("Connection check")
        heading = _("Connection check to %(recipient)s", recipient=check.recipient)
    steps = [
        {
            "name": str(STEP_NAMES.get(step.get("name"), step.get("name", ""))),
            "ok": step.get("ok"),
            "detail": translated_step_detail(step),
        }
        for step in check.steps
    ]
    return ReportTexts(
        title=title,
        heading=heading,
        summary=translated_lines(check.lines("summary"), check.summary),
        hint=translated_lines(check.lines("hint"), check.hint),
        steps=steps,
    )


def check_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))

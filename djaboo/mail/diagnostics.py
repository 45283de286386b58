"""The admin's tools: send a test email, or check the connection, and report every step."""

from __future__ import annotations

from dataclasses import dataclass, field

from djaboo.mail.errors import MailError
from djaboo.mail.texts import N_, Line, english
from djaboo.mail.trace import Trace
from djaboo.mail.transports import Envelope, TransportSettings, open_transport


@dataclass
class Report:
    """The summary and hint are Lines (djaboo/mail/texts.py): English here, translated where
    the report is shown; `summary` and `hint` are their English words (the email log's)."""

    ok: bool
    summary_lines: list[Line]
    hint_lines: list[Line] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return english(self.summary_lines)

    @property
    def hint(self) -> str:
        return english(self.hint_lines)


def failure_lines(error: MailError) -> list[Line]:
    """What went wrong, with the server's words (verbatim) when it gave some."""
    lines = list(error.lines)
    if error.server_reply:
        code = f"{error.smtp_code} " if error.smtp_code else ""
        lines.append(Line(N_("The server said: %(reply)s"), {"reply": code + error.server_reply}))
    return lines


def _failed(trace: Trace, error: MailError) -> Report:
    return Report(False, failure_lines(error), error.hint_lines, trace.as_list())


def send_test_email(settings: TransportSettings, envelope: Envelope) -> Report:
    """Really send envelope, tracing each step; never raises a MailError."""
    trace = Trace()
    try:
        with open_transport(settings, trace) as transport:
            result = transport.send(envelope)
    except MailError as error:
        return _failed(trace, error)
    refused = [f"{r} ({x.code} {x.reply})" for r, x in result.refused.items()]
    summary = [
        Line(
            N_("The server accepted the test email for %(recipients)s."),
            {"recipients": ", ".join(result.accepted)},
        )
    ]
    if refused:
        summary.append(Line(N_("It refused: %(refused)s."), {"refused": "; ".join(refused)}))
    return Report(
        ok=not refused,
        summary_lines=summary,
        steps=trace.as_list(),
        hint_lines=[
            Line(
                N_(
                    "Accepted means the server took it; look in the inbox (and the spam "
                    "folder) to see that it arrived."
                )
            )
        ],
    )


def check_connection(settings: TransportSettings, sender: str, recipient: str) -> Report:
    """Everything up to RCPT, then RSET: nothing is sent."""
    trace = Trace()
    try:
        with open_transport(settings, trace) as transport:
            result = transport.check(sender, (recipient,))
    except MailError as error:
        return _failed(trace, error)
    if result.refused:
        refusal = result.refused[recipient]
        return Report(
            ok=False,
            summary_lines=[
                Line(
                    N_("The server would refuse %(recipient)s: %(reply)s"),
                    {"recipient": recipient, "reply": f"{refusal.code} {refusal.reply}"},
                )
            ],
            steps=trace.as_list(),
        )
    if settings.protocol == "smtp":
        what = N_(
            "The connection works: the server would accept mail from %(sender)s to "
            "%(recipient)s. Nothing was sent."
        )
    else:
        what = N_(
            "The mail program is there: the server would accept mail from %(sender)s to "
            "%(recipient)s. Nothing was sent."
        )
    return Report(
        ok=True,
        summary_lines=[Line(what, {"sender": sender, "recipient": recipient})],
        steps=trace.as_list(),
    )

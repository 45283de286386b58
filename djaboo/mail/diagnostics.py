"""The admin's tools: send a test email, or check the connection, and report every step."""

from __future__ import annotations

from dataclasses import dataclass, field

from djaboo.mail.errors import MailError
from djaboo.mail.trace import Trace
from djaboo.mail.transports import Envelope, TransportSettings, open_transport


@dataclass
class Report:
    ok: bool
    summary: str
    hint: str = ""
    steps: list[dict] = field(default_factory=list)


def _failed(trace: Trace, error: MailError) -> Report:
    summary = error.message
    if error.server_reply:
        code = f"{error.smtp_code} " if error.smtp_code else ""
        summary += f" The server said: {code}{error.server_reply}"
    return Report(ok=False, summary=summary, hint=error.hint, steps=trace.as_list())


def send_test_email(settings: TransportSettings, envelope: Envelope) -> Report:
    """Really send envelope, tracing each step; never raises a MailError."""
    trace = Trace()
    try:
        with open_transport(settings, trace) as transport:
            result = transport.send(envelope)
    except MailError as error:
        return _failed(trace, error)
    refused = [f"{r} ({x.code} {x.reply})" for r, x in result.refused.items()]
    summary = f"The server accepted the test email for {', '.join(result.accepted)}."
    if refused:
        summary += f" It refused: {'; '.join(refused)}."
    return Report(
        ok=not refused,
        summary=summary,
        steps=trace.as_list(),
        hint="Accepted means the server took it; look in the inbox (and the spam "
        "folder) to see that it arrived.",
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
            summary=f"The server would refuse {recipient}: {refusal.code} {refusal.reply}",
            steps=trace.as_list(),
        )
    what = "The connection works" if settings.protocol == "smtp" else "The mail program is there"
    return Report(
        ok=True,
        summary=f"{what}: the server would accept mail from {sender} to "
        f"{recipient}. Nothing was sent.",
        steps=trace.as_list(),
    )

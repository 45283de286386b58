"""A step-by-step record of one conversation with a mail server, for the admin's test report.

Nothing secret is ever added: AUTH steps record the mechanism and the reply, never the payload.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from djaboo.mail.errors import clip_reply
from djaboo.mail.texts import Line


@dataclass
class Step:
    name: str  # Resolve, Connect, TLS, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, Sendmail
    ok: bool
    detail: str  # in English
    text: dict | None = None  # the detail as msgid and params, for the reader's language


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str | bytes, **params) -> None:
        """detail: the server's words, or our own (an N_ msgid, filled with params)."""
        if params:
            line = Line(str(detail), params)
            self.steps.append(Step(name, ok, clip_reply(str(line)), line.as_data()))
        else:
            self.steps.append(Step(name, ok, clip_reply(detail)))

    def add_error(self, name: str, error) -> None:
        """A failed step whose detail is a MailError's words (str(error))."""
        lines = error.all_lines()
        text = {"lines": [line.as_data() for line in lines]}
        self.steps.append(Step(name, False, clip_reply(str(error)), text))

    def as_list(self) -> list[dict]:
        return [asdict(step) for step in self.steps]


class NullTrace(Trace):
    """Used by the delivery worker, which needs no report."""

    def add(self, name: str, ok: bool, detail: str | bytes, **params) -> None:
        pass

    def add_error(self, name: str, error) -> None:
        pass

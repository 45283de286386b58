"""A step-by-step record of one conversation with a mail server, for the admin's test report.

Nothing secret is ever added: AUTH steps record the mechanism and the reply, never the payload.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from djaboo.mail.errors import clip_reply


@dataclass
class Step:
    name: str  # Resolve, Connect, TLS, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, Sendmail
    ok: bool
    detail: str


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str | bytes) -> None:
        self.steps.append(Step(name, ok, clip_reply(detail)))

    def as_list(self) -> list[dict]:
        return [asdict(step) for step in self.steps]


class NullTrace(Trace):
    """Used by the delivery worker, which needs no report."""

    def add(self, name: str, ok: bool, detail: str | bytes) -> None:
        pass

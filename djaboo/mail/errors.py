"""Typed mail errors. Each carries a sentence an admin can act on: what happened and what to change.

TransientError   — try again later (4xx replies, network trouble); the worker retries.
PermanentError   — this message cannot be delivered as it is (5xx); never retried.
ConfigurationError — the space's settings are wrong (auth, TLS, host policy); retrying one message
                     after another would only lock the account, so the space's queue pauses.
DeliveryUnknownError — the server may have accepted the message but we never saw its answer.
UnexpectedError  — any other exception (a bug, a reply a client library chokes on): the email
                   waits for a person ("Needs attention") instead of being retried in silence.
"""

from __future__ import annotations

from djaboo.mail.texts import N_, Line, Text, english, lines_of

MAX_REPLY_LENGTH = 500


def clip_reply(text: str | bytes | None) -> str:
    """A server's words, decoded, on one line and truncated: safe to store and show (escaped)."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_REPLY_LENGTH else text[: MAX_REPLY_LENGTH - 1] + "…"


class MailError(Exception):
    """Base class: `message` says what went wrong, `hint` what to change.

    Both are English msgids (N_-marked) or Lines (djaboo/mail/texts.py); `params` fill the
    message's placeholders. `lines` and `hint_lines` keep them apart for translated reports."""

    kind = "error"

    def __init__(
        self,
        message: Text,
        *,
        hint: Text = "",
        smtp_code: int | None = None,
        server_reply: str | bytes | None = None,
        params: dict | None = None,
    ) -> None:
        self.lines: list[Line] = lines_of(message, params)
        self.hint_lines: list[Line] = lines_of(hint)
        self.message = english(self.lines)
        self.hint = english(self.hint_lines)
        super().__init__(self.message)
        self.smtp_code = smtp_code
        self.server_reply = clip_reply(server_reply)

    def __str__(self) -> str:
        return english(self.all_lines())

    def all_lines(self) -> list[Line]:
        """What str() says, as Lines: the message, the server's words, the hint."""
        lines = list(self.lines)
        if self.server_reply:
            code = f"{self.smtp_code} " if self.smtp_code else ""
            reply = code + self.server_reply
            lines.append(Line(N_("(server said: %(reply)s)"), {"reply": reply}))
        return lines + self.hint_lines


class TransientError(MailError):
    kind = "transient"


class PermanentError(MailError):
    kind = "permanent"


class ConfigurationError(MailError):
    kind = "configuration"


class DeliveryUnknownError(MailError):
    kind = "unknown"


class UnexpectedError(MailError):
    kind = "unexpected"

    @classmethod
    def wrapping(cls, exc: BaseException) -> UnexpectedError:
        """Only the exception's type is shown: its text may hold anything (a server's words)."""
        return cls(
            N_(
                "Sending stopped on an unexpected error (%(error)s); the details are in the "
                "server log."
            ),
            params={"error": type(exc).__name__},
            hint=N_(
                "Run Send Test Email in Settings → Email to see whether it happens again, then "
                "resend this email; if it keeps failing, tell the person who runs this "
                "installation."
            ),
        )


def error_for_reply(code: int, reply: str | bytes, what: str, *, hint: str = "") -> MailError:
    """Classify an SMTP reply code: 4xx transient, 5xx permanent."""
    cls = TransientError if 400 <= code < 500 else PermanentError
    return cls(what, hint=hint, smtp_code=code, server_reply=reply)

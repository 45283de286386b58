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
    """Base class: `message` says what went wrong, `hint` what to change."""

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        smtp_code: int | None = None,
        server_reply: str | bytes | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.smtp_code = smtp_code
        self.server_reply = clip_reply(server_reply)

    def __str__(self) -> str:
        parts = [self.message]
        if self.server_reply:
            code = f"{self.smtp_code} " if self.smtp_code else ""
            parts.append(f"(server said: {code}{self.server_reply})")
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)


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
            f"Sending stopped on an unexpected error ({type(exc).__name__}); the details are "
            "in the server log.",
            hint="Run Send Test Email in Settings → Email to see whether it happens again, then "
            "resend this email; if it keeps failing, tell the person who runs this installation.",
        )


def error_for_reply(code: int, reply: str | bytes, what: str, *, hint: str = "") -> MailError:
    """Classify an SMTP reply code: 4xx transient, 5xx permanent."""
    cls = TransientError if 400 <= code < 500 else PermanentError
    return cls(what, hint=hint, smtp_code=code, server_reply=reply)

"""SMTP delivery for both engines: MAIL, RCPT (per-recipient results), DATA, on one connection
reused for a batch. The connection half lives in smtp_connection.py.
"""

from __future__ import annotations

from djaboo.mail.errors import (
    ConfigurationError,
    DeliveryUnknownError,
    PermanentError,
    TransientError,
    error_for_reply,
)
from djaboo.mail.texts import N_, Line
from djaboo.mail.transports.base import Envelope, RecipientRefusal, SendResult
from djaboo.mail.transports.clients.base import ConnectionLost
from djaboo.mail.transports.deadline import deadline
from djaboo.mail.transports.smtp_connection import SMTPConnection

LOST_AFTER_PAYLOAD = N_(
    "The connection broke after the whole message was sent but before the server answered: "
    "it may or may not have been accepted."
)


class SMTPTransport(SMTPConnection):
    def send(self, envelope: Envelope) -> SendResult:
        with deadline(self.settings.deadline, self.interrupt) as overdue:
            try:
                result = self._send(envelope)
            except ConnectionLost as exc:
                self.close()
                if exc.after_payload:
                    self.trace.add("DATA", False, N_("no answer after the whole message was sent"))
                    raise DeliveryUnknownError(
                        self._slow("answer") if overdue.fired else LOST_AFTER_PAYLOAD
                    ) from None
                if overdue.fired:
                    raise TransientError(
                        self._slow("take"), hint=N_("We will try again.")
                    ) from None
                raise TransientError(
                    N_("The server closed the connection during %(stage)s."),
                    params={"stage": exc.stage},
                    hint=N_("We will try again."),
                ) from None
            except (TimeoutError, OSError) as exc:
                self.close()
                raise TransientError(
                    N_("The connection failed: %(error)s."), params={"error": str(exc)}
                ) from None
        if overdue.fired:  # it fired just as the reply came: the connection is not usable
            self.close()
        return result

    def _slow(self, verb: str) -> Line:
        seconds = {"seconds": f"{self.settings.deadline:g}"}
        if verb == "answer":
            return Line(
                N_(
                    "The server did not answer within %(seconds)s seconds once the whole "
                    "message was sent: it may or may not have been accepted."
                ),
                seconds,
            )
        return Line(
            N_("The server took longer than %(seconds)s seconds over one message."), seconds
        )

    def _send(self, envelope: Envelope) -> SendResult:
        self.open()  # reconnects when an earlier failure closed the connection
        if self.client.supports_pipelining and "pipelining" in self.client.features:
            result, (code, reply) = self._pipelined(envelope)
        else:
            result = self._envelope(envelope)
            code, reply = self.client.data(envelope.message)
        if code != 250:
            self.trace.add("DATA", False, f"{code} {reply}")
            self._reset()
            hint = N_("The message is too large for this server.") if code == 552 else ""
            raise error_for_reply(code, reply, N_("The server refused the message."), hint=hint)
        self.trace.add("DATA", True, f"{code} {reply}")
        result.reply = f"{code} {reply}"
        return result

    def check(self, sender: str, recipients: tuple[str, ...]) -> SendResult:
        """MAIL and RCPT without DATA, then RSET: would the server take this envelope?"""
        self.open()
        try:
            result = self._envelope(Envelope(sender, recipients, b""), checking=True)
        except ConnectionLost as exc:
            self.close()
            raise TransientError(
                N_("The server closed the connection during %(stage)s."),
                params={"stage": exc.stage},
            ) from None
        self._reset()
        return result

    def _pipelined(self, envelope: Envelope) -> tuple[SendResult, tuple[int, str]]:
        """MAIL, RCPTs and DATA in one write (RFC 2920), judged exactly as one by one."""
        options = self._mail_options(envelope)
        mail, rcpts, data = self.client.pipelined(envelope.sender, options, envelope.recipients)
        replies = iter(rcpts)
        if data[0] == 354 and (mail[0] != 250 or not any(c in (250, 251) for c, _ in rcpts)):
            self.close()  # a server that opened DATA for nobody: it gets no byte of the message
        self._judge_mail(envelope, *mail)
        result = self._judge_recipients(envelope, lambda _recipient: next(replies))
        if data[0] != 354:
            return result, data
        return result, self.client.payload(envelope.message)

    def _envelope(self, envelope: Envelope, checking: bool = False) -> SendResult:
        """MAIL FROM and every RCPT TO; raises unless a recipient was accepted (or checking)."""
        options = self._mail_options(envelope)
        self._judge_mail(envelope, *self.client.mail(envelope.sender, options))
        return self._judge_recipients(envelope, lambda r: self.client.rcpt(r, []), checking)

    def _mail_options(self, envelope: Envelope) -> list[str]:
        features = self.client.features
        options = []
        if "size" in features and envelope.message:
            options.append(f"SIZE={len(envelope.message)}")
        if envelope.smtputf8:
            if "smtputf8" not in features:
                raise PermanentError(
                    N_(
                        "An address contains non-ASCII characters and this server does not "
                        "support SMTPUTF8."
                    ),
                    hint=N_("Use the ASCII form of the address."),
                )
            options += ["SMTPUTF8", "BODY=8BITMIME"] if "8bitmime" in features else ["SMTPUTF8"]
        return options

    def _judge_mail(self, envelope: Envelope, code: int, reply: str) -> None:
        if code != 250:
            self.trace.add("MAIL", False, f"{code} {reply}")
            self._reset()
            if code == 530 and self._needs_starttls(reply):
                raise self._choose_tls(N_("The server refused the sender."), code, reply)
            if code == 530:
                raise ConfigurationError(
                    N_("The server requires a login before sending."),
                    hint=N_("Fill in SMTP Username and SMTP Password."),
                    smtp_code=code,
                    server_reply=reply,
                )
            if code >= 500:
                raise ConfigurationError(
                    N_("The server refused the sender address %(sender)s."),
                    params={"sender": envelope.sender},
                    hint=N_("The Email (From) address must be one your mail account may send as."),
                    smtp_code=code,
                    server_reply=reply,
                )
            raise error_for_reply(code, reply, N_("The server deferred the sender address."))
        self.trace.add("MAIL", True, f"FROM:<{envelope.sender}> {code} {reply}")

    def _judge_recipients(self, envelope: Envelope, reply_for, checking: bool = False):
        result = SendResult()
        for recipient in envelope.recipients:
            code, reply = reply_for(recipient)
            ok = code in (250, 251)
            self.trace.add("RCPT", ok, f"TO:<{recipient}> {code} {reply}")
            if ok:
                result.accepted.append(recipient)
            else:
                result.refused[recipient] = RecipientRefusal(code, reply, 400 <= code < 500)
        if not result.accepted and not checking:
            self._reset()
            words = "; ".join(f"{r}: {x.code} {x.reply}" for r, x in result.refused.items())
            # Any 4xx refusal means a later attempt may still reach someone.
            if any(x.transient for x in result.refused.values()):
                error = TransientError(
                    N_("No recipient was accepted for now (%(replies)s)."),
                    params={"replies": words},
                )
            else:
                error = PermanentError(
                    N_("No recipient was accepted (%(replies)s)."), params={"replies": words}
                )
            error.refused = result.refused
            raise error
        return result

    def _reset(self) -> None:
        """RSET so the connection can carry the next message; a dead one is simply closed."""
        try:
            self.client.rset()
        except (ConnectionLost, OSError, TimeoutError):
            self.close()

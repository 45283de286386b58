"""Any engine, with every word the server says passed through the Redactor first.

This is the one point where server replies enter the conversation: the trace (the admin's
report), the typed errors (last_error, the pause banner) and the outcomes (server_reply,
per-recipient results) are all made from what comes out of here, so none of them can hold a
credential the server echoed back, whichever engine heard it.
"""

from __future__ import annotations

from djaboo.mail.transports.clients.base import Reply, SMTPClient
from djaboo.mail.transports.redaction import Redactor


class RedactedClient(SMTPClient):
    def __init__(self, inner: SMTPClient, redactor: Redactor) -> None:
        super().__init__(inner.timeout, inner.local_hostname)
        self.inner = inner
        self.redact = redactor

    def _clean(self, reply: Reply) -> Reply:
        code, text = reply
        return code, self.redact(text)

    def connect(self, address, port, host, implicit_tls, greeting_timeout=None) -> Reply:
        return self._clean(self.inner.connect(address, port, host, implicit_tls, greeting_timeout))

    def ehlo(self) -> Reply:
        return self._clean(self.inner.ehlo())

    @property
    def features(self) -> dict[str, str]:
        return {name: self.redact(value) for name, value in self.inner.features.items()}

    def starttls(self, context, host) -> Reply:
        return self._clean(self.inner.starttls(context, host))

    def peer_certificate(self) -> bytes | None:
        return self.inner.peer_certificate()

    def command(self, line) -> Reply:
        return self._clean(self.inner.command(line))

    def mail(self, sender, options) -> Reply:
        return self._clean(self.inner.mail(sender, options))

    def rcpt(self, recipient, options) -> Reply:
        return self._clean(self.inner.rcpt(recipient, options))

    def data(self, message) -> Reply:
        return self._clean(self.inner.data(message))

    @property
    def supports_pipelining(self) -> bool:
        return self.inner.supports_pipelining

    def pipelined(self, sender, options, recipients):
        mail, rcpts, data = self.inner.pipelined(sender, options, recipients)
        return self._clean(mail), [self._clean(r) for r in rcpts], self._clean(data)

    def payload(self, message) -> Reply:
        return self._clean(self.inner.payload(message))

    def rset(self) -> Reply:
        return self._clean(self.inner.rset())

    def quit(self) -> None:
        self.inner.quit()

    def abort(self) -> None:
        self.inner.abort()

    def interrupt(self) -> None:
        self.inner.interrupt()

"""The "Alternative" engine: aiosmtplib, an independent SMTP client implementation.

It is asynchronous; this adapter runs it on a private event loop in a thread of its own, so the
conversation code and the worker stay synchronous, whatever loop the calling thread may already
run (a web server's, a test tool's). One loop and thread per connection, closed with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading

import aiosmtplib

from djaboo.mail.transports.clients.base import ConnectionLost, NoGreeting, Reply, SMTPClient


class AioSMTPClient(SMTPClient):
    def __init__(self, timeout: float, local_hostname: str | None) -> None:
        super().__init__(timeout, local_hostname)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="aiosmtplib", daemon=True)
        self.thread.start()
        self.smtp: aiosmtplib.SMTP | None = None

    def _await(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def _run(self, stage: str, coroutine) -> Reply:
        try:
            response = self._await(coroutine)
        except aiosmtplib.SMTPResponseException as exc:
            return exc.code, exc.message
        except aiosmtplib.SMTPServerDisconnected:
            raise ConnectionLost(stage) from None
        return response.code, response.message

    def connect(self, address, port, host, implicit_tls, greeting_timeout=None) -> Reply:
        # We open the TCP connection to the address we checked; aiosmtplib speaks over it and
        # checks the TLS certificate against the configured host name.
        sock = socket.create_connection((address, port), self.timeout)
        self.smtp = aiosmtplib.SMTP(
            hostname=host,
            sock=sock,
            use_tls=implicit_tls is not None,
            start_tls=False,
            tls_context=implicit_tls,
            timeout=self.timeout,
            local_hostname=self.local_hostname,
        )
        try:
            # connect()'s timeout covers only the greeting (and a TLS handshake): the socket
            # is already connected. Later commands keep the client's timeout.
            wait = greeting_timeout if greeting_timeout is not None else self.timeout
            return self._run("greeting", self.smtp.connect(timeout=wait))
        except aiosmtplib.SMTPConnectTimeoutError:
            raise NoGreeting() from None
        except aiosmtplib.SMTPConnectError as exc:
            cause = exc.__cause__
            if isinstance(cause, ssl.SSLError | OSError):
                raise cause from None
            raise ConnectionLost("greeting") from None

    def ehlo(self) -> Reply:
        return self._run("EHLO", self.smtp.ehlo())

    @property
    def features(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.smtp.esmtp_extensions.items()}

    def starttls(self, context, host) -> Reply:
        return self._run("STARTTLS", self.smtp.starttls(server_hostname=host, tls_context=context))

    def peer_certificate(self) -> bytes | None:
        async def read() -> bytes | None:  # transport state is touched only on its own loop
            ssl_object = self.smtp.get_transport_info("ssl_object") if self.smtp else None
            return ssl_object.getpeercert(binary_form=True) if ssl_object else None

        return self._await(read())

    def command(self, line) -> Reply:
        return self._run("AUTH", self.smtp.execute_command(line.encode("ascii")))

    def mail(self, sender, options) -> Reply:
        # Non-ASCII addresses reach here only once SMTPUTF8 was negotiated.
        encoding = "ascii" if sender.isascii() else "utf-8"
        return self._run("MAIL", self.smtp.mail(sender, options=options, encoding=encoding))

    def rcpt(self, recipient, options) -> Reply:
        encoding = "ascii" if recipient.isascii() else "utf-8"
        return self._run("RCPT", self.smtp.rcpt(recipient, options=options, encoding=encoding))

    def data(self, message) -> Reply:
        # aiosmtplib writes and waits in one call, so a drop or a timeout after 354 cannot be
        # placed before or after the final dot: either counts as "the server may have it" (a
        # timeout there was once taken for a plain network error and re-sent, copy after copy).
        try:
            return self._run("DATA", self.smtp.data(message))
        except (ConnectionLost, aiosmtplib.SMTPTimeoutError):
            raise ConnectionLost("DATA", after_payload=True) from None

    def rset(self) -> Reply:
        return self._run("RSET", self.smtp.rset())

    def quit(self) -> None:
        try:
            if self.smtp and self.smtp.is_connected:
                self._await(self.smtp.quit())
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            pass
        self.abort()

    def interrupt(self) -> None:
        # Closing the transport on its own loop fails the pending read with a disconnection.
        if self.smtp is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing waits
                self.loop.call_soon_threadsafe(self.smtp.close)

    def abort(self) -> None:
        if self.loop.is_closed():
            return
        if self.smtp:
            self.loop.call_soon_threadsafe(self.smtp.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

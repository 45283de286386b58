"""The "Standard" engine: Python's smtplib."""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl

from djaboo.mail.transports.clients.base import ConnectionLost, NoGreeting, Reply, SMTPClient

CRLF = b"\r\n"


class _PinnedSMTP(smtplib.SMTP):
    """smtplib.SMTP that connects to an address we resolved and checked ourselves.

    smtplib would resolve the host name again (a second DNS answer could point elsewhere). The
    TLS layer still checks the certificate against the configured host name.
    """

    address: str = ""
    implicit_tls: ssl.SSLContext | None = None
    greeting_timeout: float | None = None

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((self.address, port), timeout)
        if self.greeting_timeout is not None:  # set back to `timeout` once greeted
            sock.settimeout(self.greeting_timeout)
        if self.implicit_tls is not None:
            try:
                sock = self.implicit_tls.wrap_socket(sock, server_hostname=host)
            except BaseException:
                sock.close()
                raise
        return sock


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class StdlibSMTPClient(SMTPClient):
    def __init__(self, timeout: float, local_hostname: str | None) -> None:
        super().__init__(timeout, local_hostname)
        self.smtp = _PinnedSMTP(local_hostname=local_hostname, timeout=timeout)

    def _call(self, stage: str, func, *args) -> Reply:
        try:
            code, reply = func(*args)
        except smtplib.SMTPServerDisconnected:
            raise ConnectionLost(stage) from None
        return code, _text(reply)

    def connect(self, address, port, host, implicit_tls, greeting_timeout=None) -> Reply:
        self.smtp.address = address
        self.smtp.implicit_tls = implicit_tls
        self.smtp.greeting_timeout = greeting_timeout
        self.smtp._host = host  # smtplib < 3.13 keeps the constructor's host for STARTTLS SNI
        try:
            code, reply = self.smtp.connect(host, port)
        except smtplib.SMTPServerDisconnected as exc:
            # smtplib reports a read that timed out as a disconnection; the cause tells.
            if isinstance(exc.__context__, TimeoutError):
                raise NoGreeting() from None
            raise ConnectionLost("greeting") from None
        self.smtp.sock.settimeout(self.timeout)
        return code, _text(reply)

    def ehlo(self) -> Reply:
        return self._call("EHLO", self.smtp.ehlo)

    @property
    def features(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.smtp.esmtp_features.items()}

    def starttls(self, context, host) -> Reply:
        code, reply = self._call("STARTTLS", self.smtp.docmd, "STARTTLS")
        if code == 220:
            self.smtp.sock = context.wrap_socket(self.smtp.sock, server_hostname=host)
            self.smtp.file = None
            # RFC 3207: forget everything learnt before TLS.
            self.smtp.helo_resp = self.smtp.ehlo_resp = None
            self.smtp.esmtp_features = {}
            self.smtp.does_esmtp = False
        return code, reply

    def peer_certificate(self) -> bytes | None:
        sock = self.smtp.sock
        return sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None

    def command(self, line) -> Reply:
        return self._call("AUTH", self.smtp.docmd, line)

    def mail(self, sender, options) -> Reply:
        return self._call("MAIL", self.smtp.mail, sender, options)

    def rcpt(self, recipient, options) -> Reply:
        return self._call("RCPT", self.smtp.rcpt, recipient, options)

    def data(self, message) -> Reply:
        # smtplib.data() cannot tell "dropped while we were writing" (safe to retry) from
        # "dropped after the final dot" (the server may have the message), so do it by hand.
        code, reply = self._call("DATA", self.smtp.docmd, "DATA")
        if code != 354:
            return code, reply
        return self.payload(message)

    supports_pipelining = True

    def pipelined(self, sender, options, recipients):
        commands = [
            f"MAIL FROM:<{sender}>" + "".join(f" {o}" for o in options),
            *(f"RCPT TO:<{r}>" for r in recipients),
            "DATA",
        ]
        encoding = "utf-8" if "SMTPUTF8" in options else "ascii"
        try:
            self.smtp.sock.sendall("".join(f"{c}\r\n" for c in commands).encode(encoding))
        except OSError:
            raise ConnectionLost("MAIL") from None
        replies = []
        for stage in ("MAIL", *(["RCPT"] * len(recipients)), "DATA"):
            try:
                code, reply = self.smtp.getreply()
            except (smtplib.SMTPServerDisconnected, OSError):
                if replies and replies[-1][0] == 421:  # it said why it hung up: keep its words
                    replies += [replies[-1]] * (len(commands) - len(replies))
                    break
                raise ConnectionLost(stage) from None
            replies.append((code, _text(reply)))
        return replies[0], replies[1:-1], replies[-1]

    def payload(self, message) -> Reply:
        payload = re.sub(rb"(?m)^\.", b"..", message)
        if not payload.endswith(CRLF):
            payload += CRLF
        try:
            self.smtp.sock.sendall(payload + b"." + CRLF)
        except OSError:
            raise ConnectionLost("DATA") from None
        try:
            code, reply = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError):
            raise ConnectionLost("DATA", after_payload=True) from None
        return code, _text(reply)

    def rset(self) -> Reply:
        return self._call("RSET", self.smtp.rset)

    def quit(self) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.abort()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.smtp.close()

    def interrupt(self) -> None:
        # shutdown(), not close(): it wakes a recv() blocked in another thread (it returns
        # end-of-file), and the descriptor stays ours until that thread closes it.
        sock = self.smtp.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

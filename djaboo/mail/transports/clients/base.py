"""What the SMTP conversation (transports/smtp.py) needs from an SMTP client library.

Every method returns the server's (code, text) — it does not judge it; the conversation does. The
only exceptions raised are ConnectionLost, NoGreeting, TimeoutError, ssl.SSLError and
OSError, so both engines fail in exactly the same, classifiable ways.
"""

from __future__ import annotations

import ssl
from abc import ABC, abstractmethod

Reply = tuple[int, str]


class ConnectionLost(Exception):
    """The server closed the connection. after_payload: the whole message had been written."""

    def __init__(self, stage: str, *, after_payload: bool = False) -> None:
        super().__init__(f"connection lost during {stage}")
        self.stage = stage
        self.after_payload = after_payload


class NoGreeting(TimeoutError):
    """Connected, but the server said nothing within the time we gave it."""


class NoAuthMechanism(Exception):
    """The server offers AUTH, but none of the mechanisms we can use."""


class SMTPClient(ABC):
    def __init__(self, timeout: float, local_hostname: str | None) -> None:
        self.timeout = timeout
        self.local_hostname = local_hostname

    @abstractmethod
    def connect(
        self,
        address: str,
        port: int,
        host: str,
        implicit_tls: ssl.SSLContext | None,
        greeting_timeout: float | None = None,
    ) -> Reply:
        """Open TCP to address (already resolved and allowed), TLS first when implicit_tls is
        given (certificate checked against host), and read the greeting: NoGreeting when none
        came within greeting_timeout (default: the client's timeout)."""

    @abstractmethod
    def ehlo(self) -> Reply: ...

    @property
    @abstractmethod
    def features(self) -> dict[str, str]:
        """ESMTP extensions from the last EHLO, lower-case names."""

    @abstractmethod
    def starttls(self, context: ssl.SSLContext, host: str) -> Reply: ...

    @abstractmethod
    def peer_certificate(self) -> bytes | None:
        """DER certificate of the TLS peer, or None on a plain connection."""

    @abstractmethod
    def command(self, line: str) -> Reply:
        """One ASCII command line (AUTH and its responses; see transports/auth.py)."""

    @abstractmethod
    def mail(self, sender: str, options: list[str]) -> Reply: ...

    @abstractmethod
    def rcpt(self, recipient: str, options: list[str]) -> Reply: ...

    @abstractmethod
    def data(self, message: bytes) -> Reply:
        """DATA; returns the 354-stage reply if it was not 354, else the final reply."""

    supports_pipelining = False

    def pipelined(
        self, sender: str, options: list[str], recipients: tuple[str, ...]
    ) -> tuple[Reply, list[Reply], Reply]:
        """MAIL, every RCPT and DATA written at once (RFC 2920), then their replies in order:
        two round trips per message instead of 3 + recipients. Only for servers that
        advertise PIPELINING and clients whose supports_pipelining is True."""
        raise NotImplementedError

    def payload(self, message: bytes) -> Reply:
        """After a 354: the message, the final dot, and the server's reply."""
        raise NotImplementedError

    @abstractmethod
    def rset(self) -> Reply: ...

    @abstractmethod
    def quit(self) -> None:
        """Say goodbye and close; never raises."""

    @abstractmethod
    def abort(self) -> None:
        """Close without a word; never raises."""

    @abstractmethod
    def interrupt(self) -> None:
        """From another thread: make the call blocked on this connection fail at once, as if
        the server had hung up (ConnectionLost or OSError); never raises."""

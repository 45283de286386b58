"""The transport interface shared by every way of sending (after Django's email backends).

A transport is built for one batch from a space's stored settings (never from global app
config), opened once, used for several messages, and closed:

    with open_transport(settings) as transport:
        result = transport.send(envelope)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from djaboo.mail.host_policy import HostPolicy
from djaboo.mail.trace import NullTrace, Trace

ENGINES = ("standard", "alternative")
PROTOCOLS = ("smtp", "sendmail", "mail")
ENCRYPTIONS = ("ssl", "tls", "none")


@dataclass(frozen=True)
class TransportSettings:
    """Everything needed to reach one space's mail server; plain values, no ORM, no Flask."""

    protocol: str = "smtp"
    engine: str = "standard"
    encryption: str = "tls"
    host: str = ""
    port: int = 587
    username: str = ""  # the login; the caller puts the From address here when no username
    password: str = ""
    timeout: float = 30.0  # seconds for connecting and for each command
    # Seconds for opening the connection, and again for each message (every command of it
    # together); None: no overall limit. The worker sets it from its claims' lease.
    deadline: float | None = None
    allow_insecure_auth: bool = False
    pinned_sha256: str = ""
    host_policy: HostPolicy = field(default_factory=HostPolicy)
    sendmail_command: tuple[str, ...] = ("/usr/sbin/sendmail", "-i")
    mail_command: tuple[str, ...] = ("/usr/sbin/sendmail", "-i")
    local_hostname: str | None = None
    # OAuth 2.0 (SMTP AUTH XOAUTH2 as `username`): returns a current access token; called with
    # True after the server refused one, to get a freshly refreshed token. It may raise a
    # ConfigurationError (grant revoked) or TransientError (token endpoint unreachable).
    # The mail core never sees where the token comes from (djaboo/settings/ supplies it).
    token_provider: Callable[[bool], str] | None = field(default=None, compare=False)

    def __repr__(self) -> str:  # never let the password reach a log line or a traceback
        return (
            f"TransportSettings(protocol={self.protocol!r}, engine={self.engine!r}, "
            f"encryption={self.encryption!r}, host={self.host!r}, port={self.port!r}, "
            f"username={self.username!r}, password={'***' if self.password else ''!r}, "
            f"oauth={self.token_provider is not None!r})"
        )


@dataclass(frozen=True)
class Envelope:
    """What goes over the wire: the SMTP envelope (validated addr-specs) and the message bytes.

    Recipients come from validated addresses, never from re-parsing the rendered headers, and
    include BCC addresses that appear in no header.
    """

    sender: str
    recipients: tuple[str, ...]
    message: bytes
    smtputf8: bool = False


@dataclass
class RecipientRefusal:
    code: int
    reply: str
    transient: bool


@dataclass
class SendResult:
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, RecipientRefusal] = field(default_factory=dict)
    reply: str = ""  # the server's final answer to the message


class Transport(ABC):
    def __init__(self, settings: TransportSettings, trace: Trace | None = None) -> None:
        self.settings = settings
        self.trace = trace or NullTrace()

    @abstractmethod
    def open(self) -> None:
        """Connect and log in (no-op for transports without a connection)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection; never raises."""

    @abstractmethod
    def send(self, envelope: Envelope) -> SendResult:
        """Deliver one message; raises a MailError subclass when nobody accepted it."""

    @abstractmethod
    def check(self, sender: str, recipients: tuple[str, ...]) -> SendResult:
        """Check as far as possible whether this envelope would be taken, without sending."""

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

"""IMAP for the bounce mailbox and the Sent folder copy (Python's imaplib).

Every connection has a timeout, goes only to addresses the host policy allows (resolved once:
djaboo/mail/host_policy.py) and uses the same TLS as SMTP (djaboo/mail/tls.py: verified by
the system trust store or by a pinned fingerprint; never unverified). SSL on: implicit TLS
(port 993); off: STARTTLS, required unless the host is loopback. Reads are bounded: a pass
takes at most `limit` messages, and of each only its first `max_bytes` (a DSN's report and the
returned headers come first; the rest of a returned PDF is not needed).

Messages are never deleted: a processed one is moved (MOVE, else COPY then expunge of that one
message) to a folder that is created when missing.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass, field

from djaboo.mail.host_policy import HostPolicy, permitted_addresses
from djaboo.mail.tls import check_pin, client_context

PROCESSED_FOLDER = "Djaboo/Processed"
MAX_FOLDER = 200


class MailboxError(Exception):
    """The mailbox could not be used; the message says why, in words for the settings page."""


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    ssl: bool
    username: str
    password: str
    timeout: float = 30.0
    pinned_sha256: str = ""
    host_policy: HostPolicy = field(default_factory=HostPolicy)


@dataclass(frozen=True)
class Fetched:
    uid: bytes
    data: bytes  # at most max_bytes of the message
    size: int  # the whole message's size


class _IMAP(imaplib.IMAP4):
    """IMAP4 to one already permitted address (no second DNS lookup), implicit TLS if asked."""

    def __init__(self, host, port, address, timeout, context):
        self._address = address
        self._context = context
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self._address, self.port), timeout)
        if self._context is not None:
            sock = self._context.wrap_socket(sock, server_hostname=self.host)
        return sock


def _is_loopback(host: str, address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback and host in (
            "localhost",
            address,
            "127.0.0.1",
            "::1",
        )
    except ValueError:
        return False


def _text(value) -> str:
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return str(value)


def connect(settings: MailboxSettings) -> imaplib.IMAP4:
    """A logged-in connection; MailboxError with a sentence for the admin otherwise."""
    if not settings.host or not settings.username:
        raise MailboxError("The bounce mailbox has no IMAP host or username.")
    try:
        addresses = permitted_addresses(settings.host, settings.port, settings.host_policy)
    except Exception as exc:  # ConfigurationError / TransientError: their words
        raise MailboxError(str(exc)) from None
    address = str(addresses[0])
    context = client_context(settings.pinned_sha256 or None)
    try:
        conn = _IMAP(
            settings.host,
            settings.port,
            address,
            settings.timeout,
            context if settings.ssl else None,
        )
        if not settings.ssl:
            if "STARTTLS" in conn.capabilities:
                conn.starttls(context)
            elif not _is_loopback(settings.host, address):
                conn.shutdown()
                raise MailboxError(
                    f"The IMAP server {settings.host} offers no STARTTLS: turn SSL on (port "
                    "993), the password is never sent unencrypted."
                )
        if settings.pinned_sha256 and (settings.ssl or "STARTTLS" in conn.capabilities):
            check_pin(conn.sock.getpeercert(binary_form=True), settings.pinned_sha256)
    except MailboxError:
        raise
    except ssl.SSLError as exc:
        raise MailboxError(
            f"The IMAP server {settings.host} could not be verified ({exc.reason or exc})."
        ) from None
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(
            f"Could not connect to the IMAP server {settings.host}:{settings.port} "
            f"({exc or type(exc).__name__})."
        ) from None
    except Exception as exc:  # check_pin: ConfigurationError
        raise MailboxError(str(exc)) from None
    try:
        conn.login(settings.username, settings.password)
    except imaplib.IMAP4.error as exc:
        _close(conn)
        raise MailboxError(
            f"The IMAP server refused the username or password ({_text(exc.args)[:200]})."
        ) from None
    except OSError as exc:
        _close(conn)
        raise MailboxError(f"The IMAP server stopped answering ({exc}).") from None
    # What the server can do once logged in (MOVE, SPECIAL-USE…): imaplib keeps the first list.
    with contextlib.suppress(Exception):
        typ, data = conn.capability()
        if typ == "OK" and data and data[-1]:
            conn.capabilities = tuple(_text(data[-1]).upper().split())
    return conn


def _close(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:  # noqa: BLE001 - closing: nothing left to say
        with contextlib.suppress(Exception):
            conn.shutdown()


def close(conn: imaplib.IMAP4) -> None:
    _close(conn)


def _ok(result, what: str):
    typ, data = result
    if typ != "OK":
        raise MailboxError(f"The IMAP server refused to {what} ({_text(data)[:200]}).")
    return data


def fetch_inbox(conn: imaplib.IMAP4, limit: int, max_bytes: int) -> list[Fetched]:
    """Up to `limit` messages of the INBOX, oldest first; of each the first `max_bytes`."""
    _ok(conn.select("INBOX"), "open the INBOX")
    uids = _ok(conn.uid("SEARCH", None, "ALL"), "list the INBOX")
    found = (uids[0] or b"").split()[:limit]
    out = []
    for uid in found:
        data = _ok(
            conn.uid("FETCH", uid, f"(RFC822.SIZE BODY.PEEK[]<0.{max_bytes}>)"),
            "read a message",
        )
        size, body = 0, b""
        for item in data:
            if isinstance(item, tuple):
                head, body = item[0], item[1] or b""
                m = re.search(rb"RFC822\.SIZE (\d+)", head)
                size = int(m.group(1)) if m else len(body)
        out.append(Fetched(uid=uid, data=body[:max_bytes], size=size))
    return out


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ensure_folder(conn: imaplib.IMAP4, folder: str) -> None:
    typ, data = conn.list('""', _quote(folder))
    if typ == "OK" and any(item for item in data if item):
        return
    typ, data = conn.create(_quote(folder))
    if typ != "OK" and "ALREADYEXISTS" not in _text(data).upper():
        raise MailboxError(f"Could not create the folder {folder} ({_text(data)[:200]}).")


def move(conn: imaplib.IMAP4, uid: bytes, folder: str) -> None:
    """Move one message (never delete it): MOVE, or COPY then expunge of that message only."""
    if "MOVE" in conn.capabilities:
        _ok(conn.uid("MOVE", uid, _quote(folder)), f"move a message to {folder}")
        return
    _ok(conn.uid("COPY", uid, _quote(folder)), f"copy a message to {folder}")
    _ok(conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "flag the moved message")
    if "UIDPLUS" in conn.capabilities:
        _ok(conn.uid("EXPUNGE", uid), "remove the moved message from the INBOX")


_LIST = re.compile(rb'^\((?P<flags>[^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')


def sent_folder(conn: imaplib.IMAP4) -> str:
    """The folder flagged \\Sent (RFC 6154); MailboxError when the server marks none."""
    listings = []
    if "SPECIAL-USE" in conn.capabilities:
        typ, data = conn._simple_command("LIST", '(SPECIAL-USE) "" "*"')
        if typ == "OK":
            _, listings = conn._untagged_response(typ, data, "LIST")
    if not listings:
        listings = _ok(conn.list(), "list its folders")
    for item in listings:
        if not isinstance(item, bytes):
            continue
        m = _LIST.match(item)
        if m and rb"\sent" in m.group("flags").lower():
            name = m.group("name").decode("utf-8", "replace")
            if name.startswith('"') and name.endswith('"'):
                name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            return name[:MAX_FOLDER]
    raise MailboxError("The mailbox has no folder marked as Sent (\\Sent special use).")


class SentFolder:
    """The mailbox's \\Sent folder over one connection, for a batch of copies:

        with SentFolder(settings) as sent:   # connects, logs in, finds the folder
            sent.append(raw)                 # once per message, marked as read

    Both raise MailboxError. After one that lost the connection, `broken` is True: the
    messages left wait for the next connection."""

    def __init__(self, settings: MailboxSettings) -> None:
        self.settings = settings
        self.broken = False
        self.folder = ""
        self._conn: imaplib.IMAP4 | None = None

    def __enter__(self) -> SentFolder:
        self._conn = connect(self.settings)
        try:
            self.folder = self._answered(lambda: sent_folder(self._conn))
        except BaseException:
            _close(self._conn)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._conn is not None:
            _close(self._conn)

    def append(self, raw: bytes) -> None:
        if self.broken:
            raise MailboxError("The IMAP server stopped answering.")
        folder = self.folder
        self._answered(
            lambda: _ok(
                self._conn.append(
                    _quote(folder), r"(\Seen)", imaplib.Time2Internaldate(time.time()), raw
                ),
                f"save the copy in {folder}",
            )
        )

    def _answered(self, step):
        """step(), with a lost connection said in words (and remembered)."""
        try:
            return step()
        except (OSError, imaplib.IMAP4.error) as exc:
            self.broken = True
            raise MailboxError(f"The IMAP server stopped answering ({exc}).") from None

"""The bounce mailbox's IMAP connection verifies TLS like SMTP does (djaboo/mail/tls.py):
trusted through the system trust store (SSL_CERT_FILE here), refused otherwise; STARTTLS when
SSL is off; a wrong password is said in words."""

from __future__ import annotations

import pytest

from djaboo.mail import imap
from djaboo.mail.host_policy import HostPolicy

LOOPBACK = HostPolicy(allowed=("127.0.0.1",))


def settings(server, **overrides) -> imap.MailboxSettings:
    values = {
        "host": "127.0.0.1",
        "port": server.ssl_port,
        "ssl": True,
        "username": server.user,
        "password": server.password,
        "timeout": 10.0,
        "host_policy": LOOPBACK,
    } | overrides
    return imap.MailboxSettings(**values)


def test_implicit_tls_and_starttls_with_a_trusted_certificate(dovecot_tls, trust_test_ca):
    for mailbox in (settings(dovecot_tls), settings(dovecot_tls, port=dovecot_tls.port, ssl=False)):
        conn = imap.connect(mailbox)
        try:
            assert conn.sock.version().startswith("TLS")
            assert imap.sent_folder(conn) == "Sent"
        finally:
            imap.close(conn)


def test_an_untrusted_certificate_is_refused(dovecot_tls):
    for mailbox in (settings(dovecot_tls), settings(dovecot_tls, port=dovecot_tls.port, ssl=False)):
        with pytest.raises(imap.MailboxError, match="could not be verified"):
            imap.connect(mailbox)


def test_a_refused_login_and_a_refused_host_are_said_in_words(dovecot):
    with pytest.raises(imap.MailboxError, match="refused the username or password"):
        imap.connect(settings(dovecot, port=dovecot.port, ssl=False, password="wrong"))
    with pytest.raises(imap.MailboxError, match="not allowed"):
        imap.connect(settings(dovecot, port=dovecot.port, ssl=False, host_policy=HostPolicy()))

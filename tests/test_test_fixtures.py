"""The shared fixtures are themselves real: the SMTP server speaks SMTP, TLS and AUTH, and the
network guard refuses what a test did not register."""

import smtplib
import socket
import ssl
from email.message import EmailMessage

import pytest

from tests.fixtures.network_guard import GUARD
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USERNAME, Script


def a_message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.com", "b@example.com", "hello"
    msg.set_content("body")
    return msg


def test_plain_server_records_what_it_received(smtp_server):
    server = smtp_server()
    with smtplib.SMTP(server.host, server.port, timeout=5) as s:
        s.send_message(a_message(), to_addrs=["b@example.com", "hidden@example.com"])
    [got] = server.messages
    assert got.rcpt_tos == ["b@example.com", "hidden@example.com"]
    assert got.message["Subject"] == "hello" and not got.tls


def test_starttls_and_auth_with_verified_certificate(smtp_server):
    server = smtp_server(tls="starttls", auth=True)
    with smtplib.SMTP(server.host, server.port, timeout=5) as s:
        s.starttls(context=server.client_context())
        s.login(SMTP_USERNAME, SMTP_PASSWORD)
        s.send_message(a_message())
    assert server.messages[0].tls and server.messages[0].login == SMTP_USERNAME


def test_implicit_tls_refuses_an_untrusted_certificate(smtp_server):
    server = smtp_server(tls="implicit", auth=True)
    with pytest.raises(ssl.SSLCertVerificationError):
        smtplib.SMTP_SSL(server.host, server.port, timeout=5, context=ssl.create_default_context())
    with smtplib.SMTP_SSL(
        server.host, server.port, timeout=5, context=server.client_context()
    ) as s:
        s.login(SMTP_USERNAME, SMTP_PASSWORD)
        s.send_message(a_message())
    assert len(server.messages) == 1


def test_wrong_password_is_535(smtp_server):
    server = smtp_server(tls="starttls", auth=True)
    with smtplib.SMTP(server.host, server.port, timeout=5) as s:
        s.starttls(context=server.client_context())
        with pytest.raises(smtplib.SMTPAuthenticationError) as err:
            s.login(SMTP_USERNAME, "wrong")
    assert err.value.smtp_code == 535


def test_scripted_replies(smtp_server):
    server = smtp_server(
        script=Script(
            rcpt={"gone@example.com": "550 5.1.1 No such user"}, data="451 4.3.0 Try again later"
        )
    )
    with (
        smtplib.SMTP(server.host, server.port, timeout=5) as s,
        pytest.raises(smtplib.SMTPDataError) as err,
    ):
        s.send_message(a_message(), to_addrs=["b@example.com", "gone@example.com"])
    assert err.value.smtp_code == 451 and server.messages == []


def test_greeting_421(smtp_server):
    server = smtp_server(script=Script(greeting="421 4.3.2 Too busy"))
    with pytest.raises(smtplib.SMTPConnectError) as err:
        smtplib.SMTP(server.host, server.port, timeout=5)
    assert err.value.smtp_code == 421


@pytest.mark.parametrize("where", ["drop_mid_data", "drop_after_dot"])
def test_dropped_connection_during_data(smtp_server, where):
    server = smtp_server(script=Script(**{where: True}))
    with (
        pytest.raises(smtplib.SMTPServerDisconnected),
        smtplib.SMTP(server.host, server.port, timeout=5) as s,
    ):
        s.send_message(a_message())
    assert server.messages == []


def test_guard_refuses_unregistered_ports():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(ConnectionRefusedError, match="network guard"):
            socket.create_connection(("127.0.0.1", port), timeout=1)
    assert GUARD.violations
    GUARD.violations.clear()  # this test provoked it on purpose


@pytest.mark.browser
def test_page_problems_sees_a_csp_violation_and_a_script_error(page, live_server, page_problems):
    page.goto(live_server.url + "/login")  # the strict policy: no inline styles
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color:red\">x</b>')")
    page.evaluate("setTimeout(() => { throw new Error('boom'); })")
    page.wait_for_timeout(200)
    assert any(p.startswith("CSP: ") and "style-src" in p for p in page_problems), page_problems
    assert any(p.startswith("script error: ") and "boom" in p for p in page_problems)

"""Scripted server faults: each ends in the right typed error, with what the server received."""

import functools

import pytest

from djaboo.mail.errors import (
    ConfigurationError,
    DeliveryUnknownError,
    PermanentError,
    TransientError,
)
from djaboo.mail.host_policy import HostPolicy
from djaboo.mail.message import Party, build_message, envelope_for
from djaboo.mail.transports import open_transport
from tests.fixtures.smtp import Script


@pytest.fixture(params=["one-by-one", "pipelined"])
def smtp_server(request, smtp_server):
    """Every fault also against a server that offers PIPELINING (the Standard engine then
    writes MAIL, RCPT and DATA at once and must judge the replies exactly the same)."""
    return functools.partial(smtp_server, pipelining=request.param == "pipelined")


def envelope(*to, sender="billing@acme.example"):
    msg = build_message(
        sender=Party(sender),
        to=[Party(a) for a in to],
        subject="Invoice",
        html=None,
        text="Hello\n",
    )
    return envelope_for(msg, sender, list(to))


def send(settings, env):
    with open_transport(settings) as transport:
        return transport.send(env)


def test_421_greeting_is_transient(smtp_server, settings_for):
    server = smtp_server(script=Script(greeting="421 4.3.2 Too busy, try later"))
    with pytest.raises(TransientError) as err:
        send(settings_for(server), envelope("a@example.org"))
    assert err.value.smtp_code == 421 and "Too busy" in err.value.server_reply


@pytest.mark.parametrize("stage", ["MAIL", "RCPT", "DATA"])
def test_421_and_hang_up_at_each_stage_is_transient_with_the_servers_words(
    smtp_server, settings_for, stage
):
    reply = "421 4.3.2 Service shutting down"
    script = {
        "MAIL": Script(mail=reply),
        "RCPT": Script(rcpt={"*": reply}),
        "DATA": Script(data=reply),  # after the final dot
    }[stage]
    server = smtp_server(script=script)
    with pytest.raises(TransientError) as err:
        send(settings_for(server), envelope("a@example.org"))
    assert "Service shutting down" in f"{err.value} {err.value.server_reply}"
    if stage != "RCPT":  # a refused recipient is reported per recipient instead
        assert err.value.smtp_code == 421
    assert server.messages == []


def test_sender_refused_is_a_configuration_error(smtp_server, settings_for):
    server = smtp_server(script=Script(mail="550 5.7.1 Not allowed to send as this address"))
    with pytest.raises(ConfigurationError, match="refused the sender address") as err:
        send(settings_for(server), envelope("a@example.org"))
    assert "may send as" in err.value.hint


def test_one_refused_recipient_does_not_stop_the_others(smtp_server, settings_for):
    server = smtp_server(
        script=Script(
            rcpt={
                "gone@example.org": "550 5.1.1 No such user",
                "full@example.org": "452 4.2.2 Mailbox full",
            }
        )
    )
    result = send(
        settings_for(server), envelope("a@example.org", "gone@example.org", "full@example.org")
    )
    assert result.accepted == ["a@example.org"]
    assert result.refused["gone@example.org"].code == 550
    assert not result.refused["gone@example.org"].transient
    assert result.refused["full@example.org"].transient
    assert server.messages[0].rcpt_tos == ["a@example.org"]


def test_all_recipients_refused(smtp_server, settings_for):
    server = smtp_server(script=Script(rcpt={"*": "550 5.1.1 No such user"}))
    with pytest.raises(PermanentError, match="No recipient was accepted") as err:
        send(settings_for(server), envelope("a@example.org"))
    assert err.value.refused["a@example.org"].code == 550
    server.script.rcpt = {"*": "450 4.2.1 Try later"}
    with pytest.raises(TransientError):
        send(settings_for(server), envelope("a@example.org"))
    assert server.messages == []


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("451 4.3.0 Try again later", TransientError),
        ("452 4.3.1 Insufficient storage", TransientError),
        ("554 5.6.0 Message rejected as spam", PermanentError),
        ("552 5.3.4 Message too big", PermanentError),
    ],
)
def test_data_replies(smtp_server, settings_for, reply, error):
    server = smtp_server(script=Script(data=reply))
    with pytest.raises(error) as err:
        send(settings_for(server), envelope("a@example.org"))
    assert err.value.smtp_code == int(reply[:3])
    assert server.messages == []


def test_connection_reused_after_a_refused_message(smtp_server, settings_for):
    server = smtp_server(script=Script(data="554 5.6.0 Rejected"))
    with open_transport(settings_for(server)) as transport:
        with pytest.raises(PermanentError):
            transport.send(envelope("a@example.org"))
        server.script.data = None  # the poison message does not block the next one
        transport.send(envelope("b@example.org"))
    assert [m.rcpt_tos for m in server.messages] == [["b@example.org"]]
    assert len(server.handler.mail_sessions) == 1


def test_drop_mid_data_is_never_a_permanent_failure(smtp_server, settings_for):
    server = smtp_server(script=Script(drop_mid_data=True))
    with pytest.raises((TransientError, DeliveryUnknownError)):
        send(settings_for(server), envelope("a@example.org"))
    assert server.messages == []


def test_drop_after_the_final_dot_is_unknown(smtp_server, settings_for):
    server = smtp_server(script=Script(drop_after_dot=True))
    with pytest.raises(DeliveryUnknownError, match="may or may not have been accepted"):
        send(settings_for(server), envelope("a@example.org"))


def test_non_ascii_address_needs_smtputf8(smtp_server, settings_for):
    server = smtp_server()
    with pytest.raises(PermanentError, match="does not support SMTPUTF8"):
        send(settings_for(server), envelope("jürgen@example.org"))
    server = smtp_server(smtputf8=True)
    send(settings_for(server), envelope("jürgen@example.org"))
    assert server.messages[0].rcpt_tos == ["jürgen@example.org"]


def test_check_stops_before_data(smtp_server, settings_for):
    server = smtp_server(script=Script(rcpt={"gone@example.org": "550 5.1.1 No such user"}))
    with open_transport(settings_for(server)) as transport:
        ok = transport.check("billing@acme.example", ("a@example.org",))
        refused = transport.check("billing@acme.example", ("gone@example.org",))
    assert ok.accepted == ["a@example.org"]
    assert refused.refused["gone@example.org"].code == 550
    assert server.messages == []


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "0.0.0.0",  # noqa: S104  (a host the policy must refuse, not a bind)
        "::1",
        "[::1]",
        "::ffff:127.0.0.1",
        "2130706433",
        "169.254.169.254",
        "224.0.0.1",
        "fe80::1",
    ],
)
def test_host_policy_refuses_before_connecting(settings_for, engine, host):
    class Anywhere:
        tls, port = "none", 25

    settings = settings_for(Anywhere, host=host, host_policy=HostPolicy())
    with pytest.raises(ConfigurationError, match="is not allowed"):
        send(settings, envelope("a@example.org"))  # the network guard would fail any connect


def test_public_only_policy_refuses_private_ranges(settings_for):
    class Internal:
        tls, port = "none", 25

    for host in ("10.1.2.3", "192.168.1.10", "172.16.0.5"):
        settings = settings_for(Internal, host=host, host_policy=HostPolicy("public-only"))
        with pytest.raises(ConfigurationError, match="private network"):
            send(settings, envelope("a@example.org"))


class SilentServer:
    """Accepts TCP connections and then says nothing (or something that is not SMTP)."""

    def __init__(self, network_guard, banner: bytes | None = None):
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.tls = "none"
        self.banner = banner
        self.clients = []
        network_guard.allow(self.port)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)
            if self.banner:
                client.sendall(self.banner)

    def close(self):
        for c in self.clients:
            c.close()
        self.sock.close()


def test_a_server_that_never_greets_fails_within_the_timeout(settings_for, network_guard):
    import time

    server = SilentServer(network_guard)
    started = time.monotonic()
    try:
        with pytest.raises(TransientError, match="did not answer within 1 seconds"):
            send(settings_for(server, timeout=1.0), envelope("a@example.org"))
    finally:
        server.close()
    assert time.monotonic() - started < 5


def test_a_non_smtp_banner_is_never_echoed(settings_for, network_guard):
    banner = b"HTTP/1.1 400 Bad Request\r\nServer: secret-internal-thing/1.2\r\n\r\n"
    server = SilentServer(network_guard, banner=banner)
    try:
        with pytest.raises((ConfigurationError, TransientError)) as err:
            send(settings_for(server, timeout=2.0), envelope("a@example.org"))
    finally:
        server.close()
    assert "secret-internal-thing" not in str(err.value)
    assert (
        "did not answer as an SMTP server" in err.value.message
        or "did not answer within" in err.value.message
    )


def test_a_message_never_outlasts_its_deadline(smtp_server, settings_for):
    """Each RCPT answered within the command timeout, but all of them together past the
    message's deadline: the connection is cut there, before DATA (safe to try again later)."""
    server = smtp_server(script=Script(rcpt_delay=0.8))
    recipients = [f"r{n}@example.org" for n in range(5)]  # 4 s in all
    with pytest.raises(TransientError, match="took longer than 2 seconds over one message"):
        send(settings_for(server, timeout=5.0, deadline=2.0), envelope(*recipients))
    assert server.messages == []

"""Sendmail and Mail, through Debian's msmtp (a real sendmail-compatible program) to the fixture."""

import pytest

from djaboo.mail.errors import ConfigurationError, PermanentError, TransientError
from djaboo.mail.message import Party, build_message, envelope_for
from djaboo.mail.transports import TransportSettings, open_transport
from tests.fixtures.smtp import Script


@pytest.fixture
def msmtp_command(tmp_path):
    """msmtp_command(server) -> argv of `msmtp -C <config> -t -i` pointed at the fixture."""

    def build(server, *, read_headers=True):
        config = tmp_path / "msmtprc"
        config.write_text(
            "defaults\n"
            f"logfile {tmp_path}/msmtp.log\n"
            "account test\nhost 127.0.0.1\n"
            f"port {server.port}\nfrom fallback@localhost.example\nauth off\ntls off\n"
            "account default : test\n"
        )
        config.chmod(0o600)
        return ("msmtp", "-C", str(config), *(("-t",) if read_headers else ()), "-i")

    return build


def envelope():
    msg = build_message(
        sender=Party("billing@acme.example", "Acme"),
        to=[Party("customer@example.org")],
        subject="Invoice INV-7",
        html="<p>Hi</p>",
        text="Hi\n",
    )
    return envelope_for(
        msg, "billing@acme.example", ["customer@example.org"], ["audit@acme.example"]
    )


def send(settings):
    with open_transport(settings) as transport:
        return transport.send(envelope())


@pytest.mark.parametrize("read_headers", [True, False])  # an old `-t` in the command is dropped
def test_sendmail_delivers_with_bcc_in_the_envelope_only(smtp_server, msmtp_command, read_headers):
    server = smtp_server()
    command = msmtp_command(server, read_headers=read_headers)
    result = send(TransportSettings(protocol="sendmail", sendmail_command=command))
    assert result.accepted == ["customer@example.org", "audit@acme.example"]
    [got] = server.messages
    assert sorted(got.rcpt_tos) == ["audit@acme.example", "customer@example.org"]
    assert got.mail_from == "billing@acme.example"  # -f sets the envelope sender
    assert got.message["Bcc"] is None and b"audit@acme.example" not in got.content
    assert got.message["Subject"] == "Invoice INV-7"


BCC = "bob@acme.example"


@pytest.mark.parametrize(
    ("subject", "cc"),
    [
        (f"Copy for {BCC}", []),  # named in the subject
        ("Invoice INV-7", [BCC]),  # also a Cc of this email
        ("Invoice INV-7", ["jimbob@acme.example"]),  # inside a longer address
        (f"Invoice for jim{BCC}", []),
    ],
)
@pytest.mark.parametrize("protocol", ["sendmail", "mail"])
def test_bcc_is_delivered_whatever_the_headers_say(
    smtp_server, msmtp_command, subject, cc, protocol
):
    # With `-t` the old code left out of its Bcc header every address found in the header
    # text, and msmtp then never got bob@ (subject, longer address): logged sent, not delivered.
    server = smtp_server()
    msg = build_message(
        sender=Party("billing@acme.example", "Acme"),
        to=[Party("customer@example.org")],
        cc=[Party(a) for a in cc],
        subject=subject,
        html=None,
        text="Hi\n",
    )
    to = ["customer@example.org", *cc]
    env = envelope_for(msg, "billing@acme.example", to, [BCC])
    command = msmtp_command(server)  # with -t, as the old default had it
    settings = TransportSettings(protocol=protocol, sendmail_command=command, mail_command=command)
    with open_transport(settings) as transport:
        result = transport.send(env)
    [got] = server.messages
    assert sorted(got.rcpt_tos) == sorted({*to, BCC}) == sorted(result.accepted)
    assert got.message["Bcc"] is None


def test_an_address_starting_with_a_dash_is_a_recipient_not_an_option(smtp_server, msmtp_command):
    server = smtp_server()
    msg = build_message(
        sender=Party("billing@acme.example"),
        to=[Party("-oi@example.org")],
        subject="x",
        html=None,
        text="x",
    )
    env = envelope_for(msg, "billing@acme.example", ["-oi@example.org"], ["--help@example.org"])
    with open_transport(
        TransportSettings(protocol="sendmail", sendmail_command=msmtp_command(server))
    ) as transport:
        transport.send(env)
    [got] = server.messages
    assert sorted(got.rcpt_tos) == ["--help@example.org", "-oi@example.org"]


@pytest.mark.parametrize(
    ("configured", "run"),
    [
        (("/usr/sbin/sendmail", "-t", "-i"), ["/usr/sbin/sendmail", "-i"]),
        (("/usr/sbin/sendmail", "-ti"), ["/usr/sbin/sendmail", "-i"]),
        (("msmtp", "--read-recipients", "-i", "-a", "x"), ["msmtp", "-i", "-a", "x"]),
        (("/usr/sbin/sendmail", "-i"), ["/usr/sbin/sendmail", "-i"]),
    ],
)
def test_the_command_never_reads_recipients_from_headers(configured, run):
    env = envelope()
    for protocol, sender in (("sendmail", ["-f", "billing@acme.example"]), ("mail", [])):
        settings = TransportSettings(
            protocol=protocol, sendmail_command=configured, mail_command=configured
        )
        argv = open_transport(settings).command_line(env)
        assert argv == [*run, *sender, "--", "customer@example.org", "audit@acme.example"]


def test_mail_lets_the_system_choose_the_envelope_sender(smtp_server, msmtp_command):
    server = smtp_server()
    send(TransportSettings(protocol="mail", mail_command=msmtp_command(server)))
    [got] = server.messages
    assert got.mail_from == "fallback@localhost.example"
    assert sorted(got.rcpt_tos) == ["audit@acme.example", "customer@example.org"]
    assert got.message["Bcc"] is None


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ("451 4.3.0 Try again later", TransientError),
        ("554 5.6.0 Rejected", PermanentError),
    ],
)
def test_server_replies_are_classified_from_msmtp_output(smtp_server, msmtp_command, reply, error):
    server = smtp_server(script=Script(data=reply))
    with pytest.raises(error) as err:
        send(TransportSettings(protocol="sendmail", sendmail_command=msmtp_command(server)))
    assert err.value.smtp_code == int(reply[:3])


def test_server_down_is_transient(closed_port, msmtp_command):
    class Down:
        port = closed_port

    with pytest.raises(TransientError):
        send(TransportSettings(protocol="sendmail", sendmail_command=msmtp_command(Down)))


def test_missing_program_is_a_configuration_error():
    settings = TransportSettings(
        protocol="sendmail", sendmail_command=("/nonexistent/sendmail", "-t", "-i")
    )
    with pytest.raises(ConfigurationError, match="is not installed on this server"):
        send(settings)

"""Credentials over the wire, both engines: non-ASCII passwords log in with every mechanism, and
a server that repeats the AUTH payload in its reply gets it back hidden in everything we keep."""

import pytest

from djaboo.mail.errors import ConfigurationError
from djaboo.mail.trace import Trace
from djaboo.mail.transports import open_transport
from djaboo.mail.transports.redaction import Redactor
from tests.fixtures.smtp import SMTP_USERNAME
from tests.mail.hostile_smtp import b64, leaks
from tests.mail.test_smtp_contract import envelope

PASSWORDS = ["pässwörd€", "パスワード秘密の鍵", "s3cret-pass"]
ONLY = {  # aiosmtpd mechanisms to leave out so that exactly one is offered
    "PLAIN": {"exclude": ("LOGIN",)},
    "LOGIN": {"exclude": ("PLAIN",)},
    "CRAM-MD5": {"exclude": ("PLAIN", "LOGIN"), "cram_md5": True},
}


@pytest.mark.parametrize("mechanism", ONLY)
@pytest.mark.parametrize("password", PASSWORDS)
def test_password_logs_in_as_utf8(hostile_smtp, settings_for, trust_test_ca, mechanism, password):
    server = hostile_smtp(password=password, **ONLY[mechanism])
    with open_transport(settings_for(server, password=password)) as transport:
        transport.send(envelope())
    assert server.handler.auth_attempts == [mechanism]  # the authenticator got UTF-8 and said yes
    assert server.messages[0].login == SMTP_USERNAME


@pytest.mark.parametrize("mechanism", ONLY)
@pytest.mark.parametrize("password", PASSWORDS)
def test_an_echoed_auth_payload_is_hidden(
    hostile_smtp, settings_for, trust_test_ca, mechanism, password
):
    server = hostile_smtp(password="the-right-one", **ONLY[mechanism])
    trace = Trace()
    settings = settings_for(server, password=password)
    with pytest.raises(ConfigurationError) as err, open_transport(settings, trace) as transport:
        transport.send(envelope())
    assert "Authentication failed" in err.value.message
    kept = [str(err.value), err.value.server_reply, *(s["detail"] for s in trace.as_list())]
    assert "[hidden]" in err.value.server_reply  # the server did echo something
    for text in kept:
        assert leaks(text, password) == [], text
    if mechanism != "CRAM-MD5":
        assert f"for {SMTP_USERNAME}:" in err.value.server_reply  # its other words are kept


def test_the_redactor_hides_every_alignment_and_alphabet_but_keeps_other_words():
    password = "correct horse battery"
    redact = Redactor("mailer", password)
    for prefix in ("", "x", "xy", "\0mailer\0"):
        for encode in (b64, lambda d: b64(d).translate(str.maketrans("+/", "-_"))):
            encoded = encode(f"{prefix}{password} and more")
            assert redact(f"535 {encoded} end") == "535 [hidden] end"
    assert redact(f"535 no {password}!") == "535 no [hidden]!"
    assert redact("535 5.7.8 user mailer unknown, id AbCdEf0123") == (
        "535 5.7.8 user mailer unknown, id AbCdEf0123"
    )
    assert Redactor()("535 anything at all") == "535 anything at all"

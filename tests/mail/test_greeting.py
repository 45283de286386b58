"""The 3-second greeting wait that recognises implicit-TLS ports must not cost slow greeters
(Postfix postscreen's greet pause): after a TLS probe that fails they get the full timeout."""

import time

import pytest

from djaboo.mail.errors import ConfigurationError
from djaboo.mail.trace import Trace
from djaboo.mail.transports import open_transport
from djaboo.mail.transports.smtp_probe import GREETING_PATIENCE
from tests.mail.test_smtp_contract import envelope


def test_a_server_that_greets_late_still_gets_the_mail(hostile_smtp, settings_for, trust_test_ca):
    server = hostile_smtp(echo=False, greet_delay=GREETING_PATIENCE + 0.5)
    trace = Trace()
    began = time.monotonic()
    with open_transport(settings_for(server, timeout=10.0), trace) as transport:
        transport.send(envelope())
    assert time.monotonic() - began > GREETING_PATIENCE
    assert len(server.messages) == 1
    assert [s["name"] for s in trace.as_list()][:3] == ["Resolve", "Connect", "Greeting"]


def test_tls_on_an_implicit_tls_port_is_recognised_at_the_transport(
    smtp_server, settings_for, trust_test_ca
):
    server = smtp_server(tls="implicit", auth=True)
    trace = Trace()
    with pytest.raises(ConfigurationError) as err:
        open_transport(settings_for(server, encryption="tls", timeout=30.0), trace).open()
    assert "expects SSL (implicit TLS)" in err.value.message
    assert "Choose SSL" in err.value.hint
    greeting = next(s for s in trace.as_list() if s["name"] == "Greeting")
    assert "answers a TLS handshake" in greeting["detail"] and "SHA-256" in greeting["detail"]

"""SMTP AUTH XOAUTH2, both engines, over STARTTLS and implicit TLS: the token comes from the
settings' token_provider, a refused token is refreshed once, and the token is never kept."""

import pytest

from djaboo.mail.errors import ConfigurationError
from djaboo.mail.trace import Trace
from djaboo.mail.transports import open_transport
from tests.mail.test_smtp_contract import envelope

MAILBOX = "billing@contoso.test"


class Tokens:
    """A token source as the settings layer supplies it: counts the refreshes it was asked for."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens)
        self.calls: list[bool] = []

    def __call__(self, refresh: bool) -> str:
        self.calls.append(refresh)
        if refresh and len(self.tokens) > 1:
            self.tokens.pop(0)
        return self.tokens[0]


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_xoauth2_logs_in_as_the_mailbox(smtp_server, settings_for, trust_test_ca, tls):
    server = smtp_server(tls=tls, xoauth2=lambda user, token: (user, token) == (MAILBOX, "tok-1"))
    tokens, trace = Tokens("tok-1"), Trace()
    settings = settings_for(server, username=MAILBOX, token_provider=tokens)
    with open_transport(settings, trace) as transport:
        transport.send(envelope())
    assert server.handler.auth_attempts == ["XOAUTH2"]
    assert server.messages[0].login == MAILBOX
    assert tokens.calls == [False]
    steps = {s["name"]: s["detail"] for s in trace.as_list()}
    assert steps["AUTH"].startswith(f"AUTH XOAUTH2 as {MAILBOX} (token hidden)")
    assert "tok-1" not in repr(trace.as_list()) and "tok-1" not in repr(settings)


def test_a_refused_token_is_refreshed_once(smtp_server, settings_for, trust_test_ca):
    server = smtp_server(tls="starttls", xoauth2=lambda user, token: token == "fresh")
    tokens = Tokens("stale", "fresh")
    with open_transport(settings_for(server, username=MAILBOX, token_provider=tokens)) as t:
        t.send(envelope())
    assert tokens.calls == [False, True]
    assert server.handler.tokens_seen == ["stale", "fresh"]


def test_two_refusals_are_a_configuration_error_without_the_token(
    smtp_server, settings_for, trust_test_ca
):
    server = smtp_server(tls="starttls", xoauth2=lambda user, token: False)
    tokens, trace = Tokens("secret-token-one", "secret-token-two"), Trace()
    settings = settings_for(server, username=MAILBOX, token_provider=tokens)
    with pytest.raises(ConfigurationError) as err, open_transport(settings, trace):
        pass
    assert "refused the OAuth login" in err.value.message
    assert tokens.calls == [False, True]
    kept = repr([str(err.value), err.value.server_reply, err.value.hint, trace.as_list()])
    assert "secret-token" not in kept


def test_no_xoauth2_offered_is_said(smtp_server, settings_for, trust_test_ca):
    server = smtp_server(tls="starttls", auth=True)
    settings = settings_for(server, username=MAILBOX, token_provider=Tokens("t"))
    with pytest.raises(ConfigurationError, match="no OAuth login"), open_transport(settings):
        pass

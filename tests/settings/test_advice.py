"""The report's advice fits the fault: STARTTLS demanded on a plain connection, a self-signed
certificate over STARTTLS (shown, then pinned), TLS chosen on an implicit-TLS port."""

import re
import time

import pytest
from cryptography import x509

from tests.settings.test_test_email import start

ENGINES = ["standard", "alternative"]


def report(admin_client, check) -> str:
    return admin_client.get(f"/settings/email/checks/{check.id}").get_data(as_text=True)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("server_kwargs", "with_login"),
    [
        ({"require_starttls": True}, False),  # MAIL answered 530 "Must issue a STARTTLS..."
        ({"require_starttls": True, "auth_require_tls": False}, True),  # AUTH answered 530
        ({}, True),  # AUTH offered only after STARTTLS, which is advertised
    ],
    ids=["MAIL 530", "AUTH 530", "AUTH after STARTTLS"],
)
def test_encryption_none_on_a_server_that_wants_starttls_says_choose_tls(
    admin_client, hostile_smtp, configure_for, engine, server_kwargs, with_login
):
    server = hostile_smtp(**server_kwargs)
    credentials = {"allow_insecure_auth": "y"} if with_login else {"username": "", "password": ""}
    configure_for(server, encryption="none", engine=engine, **credentials)
    check = start(admin_client, "/settings/email/check", "someone@example.org")
    assert check.status == "failed"
    assert "STARTTLS" in check.summary and check.hint.startswith("Choose TLS"), check.summary
    assert "Username" not in check.hint
    assert "Choose TLS as Email Encryption" in report(admin_client, check)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_self_signed_certificate_over_starttls_is_shown_and_can_be_pinned(
    admin_client, smtp_server, configure_for, untrusted_ca, engine
):
    server = smtp_server(tls="starttls", auth=True, trusted=False)
    configure_for(server, engine=engine)
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "failed" and "is not trusted" in check.summary
    issuer = x509.load_pem_x509_certificate(untrusted_ca.cert_pem.bytes()).subject
    assert f"issued by {issuer.rfc4514_string()}" in check.summary
    [fingerprint] = re.findall(r"SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})", check.summary)
    page = report(admin_client, check)
    assert fingerprint in page and "pin its SHA-256 fingerprint" in page
    assert server.messages == [] and server.handler.auth_attempts == []

    configure_for(server, engine=engine, pinned_sha256=fingerprint)
    pinned = start(admin_client, "/settings/email/test", "me@acme.example")
    assert pinned.status == "succeeded", pinned.summary
    tls_step = next(s for s in pinned.steps if s["name"] == "TLS")
    assert tls_step["detail"].startswith("pinned fingerprint matches")
    assert len(server.messages) == 1 and server.messages[0].tls


@pytest.mark.parametrize("engine", ENGINES)
def test_tls_on_an_implicit_tls_port_says_choose_ssl_within_seconds(
    admin_client, smtp_server, configure_for, engine
):
    server = smtp_server(tls="implicit", auth=True)
    configure_for(server, encryption="tls", engine=engine, timeout_seconds=30)
    began = time.monotonic()
    check = start(admin_client, "/settings/email/check", "someone@example.org")
    took = time.monotonic() - began
    assert check.status == "failed"
    assert "expects SSL (implicit TLS)" in check.summary and check.hint.startswith("Choose SSL")
    assert took < 10, f"took {took:.1f} s"  # ~3 s; the configured timeout is 30 s
    assert "answers a TLS handshake" in report(admin_client, check)
    assert server.handler.auth_attempts == []

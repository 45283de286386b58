"""Settings → Email → DKIM: a generated key signs what is stored and sent, and the signature
verifies with dkimpy and with an independent verifier (mailauth, Node), both asking the real DNS
server the tests start on loopback (tests/fixtures/dns_server.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import dkim
import dns.resolver
import pytest
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.dkim_key import DkimKey
from tests.settings.test_test_email import start

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def dnsfunc_for(dns_server):
    """dkimpy's DNS lookup, through dnspython, against the test server."""
    host, port = dns_server.address.split(":")

    def lookup(name, timeout=5):
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers, resolver.port = [host], int(port)
        name = name.decode() if isinstance(name, bytes) else name
        try:
            answer = resolver.resolve(name, "TXT", lifetime=timeout)
        except dns.resolver.NXDOMAIN:
            return None
        return b"".join(answer[0].strings)

    return lookup


def mailauth_verify(raw: bytes, dns_server) -> list[dict]:
    result = subprocess.run(
        ["node", str(NODE_DIR / "dkim_verify.mjs"), dns_server.address],
        input=raw,
        capture_output=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)


def key_row(space_id: int) -> DkimKey:
    db.session.expire_all()
    return db.session.execute(sa.select(DkimKey).where(DkimKey.space_id == space_id)).scalar_one()


def generate(client, algorithm="rsa", selector="djaboo"):
    response = client.submit(
        "/settings/email/dkim/key",
        {"algorithm": algorithm, "selector": selector},
        page="/settings/email/dkim",
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def turn_signing(client, on: bool):
    data = {"sign": "y"} if on else {}
    return client.submit("/settings/email/dkim/signing", data, page="/settings/email/dkim")


def publish(dns_server, key: DkimKey) -> None:
    dns_server.zone[(key.record_name, "TXT")] = [key.record]


@pytest.mark.parametrize("algorithm", ["ed25519", "rsa"])
def test_signed_test_email_verifies_with_dkimpy_and_mailauth(
    admin_client, smtp_server, configure_for, dns_server, algorithm
):
    server = smtp_server(tls="none", auth=False)
    configure_for(server)
    generate(admin_client, algorithm)
    key = key_row(admin_client.admin.space_id)
    assert key.domain == "acme.example" and not key.signing

    page = admin_client.get("/settings/email/dkim").get_data(as_text=True)
    assert "djaboo._domainkey.acme.example" in page and key.record in page
    assert 'data-copy="dkim-record"' in page and "Copy" in page

    # Not published yet: signing stays off, and the page says why.
    response = turn_signing(admin_client, True)
    assert response.status_code == 302
    page = admin_client.get("/settings/email/dkim").get_data(as_text=True)
    assert "Signing stays off" in page
    assert not key_row(key.space_id).signing

    publish(dns_server, key)
    assert turn_signing(admin_client, True).status_code == 302
    assert key_row(key.space_id).signing

    check = start(admin_client, "/settings/email/test", "me@elsewhere.example")
    assert check.status == "succeeded", (check.summary, check.steps)
    [got] = server.messages
    stored = db.session.execute(
        sa.select(OutboxMessage.raw).where(OutboxMessage.space_id == key.space_id)
    ).scalar_one()
    assert got.content.replace(b"\r\n", b"\n") == bytes(stored).replace(b"\r\n", b"\n")
    assert got.content.startswith(
        b"DKIM-Signature: v=1; a="
        + (b"ed25519-sha256" if algorithm == "ed25519" else b"rsa-sha256")
    )
    header = got.message["DKIM-Signature"]
    assert "c=relaxed/relaxed" in header and "s=djaboo" in header and "d=acme.example" in header

    dnsfunc = dnsfunc_for(dns_server)
    assert dkim.verify(bytes(stored), dnsfunc=dnsfunc)
    assert dkim.verify(got.content, dnsfunc=dnsfunc)
    [result] = mailauth_verify(got.content, dns_server)
    assert result["status"] == "pass", result
    assert result["domain"] == "acme.example" and result["selector"] == "djaboo"

    # A changed Subject no longer verifies, with either verifier.
    forged = got.content.replace(b"Subject: ", b"Subject: Urgent ", 1)
    assert not dkim.verify(forged, dnsfunc=dnsfunc)
    assert mailauth_verify(forged, dns_server)[0]["status"] == "fail"


def test_private_key_is_encrypted_at_rest_and_a_new_key_stops_signing(
    admin_client, smtp_server, configure_for, dns_server
):
    configure_for(smtp_server(tls="none", auth=False))
    generate(admin_client, "ed25519")
    key = key_row(admin_client.admin.space_id)
    publish(dns_server, key)
    turn_signing(admin_client, True)
    assert key_row(key.space_id).signing
    stored = key.private_key_encrypted
    assert stored.startswith("gAAAAA")  # a Fernet token
    from djaboo.settings.dkim_key import dkim_signer_for

    signer = dkim_signer_for(key.space_id)
    assert (
        signer.private_key.decode() not in stored
        and signer.private_key not in repr(signer).encode()
    )

    generate(admin_client, "rsa", selector="s2026")
    key = key_row(key.space_id)
    assert key.algorithm == "rsa" and key.selector == "s2026" and not key.signing
    assert dkim_signer_for(key.space_id) is None
    # The record of the old key at another selector does not count for the new one.
    response = turn_signing(admin_client, True)
    assert response.status_code == 302 and not key_row(key.space_id).signing
    dns_server.zone[(key.record_name, "TXT")] = ["v=DKIM1; k=rsa; p=" + "A" * 300]
    turn_signing(admin_client, True)
    assert not key_row(key.space_id).signing
    page = admin_client.get("/settings/email/dkim").get_data(as_text=True)
    assert "is not this key" in page


def test_unsigned_without_signing_and_for_another_from_domain(
    admin_client, smtp_server, configure_for, dns_server
):
    server = smtp_server(tls="none", auth=False)
    configure_for(server)
    check = start(admin_client, "/settings/email/test", "me@elsewhere.example")
    assert check.status == "succeeded"
    assert b"DKIM-Signature" not in server.messages[-1].content

    generate(admin_client, "ed25519")
    key = key_row(admin_client.admin.space_id)
    publish(dns_server, key)
    turn_signing(admin_client, True)
    configure_for(server, from_email="billing@other.example")
    page = admin_client.get("/settings/email/dkim").get_data(as_text=True)
    assert "they go unsigned" in page
    check = start(admin_client, "/settings/email/test", "me@elsewhere.example")
    assert check.status == "succeeded"
    assert b"DKIM-Signature" not in server.messages[-1].content


def test_generate_refuses_a_bad_selector(admin_client):
    response = admin_client.submit(
        "/settings/email/dkim/key",
        {"algorithm": "rsa", "selector": "bad selector!"},
        page="/settings/email/dkim",
    )
    assert response.status_code == 400
    assert "Letters, digits and hyphens only." in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(DkimKey)).scalar() == 0

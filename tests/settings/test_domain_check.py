"""Check domain against a real authoritative DNS server on loopback (dnslib's, started by the
tests), with zones for a good domain and for broken ones; the check never hangs."""

from __future__ import annotations

import re
import time

import pytest

from djaboo.extensions import db
from djaboo.settings.dkim_key import DkimKey
from djaboo.settings.domain_check import ACCEPT, REJECT, check_domain
from tests.settings.conftest import settings_row
from tests.settings.test_dkim import generate, key_row, publish, turn_signing


def findings(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-check="(\w+)" data-status="(\w+)"', html))


def use_domain(client, domain: str, host: str) -> None:
    settings = settings_row(client.admin.space_id)
    settings.from_email, settings.host = f"billing@{domain}", host
    db.session.commit()


def run_check(client) -> str:
    response = client.submit("/settings/email/domain-check", {}, page="/settings/email/dkim")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def configured(admin_client, configure_for, smtp_server):
    configure_for(smtp_server(tls="none", auth=False))
    return admin_client


def test_a_good_domain_is_accepted(configured, dns_server):
    client = configured
    use_domain(client, "good.example", "mail.good.example")
    zone = dns_server.zone
    zone[("mail.good.example", "A")] = ["192.0.2.10"]
    zone[("good.example", "TXT")] = [
        "google-site-verification=abc",
        "v=spf1 mx include:_spf.provider.example -all",
    ]
    zone[("_spf.provider.example", "TXT")] = ["v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"]
    zone[("_dmarc.good.example", "TXT")] = ["v=DMARC1; p=reject; rua=mailto:d@good.example"]
    zone[("good.example", "MX")] = [(10, "mx.good.example")]
    zone[("mx.good.example", "A")] = ["192.0.2.99"]
    generate(client, "rsa")
    key = key_row(client.admin.space_id)
    publish(dns_server, key)  # 2048-bit RSA: longer than one 255-byte string, as in real zones
    turn_signing(client, True)
    assert key_row(key.space_id).signing

    page = run_check(client)
    assert findings(page) == {"SPF": "ok", "DKIM": "ok", "DMARC": "ok", "MX": "ok"}, page
    assert ACCEPT in page and REJECT not in page
    assert "Allows mail.good.example; other servers are refused (-all)." in page


def test_a_broken_domain_says_what_to_change(configured, dns_server):
    client = configured
    use_domain(client, "broken.example", "203.0.113.10")
    zone = dns_server.zone
    zone[("broken.example", "TXT")] = ["v=spf1 ip4:198.51.100.1 -all"]
    zone[("broken.example", "A")] = ["198.51.100.1"]
    generate(client, "ed25519")
    key = key_row(client.admin.space_id)
    zone[(key.record_name, "TXT")] = [
        "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    ]

    page = run_check(client)
    assert findings(page) == {"SPF": "fail", "DKIM": "fail", "DMARC": "fail", "MX": "warn"}, page
    assert REJECT in page and ACCEPT not in page
    assert "does not allow 203.0.113.10" in page
    assert "is not this key: replace it" in page
    assert "Publish a TXT record at _dmarc.broken.example" in page
    assert "Add an MX record to broken.example" in page


def test_weak_endings_and_missing_records(app, dns_server):
    zone = dns_server.zone
    zone[("soft.example", "TXT")] = ["v=spf1 a:mail.soft.example ?all"]
    zone[("mail.soft.example", "A")] = ["192.0.2.20"]
    zone[("_dmarc.soft.example", "TXT")] = ["v=DMARC1; p=none"]
    zone[("soft.example", "MX")] = [(0, "mail.soft.example")]
    report = check_domain("soft.example", "mail.soft.example", None, dns_server.address)
    by_name = {f.name: f for f in report.findings}
    assert by_name["SPF"].status == "warn" and "end the record with -all" in by_name["SPF"].sentence
    assert by_name["DKIM"].status == "warn" and "Generate a key" in by_name["DKIM"].sentence
    assert by_name["DMARC"].status == "ok" and "p=none" in by_name["DMARC"].sentence
    assert by_name["MX"].status == "ok"
    assert report.verdict == REJECT

    # A subdomain without its own DMARC record: its organisational domain's applies.
    report = check_domain("news.soft.example", "", None, dns_server.address)
    assert report.findings[2].status == "ok", report.findings[2]

    # Two SPF records, and a domain that does not exist at all.
    zone[("twice.example", "TXT")] = ["v=spf1 -all", "v=spf1 a -all"]
    report = check_domain("twice.example", "mail.soft.example", None, dns_server.address)
    assert (
        report.findings[0].status == "fail" and "merge them into one" in report.findings[0].sentence
    )
    report = check_domain("nowhere.invalid", "mail.soft.example", None, dns_server.address)
    assert [f.status for f in report.findings] == ["fail", "warn", "fail", "warn"]


def test_a_silent_resolver_never_hangs_the_page(configured, dns_server):
    client = configured
    dns_server.silent = True
    started = time.monotonic()
    page = run_check(client)
    assert time.monotonic() - started < 6
    assert REJECT in page and "Could not check" in page
    assert set(findings(page).values()) == {"warn"}


def test_signing_stays_off_while_dns_does_not_answer(configured, dns_server):
    client = configured
    generate(client, "ed25519")
    key = key_row(client.admin.space_id)
    publish(dns_server, key)
    dns_server.silent = True
    response = turn_signing(client, True)
    assert response.status_code == 302
    page = client.get("/settings/email/dkim").get_data(as_text=True)
    assert "Signing stays off: the record could not be looked up" in page
    assert not key_row(key.space_id).signing


def test_the_check_writes_nothing(configured, dns_server):
    run_check(configured)
    assert db.session.query(DkimKey).count() == 0


def test_an_ed25519_key_alone_is_not_enough_for_gmail(configured, dns_server):
    client = configured
    generate(client, "ed25519")
    key = key_row(client.admin.space_id)
    publish(dns_server, key)
    turn_signing(client, True)
    dns_server.zone[("acme.example", "TXT")] = ["v=spf1 ip4:127.0.0.1 -all"]  # the SMTP fixture
    dns_server.zone[("_dmarc.acme.example", "TXT")] = ["v=DMARC1; p=none"]
    page = run_check(client)
    assert findings(page)["DKIM"] == "warn" and "do not verify Ed25519" in page
    assert findings(page)["SPF"] == "ok" and findings(page)["DMARC"] == "ok"
    assert REJECT in page

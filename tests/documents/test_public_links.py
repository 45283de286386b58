"""Links in emails open: {invoice_link} and {crm_url} start with BASE_URL, path prefix included,
and a real gunicorn serving the app under that prefix answers them."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from tests.documents.conftest import send_form, wait_for_delivery
from tests.fixtures.database import TEST_BASE_URL, TEST_ENCRYPTION_KEY, TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str):
    assert url.startswith("http://127.0.0.1:")
    return urllib.request.urlopen(url, timeout=60)  # noqa: S310  (checked just above)


def test_links_in_a_sent_invoice_open_under_the_path_prefix(shop, app, tmp_path, network_guard):
    """Behind a proxy serving the app under /djaboo (gunicorn with SCRIPT_NAME=/djaboo)."""
    data = send_form(
        shop.client,
        shop.invoice.id,
        contacts=[str(shop.customer.contacts[0].id)],
        body_html="<p>Pay at {invoice_link}, sign in at {crm_url}</p>",
    )
    assert shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data).status_code == 302
    row = wait_for_delivery(db.session.execute(sa.select(OutboxMessage.id)).scalar_one())
    assert row.status == "sent", row.last_error
    text = shop.server.messages[0].message.get_body(("plain",)).get_content()
    invoice_link, crm_url = re.search(r"Pay at (\S+), sign in at (\S+)", text).groups()
    assert re.fullmatch(re.escape(TEST_BASE_URL) + r"/p/invoice/[\w-]{43}", invoice_link)
    assert crm_url == TEST_BASE_URL == "https://billing.test.example/djaboo"
    html_part = shop.server.messages[0].message.get_body(("html",)).get_content()
    assert invoice_link in html_part and crm_url in html_part

    port = free_port()
    network_guard.allow(port)
    env = {
        **os.environ,
        "SCRIPT_NAME": "/djaboo",
        "DJABOO_SECRET_KEY": TEST_SECRET_KEY,
        "DJABOO_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "DJABOO_BASE_URL": TEST_BASE_URL,
        "DJABOO_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DJABOO_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    server = subprocess.Popen(
        [GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),  # why it failed, if it does
    )
    try:
        origin = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while server.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        with fetch(origin + urlsplit(invoice_link).path) as page:
            html = page.read().decode()
        assert shop.invoice.number in html
        pdf_path = re.search(r'href="(/djaboo/p/invoice/[\w-]+/pdf)"', html).group(1)
        with fetch(origin + pdf_path) as pdf:
            assert pdf.headers["Content-Type"] == "application/pdf"
        with fetch(origin + urlsplit(crm_url).path) as home:
            assert urlsplit(home.url).path == "/djaboo/login"  # redirected to sign in, then 200
            assert home.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("kind", ["invoice", "estimate"])
def test_sample_links_of_previews_and_test_emails_open_a_page(client, kind):
    from djaboo.email_templates.samples import sample_facts
    from djaboo.mail.fields import CompanyFacts, StaffFacts

    facts = sample_facts(
        "en",
        CompanyFacts(name="Acme", base_url="https://billing.test.example/djaboo", logo_url=""),
        StaffFacts("Sam", "Staff", "sam@example.com"),
        "",
        date(2026, 3, 5),
    )
    link = facts.parts[kind].link
    assert link == f"https://billing.test.example/djaboo/p/sample-{kind}"
    page = client.get(link.removeprefix("https://billing.test.example/djaboo"))
    assert page.status_code == 200 and f"Sample {kind}" in page.get_data(as_text=True)

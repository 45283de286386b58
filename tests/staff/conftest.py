"""Shared by the staff tests: a space that sends through the SMTP fixture, for reset emails."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email.message import EmailMessage

import pytest

from djaboo.mail import worker
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.fixtures.database import TEST_BASE_URL
from tests.fixtures.smtp import SMTPServer
from tests.settings.conftest import form_data

LINK = re.compile(re.escape(TEST_BASE_URL) + r"/reset-password/[A-Za-z0-9_-]+")


@dataclass
class Team:
    admin: object
    staff: object
    server: SMTPServer


@pytest.fixture
def team(app, create_space, create_user, login, smtp_server) -> Team:
    """A space whose mail goes to the SMTP fixture (with a BCC-all address, which a reset email
    must never use), its admin and a staff member, Ada Lovelace."""
    admin = create_space(name="Acme Ltd")
    server = smtp_server()
    admin_client = app.test_client()
    login(admin_client, admin)
    response = admin_client.submit(
        "/settings/email",
        form_data(
            host="127.0.0.1",
            port=server.port,
            encryption="none",
            bcc_all="audit@acme.example",
            signature_html="<p>GLOBAL SIGNATURE</p>",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    staff = create_user(
        admin.space, name="Ada Lovelace", email="ada@example.com", signature="<p>ADA'S OWN</p>"
    )
    return Team(admin, staff, server)


def deliver_all() -> None:
    """The real worker, one pass after another in this thread, until nothing is due."""
    while worker.run_once(transport_settings_for_space):
        pass


def wait_for_messages(server: SMTPServer, count: int, timeout: float = 20) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(server.messages) >= count:
            return [m.message for m in server.messages]
        time.sleep(0.05)
    raise AssertionError(f"{len(server.messages)} message(s) arrived, not {count}")


def link_in(message: EmailMessage) -> str:
    """The one reset link of a delivered email, the same in its text and HTML parts."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    links = set(LINK.findall(text))
    assert len(links) == 1, text
    assert links == set(LINK.findall(html))
    return links.pop()


def path_of(link: str) -> str:
    """The link as the test client opens it (BASE_URL's path prefix is the proxy's)."""
    assert link.startswith(TEST_BASE_URL + "/")
    return link[len(TEST_BASE_URL) :]

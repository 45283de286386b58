"""`djaboo staff reset-password EMAIL`: for when mail itself is broken."""

from __future__ import annotations

import re

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.staff.models import PasswordReset
from tests.fixtures.database import TEST_BASE_URL
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.staff.conftest import path_of
from tests.staff.test_password_reset import NEW_PASSWORD, choose_password, signs_in

LINK = re.compile(re.escape(TEST_BASE_URL) + r"/reset-password/[A-Za-z0-9_-]{43}")


def reset_password(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["staff", "reset-password", *args], input=input)


def test_prints_a_link_that_works_once(app, client, create_space, create_user):
    admin = create_space()
    ada = create_user(admin.space, email="ada@example.com")
    result = reset_password(app, "ADA@example.com")
    assert result.exit_code == 0, result.output
    (link,) = LINK.findall(result.output)
    assert "once, within an hour" in result.output
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0
    # A second link ends the first.
    (second,) = LINK.findall(reset_password(app, ada.email).output)
    assert client.get(path_of(link)).status_code == 404
    assert choose_password(client, second).status_code == 302
    assert client.get(path_of(second)).status_code == 404
    assert signs_in(app, ada.email, NEW_PASSWORD)
    assert not signs_in(app, ada.email, DEFAULT_PASSWORD)


def test_sets_the_password_from_stdin_without_printing_it(app, create_space, login):
    admin = create_space()
    signed_in = app.test_client()
    login(signed_in, admin)
    (link,) = LINK.findall(reset_password(app, admin.email).output)
    result = reset_password(app, admin.email, "--password-stdin", input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert f"The password of {admin.email} is set" in result.output
    assert signs_in(app, admin.email, NEW_PASSWORD)
    assert not signs_in(app, admin.email, DEFAULT_PASSWORD)
    assert signed_in.get("/staff/profile").status_code == 302  # its sessions ended
    assert app.test_client().get(path_of(link)).status_code == 404  # and its links


def test_refuses_a_short_password(app, create_space):
    admin = create_space()
    result = reset_password(app, admin.email, "--password-stdin", input="short\n")
    assert result.exit_code == 1
    assert "Use at least 10 characters." in result.output and "short" not in result.output
    assert signs_in(app, admin.email, DEFAULT_PASSWORD)


def test_an_unknown_address_exits_1(app, create_space):
    create_space()
    for args in (["nobody@example.com"], ["nobody@example.com", "--password-stdin"]):
        result = reset_password(app, *args, input=NEW_PASSWORD + "\n")
        assert result.exit_code == 1
        assert "No staff member signs in as 'nobody@example.com'." in result.output
    assert db.session.execute(sa.select(sa.func.count(PasswordReset.id))).scalar_one() == 0


def test_a_deactivated_account_gets_no_link(app, create_space, create_user):
    admin = create_space()
    gone = create_user(admin.space, active=False)
    result = reset_password(app, gone.email)
    assert result.exit_code == 1 and "is deactivated" in result.output
    assert not LINK.findall(result.output)
    result = reset_password(app, gone.email, "--password-stdin", input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0 and "an admin of its space activates it" in result.output


def test_needs_base_url_for_a_link(app, create_space):
    admin = create_space()
    app.config["BASE_URL"] = None  # as `djaboo` runs before it is configured
    result = reset_password(app, admin.email)
    assert result.exit_code == 1 and "BASE_URL is not set" in result.output
    assert db.session.execute(sa.select(sa.func.count(PasswordReset.id))).scalar_one() == 0

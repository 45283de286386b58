"""Secrets through the whole app: a server that echoes the AUTH payload leaves no trace of the
password in any page or table; non-ASCII passwords work for the test email and real emails."""

import pytest
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.fixtures.smtp import SMTP_USERNAME
from tests.mail.hostile_smtp import leaks
from tests.mail.test_worker import queue, statuses
from tests.settings.test_test_email import start

ENGINES = ["standard", "alternative"]
PASSWORDS = ["s3cret-pass", "pässwörd€", "パスワード秘密の鍵"]


def table_dump(*tables: str) -> str:
    db.session.expire_all()
    return "\n".join(
        repr(tuple(row)) + str(tuple(row))
        for table in tables
        for row in db.session.execute(sa.text(f"SELECT * FROM {table}"))  # noqa: S608
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("password", PASSWORDS)
def test_an_echoed_password_is_in_no_page_and_no_table(
    app, admin_client, create_user, login, hostile_smtp, configure_for, engine, password
):
    server = hostile_smtp(password="the-right-one")  # refuses ours and repeats it
    configure_for(server, password=password, engine=engine)
    space_id = admin_client.admin.space_id

    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "failed" and "Authentication failed" in check.summary
    assert "[hidden]" in check.summary  # it did echo: the test shows it was hidden, not absent
    report = admin_client.get(f"/settings/email/checks/{check.id}").get_data(as_text=True)

    [row_id] = queue(space_id, 1)
    worker.run_once(transport_settings_for_space)
    assert statuses([row_id]) == ["attention"]  # and the space is paused
    staff = app.test_client()
    login(staff, create_user(admin_client.admin.space))
    pages = {
        "check report": report,
        "banner": staff.get("/emails").get_data(as_text=True),
        "email page": staff.get(f"/emails/{row_id}").get_data(as_text=True),
        "email log": admin_client.get("/emails").get_data(as_text=True),
        "database": table_dump("mail_check", "outbox_message", "mail_pause"),
    }
    assert "Sending is paused." in pages["banner"] and "[hidden]" in pages["email page"]
    for where, text in pages.items():
        assert leaks(text, password) == [], where
    assert server.messages == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("password", PASSWORDS[1:])
def test_non_ascii_password_sends_the_test_email_and_real_ones(
    admin_client, smtp_server, configure_for, engine, password
):
    server = smtp_server(tls="starttls", auth=True, password=password)  # UTF-8 only
    configure_for(server, password=password, engine=engine)
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "succeeded", check.summary
    ids = queue(admin_client.admin.space_id, 2)
    worker.run_once(transport_settings_for_space)
    assert statuses(ids) == ["sent", "sent"]
    assert [m.login for m in server.messages] == [SMTP_USERNAME] * 3

"""Send Test Email and Check Connection against the real SMTP fixture, through the web pages."""

import base64

import pytest
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.settings.models import MailCheck
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USERNAME
from tests.settings.conftest import wait_for_check


def start(client, path, recipient):
    response = client.submit(path, {"recipient": recipient}, page="/settings/email")
    assert response.status_code == 302, response.get_data(as_text=True)
    check_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return wait_for_check(check_id)


@pytest.mark.parametrize("tls", ["none", "starttls", "implicit"])
@pytest.mark.parametrize("engine", ["standard", "alternative"])
def test_test_email_arrives_wrapped_and_the_report_says_so(
    admin_client, smtp_server, configure_for, tls, engine
):
    server = smtp_server(tls=tls, auth=tls != "none")
    configure_for(
        server,
        engine=engine,
        bcc_all="audit@acme.example",
        signature_html="<p>Cheers from <b>Accounts</b></p>",
        header_html="<div>HEADER {companyname}</div>",
        footer_html="<p>FOOTER</p>",
    )
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "succeeded", (check.summary, check.steps)
    [got] = server.messages
    assert got.rcpt_tos == ["me@acme.example", "audit@acme.example"]
    assert got.message["Bcc"] is None and b"audit@acme.example" not in got.content
    assert str(got.message["From"]) == "Acme Billing <billing@acme.example>"
    html = got.message.get_body(("html",)).get_content()
    assert (
        html.index("HEADER Acme Ltd")
        < html.index("Cheers from <b>Accounts</b>")
        < html.index("FOOTER")
    )
    text = got.message.get_body(("plain",)).get_content()
    assert "HEADER Acme Ltd" in text and "Cheers from Accounts" in text

    page = admin_client.get(f"/settings/email/checks/{check.id}").get_data(as_text=True)
    assert "Test email sent." in page
    for step in ("Resolve", "Connect", "EHLO", "MAIL", "RCPT", "DATA"):
        assert f"<td>{step}</td>" in page
    if tls != "none":
        assert "<td>AUTH</td>" in page and "credentials hidden" in page
        assert "<td>TLS</td>" in page and "SHA-256" in page
    for secret in (SMTP_PASSWORD, base64.b64encode(SMTP_PASSWORD.encode()).decode()):
        assert secret not in page


def test_the_test_email_is_in_the_email_log_and_no_worker_sends_it_again(
    admin_client, smtp_server, configure_for
):
    from djaboo.mail import worker
    from djaboo.mail.outbox import OutboxMessage
    from djaboo.settings.transport_settings import transport_settings_for_space

    server = smtp_server()
    configure_for(server)
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "succeeded", check.summary
    db.session.expire_all()
    row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert (row.origin, row.status, row.event) == ("test", "sent", "test_email")
    assert row.sent_by_id == check.requested_by_id and row.claim_token == ""
    assert row.raw == server.messages[0].content
    while worker.run_once(transport_settings_for_space):
        pass
    assert len(server.messages) == 1
    page = admin_client.get("/emails").get_data(as_text=True)
    assert "Test email" in page and "Accepted by the server" in page


def test_a_refused_test_email_is_logged_as_failed(admin_client, smtp_server, configure_for):
    from djaboo.mail.outbox import OutboxMessage

    server = smtp_server()
    server.script.rcpt["nobody@refused.example"] = "550 5.1.1 No such user"
    configure_for(server)
    check = start(admin_client, "/settings/email/test", "nobody@refused.example")
    db.session.expire_all()
    row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert check.status == "failed"
    assert (row.origin, row.status) == ("test", "failed") and row.last_error == check.summary


def test_check_connection_sends_nothing(admin_client, smtp_server, configure_for):
    server = smtp_server(tls="starttls", auth=True)
    configure_for(server)
    check = start(admin_client, "/settings/email/check", "someone@example.org")
    assert check.status == "succeeded", check.summary
    assert "Nothing was sent" in check.summary
    assert server.messages == [] and server.handler.mail_sessions
    assert [s["name"] for s in check.steps][-2:] == ["MAIL", "RCPT"]


@pytest.mark.parametrize(
    ("server_kwargs", "overrides", "summary", "hint"),
    [
        (
            {"tls": "starttls", "auth": True},
            {"password": "wrong-password"},
            "Authentication failed",
            "app password",
        ),
        ({"tls": "starttls", "auth": True, "trusted": False}, {}, "is not trusted", "pin"),
        (
            {"tls": "starttls", "auth": True, "require_auth": False, "offer_starttls": False},
            {},
            "offered no STARTTLS: we will not send your password in clear",
            "SSL",
        ),
        (
            {"tls": "none"},
            {"encryption": "ssl", "port": None},
            "does not speak TLS from the first byte",
            "None",
        ),
    ],
)
def test_failures_say_what_to_change(
    admin_client, smtp_server, configure_for, server_kwargs, overrides, summary, hint
):
    server = smtp_server(**server_kwargs)
    overrides = dict(overrides)
    if overrides.get("port", 1) is None:
        overrides["port"] = server.port
    configure_for(server, **overrides)
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "failed"
    assert summary in check.summary and hint in check.hint
    assert server.messages == []
    page = admin_client.get(f"/settings/email/checks/{check.id}").get_data(as_text=True)
    assert "Test email failed." in page and "What to do:" in page


def test_server_down_is_reported_quickly(admin_client, closed_port, configure_for):
    class Down:
        tls, port = "none", closed_port

    configure_for(Down)
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "failed" and "Nothing accepts connections" in check.summary


def test_sendmail_protocol_test_email(admin_client, app, smtp_server, tmp_path, configure_for):
    server = smtp_server()
    config = tmp_path / "msmtprc"
    config.write_text(f"account default\nhost 127.0.0.1\nport {server.port}\nauth off\ntls off\n")
    config.chmod(0o600)
    app.config["SENDMAIL_COMMAND"] = ["msmtp", "-C", str(config), "-t", "-i"]
    admin_client.submit(
        "/settings/email",
        {
            "protocol": "sendmail",
            "encryption": "tls",
            "engine": "standard",
            "from_email": "b@acme.example",
            "charset": "utf-8",
            "timeout_seconds": "10",
        },
    )
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "succeeded", check.summary
    assert server.messages[0].rcpt_tos == ["me@acme.example"]


def test_test_email_is_rate_limited(admin_client, smtp_server, configure_for):
    server = smtp_server()
    configure_for(server)
    for _ in range(5):
        start(admin_client, "/settings/email/check", "me@acme.example")
    response = admin_client.submit(
        "/settings/email/test",
        {"recipient": "me@acme.example"},
        page="/settings/email",
        follow_redirects=True,
    )
    assert "ran 5 tests in the last 10 minutes" in response.get_data(as_text=True)
    assert db.session.query(MailCheck).count() == 5 and server.messages == []


def test_recipient_must_be_one_address(admin_client, smtp_server, configure_for):
    configure_for(smtp_server())
    response = admin_client.submit(
        "/settings/email/test",
        {"recipient": "a@example.org, evil@example.org"},
        page="/settings/email",
    )
    assert response.status_code == 400
    assert "is not a valid email address" in response.get_data(as_text=True)
    assert db.session.query(MailCheck).count() == 0


def test_unsaved_settings_cannot_be_tested(admin_client):
    response = admin_client.submit(
        "/settings/email/test",
        {"recipient": "me@acme.example"},
        page="/settings/email",
        follow_redirects=True,
    )
    assert "Save the server settings" in response.get_data(as_text=True)


def test_reports_of_another_space_are_404(
    admin_client, smtp_server, configure_for, app, create_space, login
):
    configure_for(smtp_server())
    check = start(admin_client, "/settings/email/check", "me@acme.example")
    other = app.test_client()
    login(other, create_space())
    assert other.get(f"/settings/email/checks/{check.id}").status_code == 404


def test_staff_cannot_send_test_emails(client, create_space, create_user, login):
    admin = create_space()
    login(client, create_user(admin.space))
    response = client.submit(
        "/settings/email/test", {"recipient": "x@example.org"}, page="/staff/profile"
    )
    assert response.status_code == 403
    assert db.session.query(MailCheck).count() == 0


def test_login_uses_username_when_set_and_email_otherwise(admin_client, smtp_server, configure_for):
    server = smtp_server(tls="starttls", auth=True, username="billing@acme.example")
    configure_for(server, username="")
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "succeeded", check.summary
    assert server.messages[0].login == "billing@acme.example"
    assert SMTP_USERNAME != "billing@acme.example"


def test_an_interrupted_check_does_not_spin_forever(admin_client):
    from datetime import timedelta

    from djaboo.db import utcnow

    check = MailCheck(
        space_id=admin_client.admin.space_id,
        kind="test_email",
        recipient="me@acme.example",
        status="running",
        steps=[],
        created_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(check)
    db.session.commit()
    page = admin_client.get(f"/settings/email/checks/{check.id}").get_data(as_text=True)
    assert "This check was interrupted" in page and 'http-equiv="refresh"' not in page


def test_debug_logs_hold_no_password(admin_client, smtp_server, configure_for, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    server = smtp_server(tls="starttls", auth=True)
    configure_for(server)
    start(admin_client, "/settings/email/test", "me@acme.example")
    secret_forms = [
        SMTP_PASSWORD,
        base64.b64encode(SMTP_PASSWORD.encode()).decode(),
        base64.b64encode(f"\0{SMTP_USERNAME}\0{SMTP_PASSWORD}".encode()).decode(),
    ]
    assert caplog.records
    assert not any(s in caplog.text for s in secret_forms)

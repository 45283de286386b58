"""When the stored SMTP password must be typed again; and what if it no longer decrypts."""

import pytest
from cryptography.fernet import Fernet

from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import MailPause, OutboxMessage
from djaboo.secrets_at_rest import decrypt
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.fixtures.database import TEST_ENCRYPTION_KEY
from tests.mail.test_worker import queue, statuses
from tests.settings.conftest import form_data, settings_row
from tests.settings.test_test_email import start

WHAT_TO_DO = "Re-enter it in Settings → Email, or restore the old key in ENCRYPTION_OLD_KEYS."


@pytest.mark.parametrize("protocol", ["sendmail", "mail"])
def test_switching_to_sendmail_or_mail_keeps_the_password_without_asking(admin_client, protocol):
    admin_client.submit("/settings/email", form_data(password="first-password"))
    response = admin_client.submit("/settings/email", form_data(protocol=protocol))
    assert response.status_code == 302, response.get_data(as_text=True)
    row = settings_row(admin_client.admin.space_id)
    assert row.protocol == protocol and decrypt(row.password_encrypted) == "first-password"
    # Back to SMTP, same server: the password goes where it was entered for, so no question.
    assert admin_client.submit("/settings/email", form_data()).status_code == 302
    assert settings_row(admin_client.admin.space_id).protocol == "smtp"


def test_the_server_cannot_be_changed_behind_a_protocol_switch(admin_client):
    admin_client.submit("/settings/email", form_data(password="first-password"))
    response = admin_client.submit(
        "/settings/email", form_data(protocol="sendmail", host="198.51.100.66")
    )
    assert response.status_code == 400
    assert "choose SMTP and re-enter the password" in response.get_data(as_text=True)
    row = settings_row(admin_client.admin.space_id)
    assert row.host == "203.0.113.10" and row.protocol == "smtp"


def rotate_key_away(app):
    """The operator replaces ENCRYPTION_KEY and forgets ENCRYPTION_OLD_KEYS."""
    app.config["ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    app.config["ENCRYPTION_OLD_KEYS"] = []


def test_an_undecryptable_password_pauses_sending_and_every_page_says_what_to_do(
    app, admin_client, create_user, login, smtp_server, configure_for
):
    server = smtp_server(tls="starttls", auth=True)
    configure_for(server)
    space_id = admin_client.admin.space_id
    ids = queue(space_id, 2)
    rotate_key_away(app)

    settings_page = admin_client.get("/settings/email").get_data(as_text=True)
    problem = settings_page.split('id="password-problem"', 1)[1].split("</div>", 1)[0]
    assert "can no longer be decrypted" in problem and WHAT_TO_DO in problem

    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "failed"
    assert "can no longer be decrypted" in check.summary and check.hint == WHAT_TO_DO

    worker.run_once(transport_settings_for_space)  # no crash, no endless "Sending"
    assert statuses(ids) == ["attention", "queued"]
    pause = db.session.get(MailPause, space_id)
    assert "can no longer be decrypted" in pause.reason and WHAT_TO_DO in pause.reason
    assert "can no longer be decrypted" in db.session.get(OutboxMessage, ids[0]).last_error
    assert worker.run_once(transport_settings_for_space) == 0  # paused: nothing is tried

    staff = admin_client.application.test_client()
    login(staff, create_user(admin_client.admin.space))
    banner = staff.get("/emails").get_data(as_text=True)
    assert "Sending is paused." in banner and "restore the old key in ENCRYPTION_OLD_KEYS" in banner
    assert server.messages == []

    # Saving without the password is refused: it would only pause again.
    refused = admin_client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, username="mailer")
    )
    assert refused.status_code == 400 and "Enter the password again" in refused.get_data(
        as_text=True
    )
    # Restoring the old key is the other way out: then saving resumes and everything goes.
    app.config["ENCRYPTION_OLD_KEYS"] = [TEST_ENCRYPTION_KEY]
    assert 'id="password-problem"' not in admin_client.get("/settings/email").get_data(as_text=True)
    resumed = admin_client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, username="mailer")
    )
    assert resumed.status_code == 302, resumed.get_data(as_text=True)
    worker.run_once(transport_settings_for_space)
    assert statuses(ids) == ["sent", "sent"] and len(server.messages) == 2

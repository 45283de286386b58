import sqlalchemy as sa

from djaboo.demo import DEMO_USERS
from djaboo.extensions import db
from djaboo.settings.models import EmailSettings
from djaboo.staff.models import User


def test_spaces_create_and_list(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["spaces", "create", "--name", "Acme", "--admin-email", "Boss@Acme.example"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "admin boss@acme.example can sign in" in result.output
    listing = runner.invoke(args=["spaces", "list"])
    assert "Acme\t1 users\tadmins: boss@acme.example" in listing.output


def test_spaces_create_refuses_bad_input_and_saves_nothing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "spaces",
            "create",
            "--name",
            "Acme",
            "--admin-email",
            "not-an-address",
            "--admin-password",
            "a-long-password",
        ]
    )
    assert result.exit_code != 0
    assert "An email address must have an @-sign." in result.output
    assert db.session.execute(sa.text("SELECT count(*) FROM space")).scalar_one() == 0


def test_demo_is_created_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert "Demo space created." in first.output
    assert "Demo space already present." in second.output
    assert "admin@demo.example  password: demo-admin-password" in second.output
    emails = set(db.session.execute(sa.select(User.email)).scalars())
    assert emails == {email for email, _, _ in DEMO_USERS}
    settings = db.session.execute(sa.select(EmailSettings)).scalar_one()
    assert (settings.host, settings.port, settings.encryption) == ("127.0.0.1", 2525, "none")
    assert settings.from_email == "billing@demo.example" and not settings.has_password
    from djaboo.documents.models import Invoice

    numbers = db.session.execute(sa.select(Invoice.number).order_by(Invoice.id)).scalars().all()
    assert numbers == ["INV-000001", "INV-000002", "INV-000003"]  # en, fr and ja customers
    from djaboo.settings.models import CompanyProfile

    company = db.session.execute(sa.select(CompanyProfile)).scalar_one()
    assert company.legal_name == "Demo Company SAS" and company.registration_number


def test_mail_worker_once_drains_the_queue(app, create_space, smtp_server, client, login):
    from tests.mail.test_worker import queue
    from tests.settings.conftest import form_data

    admin = create_space()
    server = smtp_server()
    login(client, admin)
    client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    queue(admin.space_id, 3)
    result = app.test_cli_runner().invoke(args=["mail", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "3 email(s) handled." in result.output
    assert len(server.messages) == 3


def test_mail_worker_tells_staff_and_reminders_run_queues_the_digest(
    app, create_space, smtp_server, client, login
):
    """The command wires the worker to the notices (each time), and the scheduled job to the
    daily digest (once a day): both as the settings say."""
    from datetime import timedelta

    from djaboo.db import utcnow
    from djaboo.mail.outbox import OutboxMessage
    from tests.mail.test_worker import queue
    from tests.settings.conftest import form_data

    admin = create_space()
    server = smtp_server()
    login(client, admin)
    settings = form_data(host="127.0.0.1", port=server.port, encryption="none")
    client.submit("/settings/email", settings)
    server.script.rcpt = {"customer@example.org": "550 5.1.1 No such user"}
    [failed] = queue(admin.space_id, 1)
    result = app.test_cli_runner().invoke(args=["mail", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 email(s) handled." in result.output  # the email, then the admin's notice
    assert [m.rcpt_tos for m in server.messages] == [[admin.email]]

    client.submit("/settings/email", {**settings, "failure_notices": "digest"})
    [later] = queue(admin.space_id, 1)
    app.test_cli_runner().invoke(args=["mail", "worker", "--once"])
    db.session.expire_all()
    assert db.session.get(OutboxMessage, later).status == "failed"
    assert len(server.messages) == 1  # nothing at once in digest mode
    # The digest leaves from the send hour and covers the 24 hours before it.
    for row_id in (failed, later):
        db.session.get(OutboxMessage, row_id).claimed_at = utcnow() - timedelta(days=1)
    db.session.commit()
    first = app.test_cli_runner().invoke(args=["reminders", "run"])
    assert first.exit_code == 0, first.output
    assert "1 digest(s) of failed emails queued." in first.output
    again = app.test_cli_runner().invoke(args=["reminders", "run"])
    assert "digest" not in again.output

"""Settings → Email → Tell staff about failed emails: Once a day (digest)."""

from datetime import UTC, datetime, time, timedelta

from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.notices.digest import digest_window, send_failure_digests
from djaboo.settings.models import EmailSettings
from djaboo.spaces.models import Space
from tests.notices.conftest import deliver, delivered_to, notices, send_invoice
from tests.notices.test_failures import REFUSED, refuse_the_customers
from tests.settings.conftest import form_data


def choose_digest(app, shop, login) -> None:
    admin_client = app.test_client()
    login(admin_client, shop.admin)
    page = admin_client.get("/settings/email").get_data(as_text=True)
    assert "Tell staff about failed emails" in page
    assert "Each time" in page and "Once a day (digest)" in page
    response = admin_client.submit(
        "/settings/email",
        form_data(
            host="127.0.0.1",
            port=shop.server.port,
            encryption="none",
            bcc_all="audit@acme.example",
            failure_notices="digest",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    settings = db.session.query(EmailSettings).filter_by(space_id=shop.admin.space_id).one()
    assert settings.failure_notices == "digest"


def next_digest_run(moment: datetime) -> datetime:
    """A moment the digest covering `moment` may leave (the space: UTC, send hour 9)."""
    day = moment.date() + timedelta(days=1) if moment.hour >= 9 else moment.date()
    return datetime.combine(day, time(9, 30), tzinfo=UTC)


def test_digest_mode_sends_one_digest_per_user_and_day(app, idle_shop, create_user, login):
    shop = idle_shop
    choose_digest(app, shop, login)
    other = create_user(shop.admin.space, name="Olga Other")  # sent nothing: gets nothing
    refuse_the_customers(shop)
    sams = send_invoice(shop)
    admin_client = app.test_client()
    login(admin_client, shop.admin)
    admins = send_invoice(shop, client=admin_client)
    deliver()
    db.session.expire_all()
    assert [db.session.get(OutboxMessage, e.id).status for e in (sams, admins)] == ["failed"] * 2
    assert notices() == []  # nothing at once

    run = next_digest_run(db.session.get(OutboxMessage, admins.id).claimed_at)
    first = send_failure_digests(run)
    for later in (run, run + timedelta(minutes=15), run + timedelta(hours=10)):
        assert send_failure_digests(later) == []  # however often the run runs
    day = run.date().isoformat()
    digests = {n.recipients[0]: n for n in notices()}
    assert sorted(n.id for n in digests.values()) == sorted(first)
    assert set(digests) == {shop.staff.email, shop.admin.email}
    assert other.email not in digests
    assert digests[shop.staff.email].idempotency_key == (
        f"notice:digest:{shop.admin.space_id}:{day}:{shop.staff.id}"
    )

    shop.server.script.rcpt = {}
    deliver()
    [sam_got] = delivered_to(shop.server, shop.staff.email)
    [admin_got] = delivered_to(shop.server, shop.admin.email)
    assert sam_got.message["Subject"].startswith("1 email(s) of Acme Ltd not delivered")
    assert admin_got.message["Subject"].startswith("2 email(s) of Acme Ltd not delivered")
    sam_text = sam_got.message.get_body(("plain",)).get_content()
    admin_text = admin_got.message.get_body(("plain",)).get_content()
    assert f"/emails/{sams.id})" in sam_text and f"/emails/{admins.id})" not in sam_text
    assert f"/emails/{sams.id})" in admin_text and f"/emails/{admins.id})" in admin_text
    assert REFUSED in admin_text

    # The next day's run: those failures were in yesterday's digest; nothing new went wrong.
    assert send_failure_digests(run + timedelta(days=1)) == []


def test_the_digest_leaves_at_the_send_hour_of_the_spaces_day(app, idle_shop):
    space = db.session.get(Space, idle_shop.admin.space_id)
    space.timezone = "Asia/Tokyo"
    db.session.commit()
    # 23:30 UTC on March 4 is 08:30 on March 5 in Tokyo: before the send hour, March 4's turn.
    day, start, end = digest_window(space, 9, datetime(2026, 3, 4, 23, 30, tzinfo=UTC))
    assert day.isoformat() == "2026-03-04"
    assert (start, end) == (
        datetime(2026, 3, 3, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 0, 0, tzinfo=UTC),
    )
    day, _, end = digest_window(space, 9, datetime(2026, 3, 5, 0, 30, tzinfo=UTC))
    assert day.isoformat() == "2026-03-05" and end == datetime(2026, 3, 5, 0, 0, tzinfo=UTC)


def test_each_time_mode_sends_no_digest(app, idle_shop):
    shop = idle_shop
    refuse_the_customers(shop)
    email = send_invoice(shop)
    deliver()
    at_once = len(notices())
    assert at_once == 2
    db.session.expire_all()
    run = next_digest_run(db.session.get(OutboxMessage, email.id).claimed_at)
    assert send_failure_digests(run) == [] and len(notices()) == at_once


def test_an_unknown_choice_is_refused_and_nothing_changes(app, idle_shop, login):
    admin_client = app.test_client()
    login(admin_client, idle_shop.admin)
    response = admin_client.submit(
        "/settings/email",
        form_data(
            host="127.0.0.1",
            port=idle_shop.server.port,
            encryption="none",
            failure_notices="sometimes",
        ),
    )
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    settings = db.session.query(EmailSettings).filter_by(space_id=idle_shop.admin.space_id).one()
    assert settings.failure_notices == "each"

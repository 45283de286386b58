"""Settings → Email → Keep sent messages for: sent emails older than that lose the message
itself and keep their log line; everything else keeps its bytes; empty keeps all forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.retention import prune_sent_messages
from tests.fixtures.database import TEST_ENCRYPTION_KEY, TEST_SECRET_KEY
from tests.settings.conftest import form_data, settings_row

RAW = b"From: billing@acme.example\r\nTo: jane@example.org\r\nSubject: Invoice\r\n\r\nPay me.\r\n"


def email(space_id, status="sent", *, age_days=0, sent_days=None, subject="Invoice INV-1"):
    """A committed outbox row created `age_days` ago (accepted `sent_days` ago, when sent)."""
    now = utcnow()
    sent_days = age_days if sent_days is None and status == "sent" else sent_days
    row = OutboxMessage(
        space_id=space_id,
        idempotency_key=f"k-{status}-{age_days}-{sent_days}-{now.timestamp()}-{subject}",
        message_id=f"<{now.timestamp()}.{age_days}@acme.example>",
        sender="billing@acme.example",
        recipients=["jane@example.org"],
        to_display="Jane Doe <jane@example.org>",
        subject=subject,
        raw=RAW,
        status=status,
        server_reply="250 2.0.0 Ok: queued as 4ABC" if status == "sent" else "",
        created_at=now - timedelta(days=age_days),
        sent_at=now - timedelta(days=sent_days) if sent_days is not None else None,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def keep_for(client, days: str):
    response = client.submit("/settings/email", form_data(keep_sent_days=days))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def rows(ids) -> dict:
    db.session.expire_all()
    return {i: db.session.get(OutboxMessage, i) for i in ids}


def test_older_sent_emails_lose_their_message_and_keep_their_log_line(admin_client, create_space):
    space_id = admin_client.admin.space_id
    keep_for(admin_client, "30")
    assert settings_row(space_id).keep_sent_days == 30
    old_sent = email(space_id, age_days=31)
    old_withdrawn = email(space_id, "withdrawn", age_days=45)
    # Queued 40 days ago, retried until the server took it 10 days ago: 10 days old.
    late_sent = email(space_id, age_days=40, sent_days=10)
    young = email(space_id, age_days=29)
    could_go_again = [email(space_id, s, age_days=90) for s in ("failed", "attention", "unknown")]
    still_going = [email(space_id, s, age_days=90) for s in ("queued", "retry", "sending")]
    elsewhere = email(create_space().space_id, age_days=400)  # a space keeping all forever

    result = admin_client.application.test_cli_runner().invoke(args=["mail", "prune"])
    assert result.exit_code == 0, result.output
    assert "2 email(s) lost their stored message." in result.output

    got = rows([old_sent, old_withdrawn, late_sent, young, elsewhere, *could_go_again])
    got.update(rows(still_going))
    for pruned in (old_sent, old_withdrawn):
        row = got.pop(pruned)
        assert row.raw == b"" and row.pruned_at is not None
        # The log line stays.
        assert row.subject == "Invoice INV-1" and row.recipients == ["jane@example.org"]
        assert row.to_display == "Jane Doe <jane@example.org>"
    assert all(row.raw == RAW and row.pruned_at is None for row in got.values())

    page = admin_client.get(f"/emails/{old_sent}").get_data(as_text=True)
    assert "The message itself was removed after 31 days" in page
    assert "Settings → Email → Keep sent messages for" in page
    assert "250 2.0.0 Ok: queued as 4ABC" in page and "Invoice INV-1" in page
    assert "Download .eml" not in page and "Resend" not in page
    assert admin_client.get(f"/emails/{old_sent}.eml").status_code == 404
    kept = admin_client.get(f"/emails/{young}").get_data(as_text=True)
    assert "Download .eml" in kept and "Pay me." in kept and "was removed" not in kept
    assert admin_client.get(f"/emails/{young}.eml").data == RAW
    log = admin_client.get("/emails").get_data(as_text=True)
    assert log.count("Invoice INV-1") >= 10  # every line still in the log

    # A second run finds nothing more; the rows already pruned stay as they are.
    assert prune_sent_messages() == 0


def test_empty_keeps_every_message_forever(admin_client):
    space_id = admin_client.admin.space_id
    keep_for(admin_client, "7")
    keep_for(admin_client, "")
    assert settings_row(space_id).keep_sent_days is None
    ids = [email(space_id, age_days=days) for days in (8, 400, 3700)]
    assert prune_sent_messages() == 0
    assert all(row.raw == RAW and row.pruned_at is None for row in rows(ids).values())


def test_a_big_backlog_goes_in_batches(admin_client):
    space_id = admin_client.admin.space_id
    keep_for(admin_client, "1")
    ids = [email(space_id, age_days=2, subject=f"Invoice {n}") for n in range(7)]
    assert prune_sent_messages(batch=3) == 7
    assert all(row.raw == b"" for row in rows(ids).values())


@pytest.mark.parametrize("days", ["0", "-1", "99999", "3651", "abc", "1e3", "١٢", "9" * 40])
def test_the_form_refuses_what_is_not_a_number_of_days(admin_client, days):
    space_id = admin_client.admin.space_id
    keep_for(admin_client, "90")
    response = admin_client.submit("/settings/email", form_data(keep_sent_days=days))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a number of days from 1 to 3650, or leave it empty" in html
    assert "Not a valid integer value" not in html  # one clear sentence, not two
    assert f'value="{days}"' in html  # the field keeps what was typed
    assert settings_row(space_id).keep_sent_days == 90


@pytest.mark.parametrize(("typed", "stored"), [("1", 1), (" 3650 ", 3650), ("", None)])
def test_the_form_takes_days_from_1_to_3650_or_empty(admin_client, typed, stored):
    keep_for(admin_client, typed)
    assert settings_row(admin_client.admin.space_id).keep_sent_days == stored
    page = admin_client.get("/settings/email").get_data(as_text=True)
    assert ">Keep sent messages for</label>" in page and "days" in page


def test_the_mail_worker_prunes_on_its_own(app, admin_client, tmp_path):
    """The real `djaboo mail worker` command runs the retention when it starts (then hourly)."""
    space_id = admin_client.admin.space_id
    keep_for(admin_client, "30")
    old, young = email(space_id, age_days=60), email(space_id, age_days=3)
    env = {
        **os.environ,
        "DJABOO_SECRET_KEY": TEST_SECRET_KEY,
        "DJABOO_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "DJABOO_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DJABOO_INSTANCE_PATH": str(tmp_path),
    }
    djaboo = Path(sys.executable).parent / "djaboo"
    process = subprocess.Popen(
        [str(djaboo), "mail", "worker", "--no-reminders"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),
    )
    try:
        deadline = time.monotonic() + 30
        while rows([old])[old].pruned_at is None and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    got = rows([old, young])
    assert got[old].raw == b"" and got[old].pruned_at is not None
    assert got[young].raw == RAW
    count = db.session.execute(
        sa.select(sa.func.count()).where(OutboxMessage.pruned_at.is_not(None))
    ).scalar_one()
    assert count == 1

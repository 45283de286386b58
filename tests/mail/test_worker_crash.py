"""A real `djaboo mail worker` process is killed with SIGKILL in the middle of its batch; a second
worker takes the expired claims over and every email arrives exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.claims import DEFAULT_LEASE
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.fixtures.database import TEST_BASE_URL, TEST_ENCRYPTION_KEY, TEST_SECRET_KEY
from tests.fixtures.smtp import Script
from tests.mail.test_worker import queue, statuses
from tests.settings.conftest import form_data


def test_sigkill_mid_batch_loses_nothing_and_sends_nothing_twice(
    app, client, create_space, login, smtp_server, tmp_path
):
    admin = create_space()
    server = smtp_server(script=Script(rcpt_delay=30))  # the relay hangs at RCPT
    login(client, admin)
    client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    ids = queue(admin.space_id, 4)
    env = {
        **os.environ,
        "DJABOO_SECRET_KEY": TEST_SECRET_KEY,
        "DJABOO_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "DJABOO_BASE_URL": TEST_BASE_URL,
        "DJABOO_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DJABOO_SMTP_ALLOWED_HOSTS": "127.0.0.1",
        "DJABOO_INSTANCE_PATH": str(tmp_path),
    }
    djaboo = Path(sys.executable).parent / "djaboo"
    process = subprocess.Popen(
        [str(djaboo), "mail", "worker", "--batch", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while statuses(ids) != ["sending"] * 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert statuses(ids) == ["sending"] * 4  # claimed and committed before any send
        deadline = time.monotonic() + 10
        while not server.handler.mail_sessions and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.handler.mail_sessions  # it is talking to the server right now
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    server.script.rcpt_delay = 0
    assert worker.run_once(transport_settings_for_space) == 0  # the lease protects them
    db.session.execute(
        sa.update(OutboxMessage).values(
            claimed_at=utcnow() - DEFAULT_LEASE - timedelta(seconds=1)  # five minutes later
        )
    )
    db.session.commit()
    assert worker.run_once(transport_settings_for_space) == 4
    assert statuses(ids) == ["sent"] * 4
    subjects = sorted(m.message["Subject"] for m in server.messages)
    assert subjects == [f"Invoice {i}" for i in range(4)]

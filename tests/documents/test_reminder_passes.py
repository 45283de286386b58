"""One reminder run shared by several processes: each space run by one, each reminder once."""

import subprocess
from datetime import date, timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.models import ReminderLog, ReminderPass
from djaboo.documents.reminder_passes import STALE, finish_space, take_space
from djaboo.documents.reminders import reminder_settings_for
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.email_settings import email_settings_for
from tests.test_database_outage import DJABOO, worker_env


def overdue_spaces(create_space, create_customer, create_invoice, spaces=4, invoices=3):
    late = date.today() - timedelta(days=40)
    expected = []
    for n in range(spaces):
        admin = create_space()
        email_settings_for(admin.space).from_email = f"billing@space{n}.example"
        reminder_settings_for(admin.space_id).attach_pdf = False
        db.session.commit()
        customer = create_customer(admin.space)
        for _ in range(invoices):
            expected.append(create_invoice(customer, admin, status="unpaid", issue_date=late).id)
    return expected


def test_two_processes_share_a_run_and_queue_each_reminder_once(
    app, create_space, create_customer, create_invoice, tmp_path
):
    invoices = overdue_spaces(create_space, create_customer, create_invoice)
    env = worker_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance")
    runs = [
        subprocess.Popen(
            [DJABOO, "reminders", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    db.session.rollback()
    rows = db.session.execute(sa.select(OutboxMessage.doc_id)).scalars().all()
    assert sorted(rows) == sorted(invoices)  # one email per overdue invoice, none twice
    logs = db.session.execute(sa.select(ReminderLog.invoice_id)).scalars().all()
    assert sorted(logs) == sorted(invoices)
    passes = db.session.execute(sa.select(ReminderPass)).scalars().all()
    assert len(passes) == 4 and all(p.finished_at is not None for p in passes)
    queued = sum(int(out.split(" reminder email")[0].split()[-1]) for out in outputs)
    assert queued == len(invoices), outputs  # the two together queued each once


def test_a_space_is_taken_by_one_process_per_run(create_space):
    space_id = create_space().space_id
    run_started = utcnow()
    mine = take_space(space_id, run_started, "host:1")
    assert mine is not None
    assert take_space(space_id, run_started, "host:2") is None  # going on: not twice
    finish_space(space_id, mine, "host:1")
    assert take_space(space_id, run_started, "host:2") is None  # done after this run started
    later = take_space(space_id, utcnow(), "host:2")  # a later run takes it again
    assert later is not None
    # A pass that never finished (its process died) is taken over once it is stale.
    db.session.execute(
        sa.update(ReminderPass).values(started_at=utcnow() - STALE - timedelta(minutes=1))
    )
    db.session.commit()
    assert take_space(space_id, utcnow(), "host:3") is not None
    assert db.session.get(ReminderPass, space_id).runner == "host:3"

"""Real worker loops (djaboo.mail.worker.run, one or two, each with its pool of threads) against
real SMTP servers that hang or are slow: spaces never wait for each other, leases outlive any
batch, and a row is sent once per claim, however slow its server."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import OutboxMessage
from tests.fixtures.smtp import Script
from tests.mail.test_worker import queue, settings_for_servers, statuses

SHORT_LEASE = timedelta(seconds=3)  # one message may take 1.5 s; renewed every 0.75 s


def wait_until(condition, seconds: float) -> float:
    """Seconds it took for condition() to hold; fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "timed out"
        time.sleep(0.05)
    return time.monotonic() - started


def holders(space_id: int) -> int:
    """Workers holding a live claim on the space's mail."""
    db.session.rollback()
    return db.session.execute(
        sa.select(sa.func.count(sa.distinct(OutboxMessage.claimed_by))).where(
            OutboxMessage.space_id == space_id, OutboxMessage.status == "sending"
        )
    ).scalar_one()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_hanging_server_never_delays_another_spaces_mail(
    create_space, smtp_server, mail_worker, workers
):
    hanging, healthy = create_space(), create_space()
    # Takes the whole message, then never answers; each message is given up after its
    # deadline (1.5 s with this lease) as "may have been accepted".
    servers = {
        hanging.space_id: smtp_server(script=Script(data_delay=3600)),
        healthy.space_id: smtp_server(),
    }
    settings = settings_for_servers(servers)
    queue(hanging.space_id, 20)
    for _ in range(workers):
        mail_worker(settings, lease=SHORT_LEASE, connections=1)
    wait_until(lambda: servers[hanging.space_id].messages, 10)  # a worker hangs on it now
    [invoice] = queue(healthy.space_id, 1)
    took = wait_until(lambda: statuses([invoice]) == ["sent"], 10)
    assert len(servers[healthy.space_id].messages) == 1, took
    # For longer than the lease, the hanging space never has a second holder: a hanging
    # worker's claims stay alive (renewed within its deadlines) and count against the cap.
    until = time.monotonic() + SHORT_LEASE.total_seconds() * 2
    while time.monotonic() < until:
        assert holders(hanging.space_id) <= 1
        time.sleep(0.1)


@pytest.mark.parametrize("batch", [100, 4])
def test_a_slow_server_past_a_short_lease_gets_each_message_once(
    create_space, smtp_server, mail_worker, batch
):
    space = create_space()
    server = smtp_server(script=Script(data_delay=0.5))  # 10 messages: 5 s, past the lease
    ids = queue(space.space_id, 10)
    settings = settings_for_servers({space.space_id: server})
    for _ in range(2):
        mail_worker(settings, lease=SHORT_LEASE, batch=batch)
    wait_until(lambda: statuses(ids) == ["sent"] * 10, 60)
    time.sleep(SHORT_LEASE.total_seconds())  # nothing left for a late takeover either
    subjects = sorted(m.message["Subject"] for m in server.messages)
    assert subjects == sorted(f"Invoice {i}" for i in range(10))
    assert db.session.execute(sa.select(sa.func.sum(OutboxMessage.attempts))).scalar_one() == 10


def test_a_row_taken_over_is_neither_sent_nor_recorded_by_its_former_holder(
    app, create_space, smtp_server
):
    space = create_space()
    ids = queue(space.space_id, 3)
    engine = db.engine

    def take_over(_message):  # as another worker would once the lease had expired
        if len(server.messages) == 1:
            with engine.begin() as connection:
                connection.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(claimed_by="other-host:1:1", claim_token="other", claimed_at=utcnow())
                )

    server = smtp_server(script=Script(on_data=take_over))
    assert worker.run_once(settings_for_servers({space.space_id: server})) == 3
    assert len(server.messages) == 1  # the other two were not sent once they were lost
    db.session.expire_all()
    rows = [db.session.get(OutboxMessage, i) for i in ids]
    # Not even the one it did send is marked: its new holder owns what is written about it.
    assert [(r.status, r.claimed_by) for r in rows] == [("sending", "other-host:1:1")] * 3


def test_the_next_row_taken_over_while_one_is_sent_is_skipped_and_the_rest_go(
    app, create_space, smtp_server
):
    # The first email's outcome and the second's renewal are one statement: the outcome is
    # written, the lost second email is not sent, the third is renewed on its own and goes.
    space = create_space()
    ids = queue(space.space_id, 3)
    engine = db.engine

    def take_over(_message):
        if len(server.messages) == 1:
            with engine.begin() as connection:
                connection.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id == ids[1])
                    .values(claimed_by="other-host:1:1", claim_token="other", claimed_at=utcnow())
                )

    server = smtp_server(script=Script(on_data=take_over))
    assert worker.run_once(settings_for_servers({space.space_id: server})) == 3
    assert [m.message["Subject"] for m in server.messages] == ["Invoice 0", "Invoice 2"]
    db.session.expire_all()
    rows = [db.session.get(OutboxMessage, i) for i in ids]
    assert [r.status for r in rows] == ["sent", "sending", "sent"]
    assert rows[1].claimed_by == "other-host:1:1" and rows[1].sent_at is None


def test_stopping_gives_back_the_rest_of_the_batch(create_space, smtp_server, mail_worker):
    space = create_space()
    server = smtp_server(script=Script(data_delay=0.5))
    ids = queue(space.space_id, 10)
    running = mail_worker(settings_for_servers({space.space_id: server}))
    wait_until(lambda: server.messages, 10)
    running.halt()
    left = statuses(ids)
    assert "sending" not in left and left.count("queued") >= 5, left
    assert left.count("sent") == len(server.messages)
    db.session.expire_all()
    assert all(
        db.session.get(OutboxMessage, i).attempts == 0
        for i in ids
        if left[ids.index(i)] == "queued"
    )

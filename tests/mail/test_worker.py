"""The mail worker against the real SMTP fixture: batches, retries, leases, pauses, races."""

import threading
from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.claims import DEFAULT_LEASE
from djaboo.mail.host_policy import HostPolicy
from djaboo.mail.message import Party, build_message, envelope_for
from djaboo.mail.outbox import MailPause, OutboxMessage
from djaboo.mail.transports import TransportSettings
from tests.fixtures.smtp import Script


def queue(space_id: int, n: int, to="customer@example.org") -> list[int]:
    ids = []
    for i in range(n):
        msg = build_message(
            sender=Party("billing@acme.example"),
            to=[Party(to)],
            subject=f"Invoice {i}",
            html=None,
            text="x",
            message_id=f"<m{space_id}.{i}.{utcnow().timestamp()}@acme.example>",
        )
        env = envelope_for(msg, "billing@acme.example", [to])
        row = OutboxMessage(
            space_id=space_id,
            idempotency_key=f"k{space_id}-{i}-{utcnow()}",
            message_id=msg["Message-ID"],
            sender=env.sender,
            recipients=list(env.recipients),
            raw=env.message,
            status="queued",
            subject=f"Invoice {i}",
        )
        db.session.add(row)
        db.session.flush()
        ids.append(row.id)
    db.session.commit()
    return ids


def settings_for_servers(servers: dict, extra: dict | None = None):
    extra = extra or {}

    def settings_for(space_id: int) -> TransportSettings:
        values = {
            "encryption": "none",
            "host": "127.0.0.1",
            "port": servers[space_id].port,
            "timeout": 5,
            "host_policy": HostPolicy(allowed=("127.0.0.1",)),
        }
        return TransportSettings(**{**values, **extra.get(space_id, {})})

    return settings_for


def statuses(ids):
    db.session.expire_all()
    return [db.session.get(OutboxMessage, i).status for i in ids]


def test_each_space_batch_goes_on_one_connection(create_space, smtp_server):
    a, b = create_space(), create_space()
    servers = {a.space_id: smtp_server(), b.space_id: smtp_server()}
    ids = queue(a.space_id, 3) + queue(b.space_id, 2)
    assert worker.run_once(settings_for_servers(servers)) == 5
    assert statuses(ids) == ["sent"] * 5
    assert len(servers[a.space_id].messages) == 3 and len(servers[b.space_id].messages) == 2
    assert len(servers[a.space_id].handler.mail_sessions) == 1
    assert worker.run_once(settings_for_servers(servers)) == 0


def test_transient_failure_waits_with_backoff_then_goes(create_space, smtp_server):
    space = create_space()
    server = smtp_server(script=Script(data="451 4.3.0 Try again later"))
    [row_id] = queue(space.space_id, 1)
    settings = settings_for_servers({space.space_id: server})
    worker.run_once(settings)
    row = db.session.get(OutboxMessage, row_id)
    assert row.status == "retry" and row.next_attempt_at > utcnow() + timedelta(seconds=40)
    assert worker.run_once(settings) == 0  # not due yet
    server.script.data = None
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    worker.run_once(settings)
    db.session.expire_all()
    row = db.session.get(OutboxMessage, row_id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(server.messages) == 1


def test_a_dead_workers_claim_is_taken_over_after_the_lease(create_space, smtp_server):
    space = create_space()
    server = smtp_server()
    stale, fresh = queue(space.space_id, 2)
    for row_id, age in ((stale, DEFAULT_LEASE + timedelta(seconds=5)), (fresh, timedelta(0))):
        row = db.session.get(OutboxMessage, row_id)
        row.status, row.claimed_at, row.attempts = "sending", utcnow() - age, 1
    db.session.commit()
    assert worker.run_once(settings_for_servers({space.space_id: server})) == 1
    assert statuses([stale, fresh]) == ["sent", "sending"]
    got = server.messages[0].message["Message-ID"]
    assert got == db.session.get(OutboxMessage, stale).message_id  # same Message-ID


def test_auth_failure_pauses_only_that_space(create_space, smtp_server, trust_test_ca):
    bad, good = create_space(), create_space()
    servers = {bad.space_id: smtp_server(tls="starttls", auth=True), good.space_id: smtp_server()}
    settings = settings_for_servers(
        servers, {bad.space_id: {"encryption": "tls", "username": "mailer", "password": "wrong"}}
    )
    bad_ids = queue(bad.space_id, 3)
    good_ids = queue(good.space_id, 2)
    worker.run_once(settings)
    assert statuses(bad_ids) == ["attention", "queued", "queued"]
    assert statuses(good_ids) == ["sent", "sent"]
    # One login (smtplib tries PLAIN, then LOGIN), not one per message: no lockout storm.
    assert servers[bad.space_id].handler.auth_attempts in (["PLAIN"], ["PLAIN", "LOGIN"])
    assert db.session.get(MailPause, bad.space_id) is not None
    assert worker.run_once(settings) == 0  # paused: nothing is tried


def test_pause_banner_and_resume_by_saving_settings(client, create_space, login, smtp_server):
    from tests.settings.conftest import form_data

    admin = create_space()
    [row_id] = queue(admin.space_id, 1)
    db.session.get(OutboxMessage, row_id).status = "attention"
    db.session.add(MailPause(space_id=admin.space_id, reason="Authentication failed <b>x</b>"))
    db.session.commit()
    login(client, admin)
    page = client.get("/invoices").get_data(as_text=True)
    assert "Sending is paused." in page and "Authentication failed &lt;b&gt;x&lt;/b&gt;" in page
    response = client.submit("/settings/email", form_data(), follow_redirects=True)
    assert "1 email(s) waiting for these settings are queued again." in response.get_data(
        as_text=True
    )
    assert db.session.get(MailPause, admin.space_id) is None
    assert statuses([row_id]) == ["queued"]


def test_two_workers_never_send_a_row_twice(app, create_space, smtp_server):
    space = create_space()
    server = smtp_server()
    ids = queue(space.space_id, 30)
    settings = settings_for_servers({space.space_id: server})
    errors = []

    def work():
        with app.app_context():
            try:
                while worker.run_once(settings, batch=5):
                    pass
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert statuses(ids) == ["sent"] * 30
    subjects = sorted(m.message["Subject"] for m in server.messages)
    assert len(subjects) == 30 and len(set(subjects)) == 30
    assert db.session.execute(sa.select(sa.func.sum(OutboxMessage.attempts))).scalar_one() == 30


def test_partly_delivered_messages_retry_only_the_deferred_recipients(create_space, smtp_server):
    space = create_space()
    server = smtp_server(
        script=Script(
            rcpt={
                "full@example.org": "452 4.2.2 Mailbox full",
                "gone@example.org": "550 5.1.1 No such user",
            }
        )
    )
    # Two: the first one's outcome is written with the second's lease renewal (one statement).
    ids = queue(space.space_id, 2)
    for row_id in ids:
        row = db.session.get(OutboxMessage, row_id)
        row.recipients = ["a@example.org", "full@example.org", "gone@example.org"]
    db.session.commit()
    settings = settings_for_servers({space.space_id: server})
    worker.run_once(settings)
    db.session.expire_all()
    for row_id in ids:
        row = db.session.get(OutboxMessage, row_id)
        assert row.status == "retry" and row.recipients == ["full@example.org"]
        assert row.next_attempt_at > utcnow()
        assert row.recipient_results["a@example.org"] == "accepted"
        assert row.recipient_results["gone@example.org"].startswith("550")
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    server.script.rcpt = {}
    db.session.commit()
    worker.run_once(settings)
    assert statuses(ids) == ["sent", "sent"]
    assert [m.rcpt_tos for m in server.messages] == [["a@example.org"]] * 2 + [
        ["full@example.org"]
    ] * 2


def test_a_poison_message_does_not_block_the_others(create_space, smtp_server):
    space = create_space()
    server = smtp_server()
    first, poison, last = queue(space.space_id, 3)
    db.session.get(OutboxMessage, poison).recipients = ["nobody@example.org"]
    db.session.commit()
    server.script.rcpt = {"nobody@example.org": "552 5.3.4 Message too big for system"}
    worker.run_once(settings_for_servers({space.space_id: server}))
    assert statuses([first, poison, last]) == ["sent", "failed", "sent"]


def test_admins_are_warned_when_emails_wait_and_no_worker_runs(client, create_space, login):
    admin = create_space()
    [row_id] = queue(admin.space_id, 1)
    login(client, admin)
    assert "Emails are waiting." not in client.get("/invoices").get_data(as_text=True)
    db.session.get(OutboxMessage, row_id).created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    page = client.get("/invoices").get_data(as_text=True)
    assert "Emails are waiting." in page and "waited 10 minutes" in page
    worker.beat("test-worker")
    assert "Emails are waiting." not in client.get("/invoices").get_data(as_text=True)


def test_spaces_are_served_in_turn(create_space, smtp_server):
    big, small = create_space(), create_space()
    servers = {big.space_id: smtp_server(), small.space_id: smtp_server()}
    big_ids = queue(big.space_id, 12)
    small_ids = queue(small.space_id, 2)
    settings = settings_for_servers(servers)
    # One pass takes a batch from each space: 12 queued ahead do not make the other wait.
    assert worker.run_once(settings, batch=5) == 7
    assert statuses(small_ids) == ["sent"] * 2
    assert statuses(big_ids).count("sent") == 5
    assert worker.run_once(settings, batch=5) == 5
    assert worker.run_once(settings, batch=5) == 2
    assert statuses(big_ids) == ["sent"] * 12


def test_connections_per_space_are_capped_over_all_workers(create_space, smtp_server):
    busy, other = create_space(), create_space()
    servers = {busy.space_id: smtp_server(), other.space_id: smtp_server()}
    ids = queue(busy.space_id, 4)
    other_ids = queue(other.space_id, 1)
    # Two other workers are sending this space's mail right now (live claims).
    for row_id, name in zip(ids[:2], ("host-a:1:1", "host-b:2:2"), strict=True):
        row = db.session.get(OutboxMessage, row_id)
        row.status, row.claimed_at, row.claimed_by, row.attempts = "sending", utcnow(), name, 1
    db.session.commit()
    settings = settings_for_servers(servers)
    assert worker.run_once(settings, connections=2) == 1  # only the other space's email
    assert statuses(ids[2:]) == ["queued"] * 2 and statuses(other_ids) == ["sent"]
    assert worker.run_once(settings, connections=3) == 2  # a third connection is allowed
    assert statuses(ids[2:]) == ["sent"] * 2
    assert len(servers[busy.space_id].messages) == 2

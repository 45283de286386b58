"""An exception that is none of our typed errors ends the email as "Needs attention" with a
reason; it never leaves it in "Sending", to be claimed again each time the lease expires.

Two real failures, on both engines, that our code does not translate into typed errors:
- a stored outbox row whose recipient holds a line break (written by an import or an older
  version, THREATS H02): both client libraries refuse to write it with ValueError;
- a non-ASCII SMTP_LOCAL_HOSTNAME: both libraries raise UnicodeEncodeError on EHLO, so the
  connection itself cannot be opened.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import MailPause, OutboxMessage
from tests.mail.test_worker import queue, settings_for_servers, statuses

ENGINES = ["standard", "alternative"]


def rows(ids):
    db.session.expire_all()
    return [db.session.get(OutboxMessage, i) for i in ids]


def poison(row_id):
    db.session.get(OutboxMessage, row_id).recipients = ["customer@example.org\r\nRSET"]
    db.session.commit()


def assert_needs_attention(row, exception):
    assert row.status == "attention", (row.status, row.last_error)
    assert f"unexpected error ({exception})" in row.last_error
    assert "\r\n" not in row.last_error  # only the exception's type is shown, not its text


def nothing_comes_back(space_id, settings):
    """Not even once every claim's lease would have expired."""
    db.session.execute(sa.update(OutboxMessage).values(claimed_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert worker.run_once(settings) == 0
    assert db.session.get(MailPause, space_id) is None  # a bug is no settings problem


@pytest.mark.parametrize("engine", ENGINES)
def test_a_poison_row_needs_attention_and_the_rest_of_the_batch_goes(
    create_space, smtp_server, engine
):
    space = create_space()
    server = smtp_server()
    ids = queue(space.space_id, 3)
    poison(ids[1])
    settings = settings_for_servers({space.space_id: server}, {space.space_id: {"engine": engine}})
    assert worker.run_once(settings) == 3
    first, bad, last = rows(ids)
    assert_needs_attention(bad, "ValueError")
    assert (first.status, last.status) == ("sent", "sent")
    assert [m.rcpt_tos for m in server.messages] == [["customer@example.org"]] * 2
    nothing_comes_back(space.space_id, settings)
    assert statuses(ids) == ["sent", "attention", "sent"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_connection_that_cannot_open_ends_the_batch_as_needs_attention(
    create_space, smtp_server, engine
):
    space = create_space()
    server = smtp_server()
    ids = queue(space.space_id, 3)
    extra = {"engine": engine, "local_hostname": "mäil.example"}
    settings = settings_for_servers({space.space_id: server}, {space.space_id: extra})
    assert worker.run_once(settings) == 3
    for row in rows(ids):
        assert_needs_attention(row, "UnicodeEncodeError")
        assert row.attempts == 1
    nothing_comes_back(space.space_id, settings)
    assert server.messages == []

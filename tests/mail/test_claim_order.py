"""The claim reads each kind of due row through its own index (issue #16); what it takes is
unchanged: the space's due rows, in the order they were queued, up to the batch size."""

from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.claims import DEFAULT_LEASE, claim_due, due_spaces
from djaboo.mail.outbox import MailPause, OutboxMessage
from tests.mail.test_worker import queue


def set_rows(ids, **values):
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**values))
    db.session.commit()


def test_the_claim_takes_every_kind_of_due_row_in_order(create_space):
    space, other = create_space().space_id, create_space().space_id
    ids = queue(space, 8)
    queue(other, 3)
    now = utcnow()
    set_rows(ids[1:2], status="retry", next_attempt_at=now - timedelta(minutes=1))  # due
    set_rows(ids[2:3], status="retry", next_attempt_at=now + timedelta(hours=1))  # not yet
    set_rows(ids[3:4], status="scheduled", next_attempt_at=now - timedelta(seconds=1))  # due
    set_rows(  # a claim whose lease ran out: due again
        ids[4:5], status="sending", claimed_by="dead:1:1", claimed_at=now - DEFAULT_LEASE * 2
    )
    set_rows(ids[5:6], status="sending", claimed_by="alive:1:1", claimed_at=now)  # held
    set_rows(ids[6:7], status="sent")
    first = claim_due(space, "me:1:1", 3, 2)
    assert sorted(first.ids) == [ids[0], ids[1], ids[3]]
    second = claim_due(space, "me:1:2", 10, 5)  # "alive" and "me:1:1" hold claims
    assert sorted(second.ids) == [ids[4], ids[7]]  # the other space's rows are never taken
    assert claim_due(space, "me:1:3", 10, 5) is None


def test_spaces_with_due_mail_are_found_without_the_paused(create_space):
    spaces = [create_space().space_id for _ in range(4)]
    queue(spaces[0], 2)
    retry = queue(spaces[1], 1)
    later = queue(spaces[2], 1)
    queue(spaces[3], 1)
    now = utcnow()
    set_rows(retry, status="retry", next_attempt_at=now - timedelta(seconds=1))
    set_rows(later, status="scheduled", next_attempt_at=now + timedelta(hours=1))
    db.session.add(MailPause(space_id=spaces[3], reason="auth"))
    db.session.commit()
    assert due_spaces() == spaces[:2]
    assert due_spaces(after=spaces[0]) == [spaces[1], spaces[0]]  # in turn

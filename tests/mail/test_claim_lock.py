"""claim_due's lock on a space: the check of the connection cap and the claim are one step.

PostgreSQL: an advisory lock per space (the mail core knows no space model); SQLite: the
database's write lock, one for all spaces."""

import threading

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.claims import claim_due, lock_space
from tests.mail.test_worker import queue


def claim_in_thread(app, space_id: int, results: dict) -> threading.Thread:
    def claim() -> None:
        with app.app_context():
            try:
                results[space_id] = claim_due(space_id, f"other:{space_id}:1", 10, 1)
            finally:
                db.session.remove()

    thread = threading.Thread(target=claim, daemon=True)
    thread.start()
    return thread


def test_a_claim_waits_while_another_holds_the_space(app, create_space):
    space, elsewhere = create_space(), create_space()
    ids = queue(space.space_id, 2)
    other_ids = queue(elsewhere.space_id, 1)
    lock_space(space.space_id, "holder:1:1", utcnow())  # held until this transaction ends
    results: dict = {}
    waiting = claim_in_thread(app, space.space_id, results)
    waiting.join(1.0)
    assert waiting.is_alive() and space.space_id not in results
    other = claim_in_thread(app, elsewhere.space_id, results)
    other.join(1.0)
    if db.engine.dialect.name == "postgresql":
        # One space's lock leaves the others alone.
        assert not other.is_alive() and results[elsewhere.space_id].ids == other_ids
    else:
        assert other.is_alive()  # SQLite has one write lock for the whole database
    db.session.commit()  # the lock goes with the transaction
    waiting.join(10)
    other.join(10)
    assert not waiting.is_alive() and results[space.space_id].ids == ids
    assert results[elsewhere.space_id].ids == other_ids

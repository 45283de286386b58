"""Waking a mail worker the moment mail is queued, instead of at its next poll.

PostgreSQL: a trigger on the outbox (migration 0012) sends NOTIFY djaboo_outbox in the
transaction that queues a row, delivered at its commit; each worker LISTENs on a connection of
its own. SQLite has no such thing: its workers poll often (a cheap indexed query).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.engine import Engine

from djaboo.database_timeouts import describe

log = logging.getLogger(__name__)
CHANNEL = "djaboo_outbox"
MAX_BACKOFF = 60.0


class Listener:
    """A thread that sets `wake` whenever mail was queued (PostgreSQL), until `stop` is set.

    A lost connection is opened again with a growing pause; `wake` is then set as well, since
    notifications sent meanwhile were lost. The worker polls in any case, more slowly."""

    def __init__(self, engine: Engine, wake: threading.Event, stop: threading.Event) -> None:
        self.engine, self.wake, self.stop = engine, wake, stop
        self.listening = threading.Event()  # for tests: LISTEN is in place
        self.thread = threading.Thread(target=self._run, name="mail-listener", daemon=True)

    def start(self) -> Listener:
        self.thread.start()
        return self

    def _run(self) -> None:
        failures = 0
        while not self.stop.is_set():
            try:
                self._listen()
                failures = 0
            except Exception as exc:
                self.listening.clear()
                failures += 1
                pause = min(2.0 ** (failures - 1), MAX_BACKOFF)
                log.warning(
                    "not listening for new mail (attempt %d, next in %gs; polling meanwhile): %s",
                    failures,
                    pause,
                    describe(exc),
                )
                self.stop.wait(pause)

    def _listen(self) -> None:
        # A pooled connection, so it is made with the configured timeouts and keepalives; it is
        # closed, never given back, as it would keep listening.
        fairy = self.engine.raw_connection()
        try:
            connection = fairy.driver_connection
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            self.wake.set()  # anything queued before LISTEN: look now
            while not self.stop.is_set():
                for _notification in connection.notifies(timeout=1.0):
                    self.wake.set()
        finally:
            fairy.invalidate()

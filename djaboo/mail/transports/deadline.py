"""An overall deadline for one step of a connection (opening it, or one message).

A per-command timeout does not bound a message: a server that drips one byte of its reply just
before each timeout, or one answering MAIL, each RCPT and DATA slowly, holds the connection for
as long as it likes. The worker promises that a message ends within part of its claim's lease
(djaboo/mail/worker.py), so a watchdog interrupts the connection once the step overran: the
blocked read then fails like a dropped connection, and is judged like one (before the final
dot: try again later; after it: "the server may have it").
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

log = logging.getLogger(__name__)
TICK = 0.05  # how often the watchdog looks; deadlines are this precise


class _Watchdog:
    """One thread per process, started on first use, that calls the interrupt of every step
    still running past its deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._steps: dict[int, tuple[float, Callable[[], None]]] = {}
        self._keys = itertools.count()
        self._pid = 0

    def arm(self, seconds: float, interrupt: Callable[[], None]) -> int:
        with self._lock:
            key = next(self._keys)
            self._steps[key] = (time.monotonic() + seconds, interrupt)
            if self._pid != os.getpid():  # threads do not survive a fork
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="smtp-deadline", daemon=True).start()
            return key

    def disarm(self, key: int) -> bool:
        """False when the deadline had already fired."""
        with self._lock:
            return self._steps.pop(key, None) is not None

    def _run(self) -> None:
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                due = [k for k, (deadline, _) in self._steps.items() if deadline <= now]
                interrupts = [self._steps.pop(k)[1] for k in due]
            for interrupt in interrupts:
                try:
                    interrupt()
                except Exception:  # never let one connection stop the watchdog
                    log.exception("interrupting an overdue SMTP connection failed")


watchdog = _Watchdog()


class Overdue:
    """Whether the step guarded by `deadline()` was interrupted: set before the interrupt, so
    the failure it causes can already tell."""

    fired = False


@contextmanager
def deadline(seconds: float | None, interrupt: Callable[[], None]):
    """Run the block with `interrupt` called if it is still running after `seconds` (None: no
    deadline); yields an Overdue."""
    overdue = Overdue()
    if seconds is None:
        yield overdue
        return

    def fire() -> None:
        overdue.fired = True
        interrupt()

    key = watchdog.arm(seconds, fire)
    try:
        yield overdue
    finally:
        watchdog.disarm(key)

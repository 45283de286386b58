"""Bounded waits on the database: a dead or frozen server is an error within seconds, not a hang.

PostgreSQL gets a connect timeout, a statement timeout (enforced by the server) and TCP
keepalives through psycopg's connection parameters. None of those helps when the server's
processes are frozen (SIGSTOP, a stalled VM, a machine swapping to death): its kernel still
accepts and acknowledges our bytes, so the socket looks healthy and psycopg waits for the answer
forever (measured: keepalives and tcp_user_timeout never fire, see tests/test_database_outage.py).
So a watchdog thread hangs up the socket of any call that outlives its deadline; psycopg then
raises OperationalError and SQLAlchemy drops the connection from the pool.

Deadlines: a pooled connection's ping gets the connect timeout (a healthy server answers in
milliseconds); statements, commits and rollbacks get the statement timeout plus a grace period,
so a live server cancels a slow statement itself first and the connection stays usable.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

GRACE = 5.0  # seconds past the server's statement timeout before we stop waiting for it
TICK = 0.25  # how often the watchdog looks; deadlines are this precise
# A connection idle for 10 s is probed every 5 s and dropped after 3 missed probes; data left
# unacknowledged for 15 s means the host or the network is gone (not just slow).
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,
}
# The database is down, frozen, too slow (a statement timeout: psycopg's QueryCanceled is an
# OperationalError, as is SQLite's "database is locked") or every pooled connection is busy.
UNREACHABLE = (
    sa.exc.OperationalError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,
    psycopg.OperationalError,
)
# Execution option set by callers that may run long on purpose (migrations).
NO_DEADLINE = "djaboo_no_deadline"


def describe(exc: BaseException) -> str:
    """One line for the log: the error's class and the first line of the driver's message."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def lift_statement_timeout(connection: sa.Connection) -> None:
    """No statement timeout and no watchdog for the rest of this connection's transaction
    (migrations: rewriting a big table may take minutes)."""
    connection.execution_options(**{NO_DEADLINE: True})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")


def engine_options(config: dict) -> dict:
    """SQLAlchemy engine options for the configured database, merged under any
    SQLALCHEMY_ENGINE_OPTIONS the operator set (theirs win)."""
    given = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args: dict = {}
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Our own ping (below) replaces pool_pre_ping: SQLAlchemy's has no deadline.
        options: dict = {"pool_pre_ping": False}
        statement_ms = int(config["DATABASE_STATEMENT_TIMEOUT"] * 1000)
        connect_args = {
            "connect_timeout": int(config["DATABASE_CONNECT_TIMEOUT"]),
            "options": f"-c statement_timeout={statement_ms}",
            **KEEPALIVES,
        }
    else:
        options = {"pool_pre_ping": True}
    connect_args.update(given.pop("connect_args", {}))
    return {**options, **given, "connect_args": connect_args}


def install_timeouts(engine: Engine, config: dict) -> None:
    """Put every PostgreSQL call of this engine under the watchdog."""
    if engine.dialect.name != "postgresql":
        return
    ping_seconds = float(config["DATABASE_CONNECT_TIMEOUT"])
    statement = float(config["DATABASE_STATEMENT_TIMEOUT"])
    statement_seconds = statement + GRACE if statement else None

    def watch_call(connection) -> None:
        lifted = connection.get_execution_options().get(NO_DEADLINE)
        if statement_seconds and not lifted and not connection.invalidated:
            watchdog.watch(connection.connection.dbapi_connection, statement_seconds)

    @sa.event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection, record):
        record.info["fresh"] = True  # it just answered: no ping needed on this checkout

    @sa.event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy):
        if record.info.pop("fresh", False):
            return
        started = time.monotonic()
        watchdog.watch(dbapi_connection, ping_seconds)
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if time.monotonic() - started >= ping_seconds:
                # No answer at all (frozen): a new connection would only wait as long again.
                # Raised as is, the pool drops this connection and the caller gets the error.
                raise
            # Closed under us (the server restarted): the pool opens another connection.
            raise sa.exc.DisconnectionError(describe(exc)) from exc
        finally:
            watchdog.done(dbapi_connection)

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _statement(connection, _cursor, _statement, _parameters, _context, _many):
        watch_call(connection)

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _statement_done(connection, cursor, _statement, _parameters, _context, _many):
        watchdog.done(cursor.connection)

    # Commits and rollbacks have no "after" event: the watchdog checks the call is still busy.
    sa.event.listen(engine, "commit", watch_call)
    sa.event.listen(engine, "rollback", watch_call)

    @sa.event.listens_for(engine, "reset")
    def _reset(dbapi_connection, _record, _state):
        if statement_seconds:  # the rollback when a connection goes back to the pool
            watchdog.watch(dbapi_connection, statement_seconds)


class _Watchdog:
    """One thread per process that hangs up connections whose call overran its deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[int, tuple[float, float, object]] = {}
        self._pid = 0

    def watch(self, dbapi_connection, seconds: float) -> None:
        with self._lock:
            self._calls[id(dbapi_connection)] = (
                time.monotonic() + seconds,
                seconds,
                dbapi_connection,
            )
            if self._pid != os.getpid():  # threads do not survive a fork (gunicorn --preload)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()

    def done(self, dbapi_connection) -> None:
        with self._lock:
            self._calls.pop(id(dbapi_connection), None)

    def _run(self) -> None:
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                for key, (deadline, seconds, connection) in list(self._calls.items()):
                    if deadline <= now:
                        del self._calls[key]
                        if _hang_up_if_busy(connection):
                            log.warning(
                                "the database did not answer within %gs; connection closed",
                                seconds,
                            )


def _hang_up_if_busy(connection) -> bool:
    """Shut the socket down if a call is still waiting on it; True when it was."""
    from psycopg.pq import TransactionStatus

    try:
        duplicate = socket.socket(fileno=os.dup(connection.fileno()))
    except Exception:
        return False  # closed meanwhile
    with duplicate:
        # Checked after dup(): if the connection is still open now, the duplicate is its socket
        # (a descriptor freed by a close and reused elsewhere is never shut down).
        if connection.closed or connection.info.transaction_status != TransactionStatus.ACTIVE:
            return False
        duplicate.shutdown(socket.SHUT_RDWR)
        return True


watchdog = _Watchdog()

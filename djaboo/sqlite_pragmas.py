"""SQLite settings that make the file database behave under several threads and processes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def install_sqlite_pragmas(engine: Engine, busy_timeout_seconds: float = 10) -> None:
    """Foreign keys on, WAL journal and a busy timeout, set on every new SQLite connection.

    The busy timeout is how long a statement waits for another writer's lock before failing
    with "database is locked"; 0 means wait as long as it takes."""
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(busy_timeout_seconds * 1000) if busy_timeout_seconds else 2**31 - 1

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

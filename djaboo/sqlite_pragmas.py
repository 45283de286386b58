"""SQLite settings that make the file database behave under several threads and processes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def install_sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys on, WAL journal and a busy timeout, set on every new SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

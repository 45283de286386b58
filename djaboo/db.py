"""Declarative base, constraint naming and the space-scoped lookups every view uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import DeclarativeBase

# Named constraints make Alembic migrations reviewable and portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Aware UTC now; stored as UTC in every engine."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that is always stored and returned as aware UTC, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use djaboo.db.utcnow()")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


M = TypeVar("M")


def space_select(model: type[M], space_id: int) -> sa.Select:
    """SELECT of one model limited to one space; the start of every business query."""
    return sa.select(model).where(model.space_id == space_id)


def get_in_space_or_404(session, model: type[M], object_id: int, space_id: int) -> M:
    """Load a row of the given space, or 404: another space's id looks like a missing one."""
    row = session.execute(
        space_select(model, space_id).where(model.id == object_id)
    ).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def insert_skipping_duplicates(session, table):
    """An INSERT (of one row or many) that skips rows whose unique key already exists (a
    concurrent writer got there first), on PostgreSQL and SQLite alike; add .returning() to
    learn which rows were inserted."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def insert_or_ignore(session, table: sa.Table, **values) -> None:
    """INSERT one row that quietly does nothing when its unique key already exists."""
    session.execute(insert_skipping_duplicates(session, table).values(**values))


def trigram_index(name: str, column: str) -> sa.Index:
    """A pg_trgm GIN index for ILIKE '%term%' searches, on PostgreSQL only (migration 0027);
    SQLite keeps its LIKE over the space's rows."""
    return sa.Index(
        name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
    ).ddl_if(dialect="postgresql")


def on_this_dialect(dialect_name: str):
    """For Alembic's include_object: leave out what this dialect never builds (a trigram
    index on SQLite), which its DDL condition (ddl_if) skips but autogenerate would not."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect_name)

    return include

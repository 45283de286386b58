"""Document numbers: a per-space sequence per kind with its prefix, e.g. INV-000042 or
CN-000001, never handed out twice.

The number is taken with one atomic UPDATE ... RETURNING, so two people creating documents at
the same moment (in any number of web processes, on PostgreSQL or SQLite) get different numbers.
"""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.db import insert_or_ignore
from djaboo.documents.models import DocumentSequence
from djaboo.extensions import db

DIGITS = 6


def next_number(space_id: int, kind) -> str:
    """The next number of this kind of document (a DocumentKind) in the space."""
    table = DocumentSequence.__table__
    taken = db.session.execute(
        sa.update(table)
        .where(table.c.space_id == space_id, table.c.doc_type == kind.name)
        .values(next_number=table.c.next_number + 1)
        .returning(table.c.prefix, table.c.next_number)
    ).first()
    if taken is None:
        _create_sequence(space_id, kind)
        return next_number(space_id, kind)
    prefix, after = taken
    return f"{prefix}{after - 1:0{DIGITS}d}"


def _create_sequence(space_id: int, kind) -> None:
    """First document of its kind in the space; a concurrent creator may win the insert."""
    insert_or_ignore(
        db.session,
        DocumentSequence.__table__,
        space_id=space_id,
        doc_type=kind.name,
        prefix=kind.number_prefix,
        next_number=1,
    )

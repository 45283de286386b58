"""Paginated, searchable, sortable lists: sort keys come from an allow-list, search terms are
bound parameters, page numbers are clamped. Anything else is simply ignored.

A list may hold a million rows (issue #16), so a view never counts them all: it counts up to
COUNT_CAP and says "1,000+" beyond. The first pages are reached by offset (?page=3); Next and
Previous carry the row they continue from (?after=<id> / ?before=<id>, with the page number
for the label), so a far page costs what the first one does (keyset pagination), and a row
added meanwhile is neither skipped nor shown twice. Every sort ends with the id (unique), so
the rows' order is total. A search over a joined table's column (the customer's name) reads
each condition apart, as far as the page needs, and merges them: a rare term through its
pg_trgm index (PostgreSQL, migration 0027), a common one along the list's order."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.request_guard import query_id

PER_PAGE = 25
COUNT_CAP = 1000  # rows counted at most; beyond, the list says "1,000+"
OFFSET_PAGES = COUNT_CAP // PER_PAGE  # ?page=N by offset up to here


@dataclass
class Page:
    items: list
    page: int
    pages: int  # known pages (all of them unless `more`)
    total: int  # rows counted, at most COUNT_CAP + 1
    sort: str
    query: str
    more: bool = False  # more than COUNT_CAP rows: the total is not known
    after: int | None = None  # the Next link's anchor (the last row's id), None: no next page
    before: int | None = None  # the Previous link's anchor on a keyset page

    @property
    def has_next(self) -> bool:
        return self.after is not None

    @property
    def total_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.more else f"{self.total:,}"


def _keys(order: tuple) -> list[tuple]:
    """(column, descending) of each ordering expression."""
    keys = []
    for expression in order:
        modifier = getattr(expression, "modifier", None)
        if modifier is sa.sql.operators.desc_op:
            keys.append((expression.element, True))
        elif modifier is sa.sql.operators.asc_op:
            keys.append((expression.element, False))
        else:
            keys.append((expression, False))
    return keys


def _search(select: sa.Select, id_column, query: str, search_columns):
    """(select, branches): one table's columns narrow the select itself (the planner picks its
    indexes); with a joined table's column, each branch is one condition, read on its own."""
    # A literal search: the user's % and _ are escaped, the term is a bound parameter.
    term = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{term}%"
    own = [c for c in search_columns if c.table is id_column.table]
    other = [c for c in search_columns if c.table is not id_column.table]
    matches_own = sa.or_(*(c.ilike(pattern, escape="\\") for c in own))
    if not other:
        return select.where(matches_own), None
    # One OR across two tables can use neither table's index: a rare name would be searched
    # row by row, and a common one through every match. Each condition is read apart, in the
    # list's order and only as far as the page needs (its index, or the list's order index
    # when matches are many), and the rows found merged.
    return select, [c.ilike(pattern, escape="\\") for c in other] + ([matches_own] if own else [])


def _rows(select, id_column, branches, extra, order, limit: int, offset: int = 0) -> sa.Select:
    """The page's statement: `select` narrowed by `extra`, in `order`, limit/offset."""
    if branches is None:
        return select.where(*extra).order_by(*order).limit(limit).offset(offset)
    keys = _keys(order)
    parts = []
    for condition in branches:
        branch = (
            select.with_only_columns(*(c for c, _ in keys))
            .order_by(None)
            .where(condition, *extra)
            .order_by(*order)
            .limit(limit + offset)
            .subquery()
        )
        parts.append(sa.select(*branch.c))
    merged = sa.union(*parts).subquery()
    columns = list(merged.c)
    ids = (
        sa.select(columns[-1])
        .order_by(*(c.desc() if d else c.asc() for c, (_, d) in zip(columns, keys, strict=True)))
        .limit(limit)
        .offset(offset)
    )
    return select.where(id_column.in_(ids)).order_by(*order).limit(limit)


def _counted(select, id_column, branches) -> sa.Select:
    """The rows, counted up to COUNT_CAP + 1 (each branch as far as that)."""
    ids = select.with_only_columns(id_column).order_by(None)
    if branches is None:
        listed = ids.limit(COUNT_CAP + 1).subquery()
    else:
        parts = [sa.select(*ids.where(c).limit(COUNT_CAP + 1).subquery().c) for c in branches]
        listed = sa.union(*parts).subquery()
    return sa.select(sa.func.count()).select_from(listed)


def _anchor_values(select: sa.Select, keys, id_column, anchor: int) -> tuple | None:
    """The sort values of the row a keyset page continues from (in this list, else None)."""
    row = db.session.execute(
        select.with_only_columns(*(column for column, _ in keys))
        .order_by(None)
        .where(id_column == anchor)
    ).first()
    return tuple(row) if row is not None else None


def _past(keys, values: tuple, forward: bool):
    """Rows after the anchor in the list's order (forward) or before it. Every sort runs in
    one direction (all ascending or all descending), so one row comparison does it."""
    columns = sa.tuple_(*(column for column, _ in keys))
    descending = keys[0][1]
    later = descending != forward  # ascending forward: greater; descending forward: smaller
    return columns > sa.tuple_(*values) if later else columns < sa.tuple_(*values)


def _id_arg(args, name: str) -> int | None:
    try:
        return query_id(args.get(name, ""))
    except ValueError:
        return None


def paginate(
    select: sa.Select, *, args, sorts: dict, default_sort: str, search_columns=(), id_column=None
) -> Page:
    """One page of `select` (scoped by the caller). id_column: the listed rows' id, the last
    key of every sort (default: the primary key of the select's first entity)."""
    if id_column is None:
        id_column = select.column_descriptions[0]["entity"].id
    query = (args.get("q") or "").strip()[:100]
    branches = None
    if query and search_columns:
        select, branches = _search(select, id_column, query, search_columns)
    sort = args.get("sort", default_sort)
    if sort not in sorts:
        sort = default_sort
    order = sorts[sort]
    # Counted (up to the cap) in the statement that reads the page: one round trip.
    counted = _counted(select, id_column, branches)

    def read(rows: sa.Select) -> tuple[list, int | None]:
        found = db.session.execute(rows.add_columns(counted.scalar_subquery())).all()
        return [row[0] for row in found], (found[0][1] if found else None)

    try:
        page = max(int(args.get("page", 1)), 1)
    except (TypeError, ValueError):
        page = 1
    keys = _keys(order)
    after, before = _id_arg(args, "after"), _id_arg(args, "before")
    anchor_id = after or before
    values = _anchor_values(select, keys, id_column, anchor_id) if anchor_id else None
    if values is not None:
        page = max(page, 2)
        direction = order if after else [c.asc() if d else c.desc() for c, d in keys]
        past = [_past(keys, values, bool(after))]
        items, total = read(_rows(select, id_column, branches, past, direction, PER_PAGE + 1))
        extra = len(items) > PER_PAGE
        items = items[:PER_PAGE]
        if before:
            items.reverse()
            has_next, has_previous = True, extra
            if not extra:
                page = 1  # back at the start
        else:
            has_next, has_previous = extra, True
    else:
        page = min(page, OFFSET_PAGES)

        def at(page: int) -> sa.Select:
            offset = (page - 1) * PER_PAGE
            return _rows(select, id_column, branches, [], order, PER_PAGE + 1, offset)

        items, total = read(at(page))
        if not items and page > 1:  # past the end: the last page
            total = db.session.execute(counted).scalar_one()
            page = max(1, -(-min(total, COUNT_CAP) // PER_PAGE))
            items, total = read(at(page))
        has_next = len(items) > PER_PAGE
        items = items[:PER_PAGE]
        has_previous = page > 1
    if total is None:
        total = db.session.execute(counted).scalar_one()
    more = total > COUNT_CAP
    pages = max(1, -(-min(total, COUNT_CAP) // PER_PAGE))
    if not items:
        has_next = has_previous = False
    result = Page(items, page, max(pages, page), total, sort, query, more)
    if has_next:
        result.after = items[-1].id
    if has_previous and page - 1 > OFFSET_PAGES:
        result.before = items[0].id
    return result

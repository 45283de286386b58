"""Paginated, searchable, sortable lists: sort keys come from an allow-list, search terms are
bound parameters, page numbers are clamped. Anything else is simply ignored."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from djaboo.extensions import db

PER_PAGE = 25


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int
    sort: str
    query: str


def paginate(select: sa.Select, *, args, sorts: dict, default_sort: str, search_columns=()) -> Page:
    query = (args.get("q") or "").strip()[:100]
    if query and search_columns:
        # A literal search: the user's % and _ are escaped, the term is a bound parameter.
        term = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        select = select.where(
            sa.or_(*(column.ilike(f"%{term}%", escape="\\") for column in search_columns))
        )
    sort = args.get("sort", default_sort)
    if sort not in sorts:
        sort = default_sort
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(select.order_by(None).subquery())
    ).scalar_one()
    pages = max(1, -(-total // PER_PAGE))
    try:
        page = min(max(int(args.get("page", 1)), 1), pages)
    except (TypeError, ValueError):
        page = 1
    items = (
        db.session.execute(
            select.order_by(*sorts[sort]).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
        )
        .scalars()
        .all()
    )
    return Page(items, page, pages, total, sort, query)

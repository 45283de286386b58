"""Lists page by keyset (djaboo/documents/listing.py): Next and Previous reach every row once, in
order, even when rows arrive between two pages; the count stops at its cap ("1,000+")."""

import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from djaboo.documents import listing
from djaboo.documents.models import Invoice
from djaboo.extensions import db

NUMBER = re.compile(r">(PG-\d{5})</a>")


def add_invoices(admin, customer, numbers):
    db.session.execute(
        sa.insert(Invoice),
        [
            {
                "space_id": admin.space_id,
                "number": f"PG-{n:05d}",
                "customer_id": customer.id,
                "owner_id": admin.id,
                "issue_date": date(2026, 1, 1),
                "due_date": date(2026, 2, 1),
                "currency": "EUR",
                "status": "unpaid",
                "notes": "",
                "subtotal": Decimal(n),
                "tax_total": 0,
                "total": Decimal(n),
                "amount_paid": 0,
                "reminders_enabled": True,
                "version": 1,
            }
            for n in numbers
        ],
    )
    db.session.commit()


def link(html, label):
    found = re.search(rf'<a href="(\?[^"]*)">[^<]*{label}', html)
    return found and found.group(1).replace("&amp;", "&")


def walk(client, start, label):
    """The numbers of every page reached by following `label` links from `start`."""
    pages, url = [], start
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(NUMBER.findall(html))
        url = link(html, label) and "/invoices" + link(html, label)
    return pages, html


def test_next_and_previous_reach_every_row_once(
    client, create_space, create_customer, login, monkeypatch
):
    admin = create_space()
    customer = create_customer(admin.space, company="Paging GmbH")
    add_invoices(admin, customer, range(1, 63))
    login(client, admin)
    first = client.get("/invoices").get_data(as_text=True)
    assert "Page 1 of 3 (62)" in first and "after=" in link(first, "Next")
    # Rows arriving while someone pages on: Next continues after the last row shown.
    second_url = "/invoices" + link(first, "Next")
    add_invoices(admin, customer, range(100, 103))
    pages, last = walk(client, second_url, "Next")
    seen = NUMBER.findall(first) + [n for page in pages for n in page]
    assert seen == [f"PG-{n:05d}" for n in range(62, 0, -1)]  # newest first, none twice
    assert [len(p) for p in pages] == [25, 12] and link(last, "Next") is None
    # Sorted by total, past the offset pages: Previous goes back by keyset too.
    monkeypatch.setattr(listing, "OFFSET_PAGES", 1)
    forward, end = walk(client, "/invoices?sort=total", "Next")
    assert [n for page in forward for n in page] == [
        f"PG-{n:05d}" for n in [*range(1, 63), 100, 101, 102]
    ]
    assert "before=" in link(end, "Previous")
    backward, _ = walk(client, "/invoices" + link(end, "Previous"), "Previous")
    assert backward == forward[-2::-1]


def test_a_search_pages_through_its_matches_only(client, create_space, create_customer, login):
    admin = create_space()
    wanted = create_customer(admin.space, company="Wanted Ltd")
    other = create_customer(admin.space, company="Other Ltd")
    add_invoices(admin, wanted, range(1, 31))
    add_invoices(admin, other, range(200, 240))
    login(client, admin)
    pages, _ = walk(client, "/invoices?q=anted", "Next")
    assert [n for page in pages for n in page] == [f"PG-{n:05d}" for n in range(30, 0, -1)]
    by_number, _ = walk(client, "/invoices?q=PG-0021", "Next")  # 00210..00219 of Other
    assert sorted(n for page in by_number for n in page) == [f"PG-{n:05d}" for n in range(210, 220)]


def test_the_count_stops_at_its_cap(client, create_space, create_customer, login, monkeypatch):
    admin = create_space()
    customer = create_customer(admin.space, company="Many AG")
    add_invoices(admin, customer, range(1, 31))
    monkeypatch.setattr(listing, "COUNT_CAP", 20)
    login(client, admin)
    html = client.get("/invoices").get_data(as_text=True)
    assert "Page 1 (20+)" in html and "of 2" not in html
    assert client.get("/invoices?after=999999999&page=7").status_code == 200  # unknown: page 1
    assert client.get("/invoices?before=abc").status_code == 200

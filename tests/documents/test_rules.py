"""Numbering, totals and statuses."""

import threading
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace as Line

import pytest

from djaboo.documents.kinds import ESTIMATE, INVOICE
from djaboo.documents.numbering import next_number
from djaboo.documents.totals import document_totals
from djaboo.extensions import db


def test_numbers_follow_each_other_per_space(create_space):
    a, b = create_space(), create_space()
    assert [next_number(a.space_id, INVOICE) for _ in range(3)] == [
        "INV-000001",
        "INV-000002",
        "INV-000003",
    ]
    assert next_number(b.space_id, INVOICE) == "INV-000001"
    assert next_number(a.space_id, ESTIMATE) == "EST-000001"
    db.session.commit()


def test_concurrent_creation_never_shares_a_number(app, create_space):
    space_id = create_space().space_id
    next_number(space_id, INVOICE)  # the sequence row exists, as after the first invoice
    db.session.commit()
    numbers, errors = [], []

    def take():
        with app.app_context():
            try:
                for _ in range(10):
                    numbers.append(next_number(space_id, INVOICE))
                    db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(numbers) == 40 and len(set(numbers)) == 40


def test_totals_round_each_line_half_up_in_the_currency():
    lines = [
        Line(quantity=Decimal("3"), unit_price=Decimal("0.335"), tax_rate=Decimal("20")),
        Line(quantity=Decimal("1.5"), unit_price=Decimal("19.99"), tax_rate=Decimal("5.5")),
    ]
    totals = document_totals(lines, "EUR")
    assert totals.subtotal == Decimal("31.00")  # 1.01 + 29.99 (29.985 rounds up)
    assert totals.tax == Decimal("1.85")  # 0.20 + 1.65
    assert totals.total == Decimal("32.85")
    yen = document_totals(
        [Line(quantity=Decimal("3"), unit_price=Decimal("333.5"), tax_rate=Decimal("10"))], "JPY"
    )
    assert (yen.subtotal, yen.tax, yen.total) == (Decimal("1001"), Decimal("100"), Decimal("1101"))


@pytest.mark.parametrize(
    ("stored", "due_offset", "expected"),
    [
        ("unpaid", -1, "overdue"),
        ("partially_paid", -5, "overdue"),
        ("unpaid", 0, "unpaid"),
        ("paid", -10, "paid"),
        ("draft", -10, "draft"),
        ("cancelled", -10, "cancelled"),
    ],
)
def test_overdue_follows_from_the_due_date(stored, due_offset, expected):
    today = date(2026, 3, 5)
    invoice = Line(status=stored, due_date=today + timedelta(days=due_offset))
    assert INVOICE.life.status_on(invoice, today) == expected

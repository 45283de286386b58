"""Money arithmetic with Decimal: each line's amount rounded in the currency's precision, half
up; the tax rounded once per rate, on the total of the lines at that rate (as a Japanese
qualified invoice requires, and as European VAT allows), never line by line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision


@dataclass(frozen=True)
class RateTotal:
    """The lines at one tax rate: their amount before tax, and the tax on it."""

    rate: Decimal  # percent
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal


# The largest amount the MONEY columns hold (NUMERIC(14, 2)); forms refuse anything that would
# pass it, so the database never has to.
MAX_AMOUNT = Decimal("999999999999.99")
# Lines on one document: enough for detailed billing, few enough that its PDF stays quick.
MAX_LINES = 200


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-get_currency_precision(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    return round_money(Decimal(quantity) * Decimal(unit_price), currency)


def totals_by_rate(lines, currency: str) -> list[RateTotal]:
    """Each tax rate of the lines, highest first, with its base and its tax (rounded once)."""
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        rate = Decimal(line.tax_rate or 0).normalize() + 0  # 20.00 and 20 are one rate
        amount = line_amount(line.quantity, line.unit_price, currency)
        bases[rate] = bases.get(rate, Decimal(0)) + amount
    return [
        RateTotal(rate, base, round_money(base * rate / 100, currency))
        for rate, base in sorted(bases.items(), reverse=True)
    ]


def document_totals(lines, currency: str) -> Totals:
    """lines: objects with quantity, unit_price and tax_rate (percent)."""
    by_rate = totals_by_rate(lines, currency)
    subtotal = sum((r.base for r in by_rate), Decimal(0))
    tax = sum((r.tax for r in by_rate), Decimal(0))
    return Totals(subtotal, tax, subtotal + tax)


def refresh_totals(document) -> None:
    """Store the document's cached totals from its lines."""
    totals = document_totals(document.lines, document.currency)
    document.subtotal, document.tax_total, document.total = (
        totals.subtotal,
        totals.tax,
        totals.total,
    )

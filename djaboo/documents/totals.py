"""Money arithmetic with Decimal: each line rounded in the currency's precision, half up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision


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


def document_totals(lines, currency: str) -> Totals:
    """lines: objects with quantity, unit_price and tax_rate (percent)."""
    subtotal = tax = Decimal(0)
    for line in lines:
        amount = line_amount(line.quantity, line.unit_price, currency)
        subtotal += amount
        tax += round_money(amount * Decimal(line.tax_rate) / 100, currency)
    return Totals(subtotal, tax, subtotal + tax)


def refresh_totals(document) -> None:
    """Store the document's cached totals from its lines."""
    totals = document_totals(document.lines, document.currency)
    document.subtotal, document.tax_total, document.total = (
        totals.subtotal,
        totals.tax,
        totals.total,
    )

"""Jinja filters of our own pages (never applied to admin-edited email text).

Amounts, numbers and dates are written for the language being rendered (djaboo/i18n.py): the
customer's on a document, the reader's on a staff page."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Decimal
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
)
from flask import Flask

from djaboo.i18n import current_language, current_locale
from djaboo.mail.fields import day as day_in
from djaboo.spaces.clock import space_time


def money(amount, currency: str) -> str:
    value = Decimal(amount or 0)
    locale = current_locale()
    fast = _money_shape(str(locale), currency)
    if fast is None or value < 0 or not value.is_finite():
        return format_currency(value, currency, locale=locale)
    return fast(value)


@functools.lru_cache(maxsize=64)
def _money_shape(language: str, currency: str):
    """A list page writes dozens of amounts: Babel's format_currency was 18 % of it (issue
    #16). For a locale whose amounts are a fixed prefix and suffix around a number grouped by
    threes, the shape is learnt once from Babel and checked against it on samples; any other
    (Indian grouping, other digits, a mismatch) keeps Babel for every amount."""
    locale = Locale.parse(language)
    digits = get_currency_precision(currency)
    probe = format_currency(Decimal("1234567.89"), currency, locale=locale)
    group, decimal = (
        locale.number_symbols["latn"]["group"],
        locale.number_symbols["latn"]["decimal"],
    )
    number = f"1{group}234{group}567" + (f"{decimal}89" if digits == 2 else "")
    if digits not in (0, 2) or probe.count(number) != 1:
        return None
    prefix, suffix = probe.split(number)
    step = Decimal(1).scaleb(-digits)

    def fast(value: Decimal) -> str:
        value = value.quantize(step, rounding=ROUND_HALF_EVEN)
        whole, _, fraction = f"{value:,f}".partition(".")
        text = whole.replace(",", group) + (decimal + fraction if digits else "")
        return prefix + text + suffix

    samples = ("0", "0.125", "0.135", "5", "999.995", "1000", "20000.5", "1234567.891", "10000000")
    if any(
        fast(Decimal(x)) != format_currency(Decimal(x), currency, locale=locale) for x in samples
    ):
        return None
    return fast


def number(value) -> str:
    return format_decimal(Decimal(value or 0), locale=current_locale())


def percent(rate) -> str:
    """A tax rate given in percent: "20%", "5,5 %", "8%"."""
    locale = current_locale()
    pattern = locale.percent_formats[None].pattern.replace("#,##0", "#,##0.##", 1)
    return format_percent(Decimal(rate or 0) / 100, format=pattern, locale=locale)


def day(value) -> str:
    """A date as the emails write it: "Mar 29, 2026", "29 mars 2026", "2026年3月29日"."""
    return day_in(value, current_language()) if value else ""


def local_time(moment, space) -> str:
    """A stored moment as the space's people read it: 2026-03-29 14:05 CEST."""
    return space_time(space, moment).strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def combine_query(args: dict, **changes) -> str:
    """The query string with `changes` applied; a change to None removes that key."""
    merged = {**args, **changes}
    return urlencode({k: v for k, v in merged.items() if v is not None})


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(number)
    app.add_template_filter(day)
    app.add_template_filter(percent)
    app.add_template_filter(combine_query)
    app.add_template_filter(local_time)

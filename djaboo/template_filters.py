"""Jinja filters of our own pages (never applied to admin-edited email text).

Amounts, numbers and dates are written for the language being rendered (djaboo/i18n.py): the
customer's on a document, the reader's on a staff page. Never hand-format them in a template
(no strftime, no "UTC" written after a time); use these:

    {{ amount|money(currency) }}   €1,234.50 · 1 234,50 € · €1,234.50 (ja)   Babel, per locale
    {{ value|number }}             1,234.5 · 1 234,5 · 1,234.5
    {{ rate|percent }}             20% · 5,5 % · 8%
    {{ a_date|day }}               Mar 29, 2026 · 29 mars 2026 · 2026年3月29日 (as the emails)
    {{ moment|moment }}            a stored UTC moment on the space's clock, per locale, with
                                   its zone: Mar 29, 2026, 2:05 PM CEST · 29 mars 2026, 14:05
                                   CEST · 2026/03/29 21:05 JST. The space is the signed-in
                                   user's; pass one where another applies: moment(space).
    {{ moment|moment_date }}       the day of that moment on the space's clock: Mar 29, 2026 ·
                                   29 mars 2026 · 2026/03/29
    {{ moment|local_time(space) }} 2026-03-29 14:05 CEST (the same in every language: logs)
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Decimal
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
)
from flask import Flask, has_request_context

from djaboo.i18n import current_language, current_locale
from djaboo.mail.fields import day as day_in
from djaboo.spaces.clock import space_time, space_zone


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


def _space_clock(moment, space):
    """moment on the clock of `space`, else of the signed-in user's space, else UTC."""
    if space is None and has_request_context():
        from flask_login import current_user

        if getattr(current_user, "is_authenticated", False):
            space = current_user.space
    return space_time(space, moment) if space is not None else moment.astimezone(space_zone(None))


def moment(value, space=None) -> str:
    """A stored moment (aware, UTC) as the reader writes a date and time, on the space's clock,
    followed by the zone's abbreviation."""
    if not value:
        return ""
    local = _space_clock(value, space)
    locale = current_locale()
    pattern = locale.datetime_formats["medium"].format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )
    return f"{format_datetime(local, pattern, tzinfo=local.tzinfo, locale=locale)} {local:%Z}"


def moment_date(value, space=None) -> str:
    """The day a stored moment falls on, on the space's clock, as the reader writes a date."""
    if not value:
        return ""
    return format_date(_space_clock(value, space).date(), "medium", locale=current_locale())


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
    app.add_template_filter(moment)
    app.add_template_filter(moment_date)

"""Jinja filters of our own pages (never applied to admin-edited email text).

Amounts, numbers and dates are written for the language being rendered (djaboo/i18n.py): the
customer's on a document, the reader's on a staff page."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import format_currency, format_decimal, format_percent
from flask import Flask

from djaboo.i18n import current_language, current_locale
from djaboo.mail.fields import day as day_in
from djaboo.spaces.clock import space_time


def money(amount, currency: str) -> str:
    return format_currency(Decimal(amount or 0), currency, locale=current_locale())


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
    return urlencode({**args, **{k: v for k, v in changes.items()}})


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(number)
    app.add_template_filter(day)
    app.add_template_filter(percent)
    app.add_template_filter(combine_query)
    app.add_template_filter(local_time)

"""Jinja filters of our own pages (never applied to admin-edited email text)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import format_currency, format_decimal
from flask import Flask

from djaboo.spaces.clock import space_time


def money(amount, currency: str) -> str:
    return format_currency(Decimal(amount or 0), currency, locale="en")


def number(value) -> str:
    return format_decimal(Decimal(value or 0), locale="en")


def local_time(moment, space) -> str:
    """A stored moment as the space's people read it: 2026-03-29 14:05 CEST."""
    return space_time(space, moment).strftime("%Y-%m-%d %H:%M %Z") if moment else ""


def combine_query(args: dict, **changes) -> str:
    return urlencode({**args, **{k: v for k, v in changes.items()}})


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(number)
    app.add_template_filter(combine_query)
    app.add_template_filter(local_time)

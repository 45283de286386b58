"""Jinja filters of our own pages (never applied to admin-edited email text)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from babel.numbers import format_currency, format_decimal
from flask import Flask


def money(amount, currency: str) -> str:
    return format_currency(Decimal(amount or 0), currency, locale="en")


def number(value) -> str:
    return format_decimal(Decimal(value or 0), locale="en")


def combine_query(args: dict, **changes) -> str:
    return urlencode({**args, **{k: v for k, v in changes.items()}})


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(number)
    app.add_template_filter(combine_query)

"""The one "today": the date on the space's own clock.

An invoice issued at 08:00 in Tokyo is issued on that day, whatever the server's zone; due
dates, overdue, expiry and reminders all follow the same date, so they never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from djaboo.db import utcnow


def space_zone(timezone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):  # an unknown or malformed name: UTC
        return ZoneInfo("UTC")


def space_today(space, now_utc: datetime | None = None) -> date:
    """Today's date in the space's time zone (at now_utc, default now)."""
    return (now_utc or utcnow()).astimezone(space_zone(space.timezone)).date()


def space_time(space, moment: datetime) -> datetime:
    """An aware moment (stored in UTC) on the space's clock."""
    return moment.astimezone(space_zone(space.timezone))

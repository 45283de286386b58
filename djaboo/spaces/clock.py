"""The one "today": the date on the space's own clock.

An invoice issued at 08:00 in Tokyo is issued on that day, whatever the server's zone; due
dates, overdue, expiry and reminders all follow the same date, so they never disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from djaboo.db import utcnow
from djaboo.i18n import _


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


class NoSuchLocalTime(ValueError):
    """A wall-clock time the space's clocks skip (the hour lost when summer time begins)."""


def from_space_clock(space, local: datetime) -> datetime:
    """A naive wall-clock time read on the space's clock, as an aware UTC moment.

    A time the clocks skip raises NoSuchLocalTime; one they pass twice (the hour repeated when
    summer time ends) is its first occurrence, the earlier moment."""
    zone = space_zone(space.timezone)
    moment = local.replace(tzinfo=zone, fold=0)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NoSuchLocalTime(
            _(
                "%(time)s does not exist in %(zone)s: the clocks skip that hour "
                "(summer time begins). Choose another time.",
                time=f"{local:%Y-%m-%d %H:%M}",
                zone=zone.key,
            )
        )
    return moment.astimezone(UTC)

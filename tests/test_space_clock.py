"""space_today(space) is the only "today": dates follow the space's clock, not the server's."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from djaboo.spaces.clock import NoSuchLocalTime, from_space_clock, space_today
from djaboo.spaces.models import Space

LATE_EVENING_UTC = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)


def test_today_is_the_date_on_the_spaces_clock():
    assert space_today(Space(timezone="UTC"), LATE_EVENING_UTC) == date(2026, 3, 5)
    assert space_today(Space(timezone="Asia/Tokyo"), LATE_EVENING_UTC) == date(2026, 3, 6)
    assert space_today(Space(timezone="America/Los_Angeles"), LATE_EVENING_UTC) == date(2026, 3, 5)


def test_an_unknown_zone_falls_back_to_utc():
    for zone in ("Mars/Olympus", "../../etc/passwd", "", None):
        assert space_today(Space(timezone=zone), LATE_EVENING_UTC) == date(2026, 3, 5)


def test_a_wall_clock_time_on_the_spaces_clock_becomes_one_moment():
    paris, utc = Space(timezone="Europe/Paris"), Space(timezone="UTC")
    assert from_space_clock(paris, datetime(2026, 7, 1, 9, 0)) == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )
    assert from_space_clock(utc, datetime(2026, 7, 1, 9, 0)) == datetime(
        2026, 7, 1, 9, 0, tzinfo=UTC
    )
    # 2026-10-25 02:30 happens twice in Paris: the first time, still on summer time.
    assert from_space_clock(paris, datetime(2026, 10, 25, 2, 30)) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    # 2027-03-28 02:30 never happens in Paris: the clocks go from 02:00 to 03:00.
    with pytest.raises(NoSuchLocalTime, match="does not exist in Europe/Paris"):
        from_space_clock(paris, datetime(2027, 3, 28, 2, 30))
    assert from_space_clock(paris, datetime(2027, 3, 28, 3, 0)) == datetime(
        2027, 3, 28, 1, 0, tzinfo=UTC
    )


def test_no_code_asks_the_server_for_today():
    """The server's date is not the space's: every date goes through space_today()."""
    root = Path(__file__).resolve().parent.parent / "djaboo"
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bdate\.today\b|datetime\.now\(\s*\)|datetime\.today\b", line)
    ]
    assert not offenders, offenders

"""space_today(space) is the only "today": dates follow the space's clock, not the server's."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space

LATE_EVENING_UTC = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)


def test_today_is_the_date_on_the_spaces_clock():
    assert space_today(Space(timezone="UTC"), LATE_EVENING_UTC) == date(2026, 3, 5)
    assert space_today(Space(timezone="Asia/Tokyo"), LATE_EVENING_UTC) == date(2026, 3, 6)
    assert space_today(Space(timezone="America/Los_Angeles"), LATE_EVENING_UTC) == date(2026, 3, 5)


def test_an_unknown_zone_falls_back_to_utc():
    for zone in ("Mars/Olympus", "../../etc/passwd", "", None):
        assert space_today(Space(timezone=zone), LATE_EVENING_UTC) == date(2026, 3, 5)


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

"""The email settings send: the test email, and register(), which adds it to the mail core."""

from __future__ import annotations

from djaboo.mail.events import Event, register_event

TEST_EMAIL = Event(
    "test_email",
    "Test email",
    "Sent by Settings → Email → Send Test Email.",
    ("company", "staff"),
)


def register() -> None:
    """Called once per app by create_app; again is harmless (one of each is kept)."""
    register_event(TEST_EMAIL)

"""The email settings send: the test email, and register(), which adds it to the mail core."""

from __future__ import annotations

from djaboo.mail.events import Event, register_event
from djaboo.mail.recording import register_signer_lookup
from djaboo.mail.texts import N_
from djaboo.settings.dkim_key import dkim_signer_for

TEST_EMAIL = Event(
    "test_email",
    N_("Test email"),
    N_("Sent by Settings → Email → Send Test Email."),
    ("company", "staff"),
)


def register() -> None:
    """Called once per app by create_app; again is harmless (one of each is kept)."""
    register_event(TEST_EMAIL)
    register_signer_lookup(dkim_signer_for)  # every recorded email of a signing space

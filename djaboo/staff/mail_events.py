"""The email staff sign-in sends: "Password reset (to staff)", its {password_reset_link} field,
and register(), which adds them to the mail core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from djaboo.mail.events import Event, register_event
from djaboo.mail.fields import FieldGroup, register_fields
from djaboo.mail.texts import N_


@dataclass(frozen=True)
class ResetFacts:
    link: str


def reset_values(facts: ResetFacts, language: str, charset: str) -> dict[str, str]:
    return {"password_reset_link": facts.link}


def sample_reset(language: str, today: date, base_url: str) -> ResetFacts:
    # Opens the page that says the link cannot be used: a preview's link must never work.
    return ResetFacts(f"{base_url.rstrip('/')}/reset-password/sample-link")


RESET_FIELDS = FieldGroup(
    "password_reset",
    {"password_reset_link": N_("The link to choose a new password (works once, for an hour)")},
    values=reset_values,
    sample=sample_reset,
)
PASSWORD_RESET = Event(
    "password_reset",
    N_("Password reset (to staff)"),
    N_(
        "Sent when a staff member asks for a new password on the sign-in page (Forgot your "
        "password?); {staff_firstname} is that staff member. In the space's default language."
    ),
    ("password_reset", "company", "staff"),
    required=("password_reset_link",),
)


def register() -> None:
    """Called once per app by create_app; again is harmless (one of each is kept)."""
    register_fields(RESET_FIELDS)
    register_event(PASSWORD_RESET)

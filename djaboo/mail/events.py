"""The event registry: what sends email, each with the merge-field groups its template may use.

Features register their events (register_event) once the groups they name are registered;
EVENTS keeps the order of registration, which is the order pages list them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from djaboo.mail.fields import FIELD_GROUPS, FIELDS, fields_of

LANGUAGES = {"en": "English", "fr": "Français", "ja": "日本語"}


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    description: str
    groups: tuple[str, ...]
    # Fields its body must keep: without them the email is useless (a reset link).
    required: tuple[str, ...] = ()

    @property
    def fields(self) -> list[str]:
        return fields_of(self.groups)

    def field_catalogue(self) -> list[tuple[str, str]]:
        return [(name, FIELDS[name][1]) for name in self.fields]


EVENTS: dict[str, Event] = {}


def register_event(event: Event) -> None:
    """Add an event, or replace the one of that key where it stands: registering twice keeps
    one of each, in the first order."""
    if unknown := [g for g in event.groups if g not in FIELD_GROUPS]:
        raise LookupError(f"event {event.key!r} names unregistered field groups {unknown}")
    if stray := [f for f in event.required if f not in event.fields]:
        raise LookupError(f"event {event.key!r} requires fields it does not have: {stray}")
    EVENTS[event.key] = event

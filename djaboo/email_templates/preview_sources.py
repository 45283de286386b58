"""Previewing a template with one of the space's real documents instead of the sample.

This package knows no feature that has documents: a feature registers a preview source for
the merge-field group its documents fill (documents registers one for "invoice"), and every
event whose fields include that group can be previewed with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from djaboo.mail.events import EVENTS
from djaboo.mail.fields import MergeFacts
from djaboo.settings.models import EmailSettings
from djaboo.staff.models import User

CHOICES = 20


@dataclass(frozen=True)
class PreviewChoice:
    id: int
    label: str  # "INV-000042 · Northwind Traders"


@dataclass(frozen=True)
class PreviewSource:
    """choices(space_id, limit): the space's latest documents, newest first;
    facts(document_id, language, user, settings): the facts of an email about that document
    as `user` would send it, or None when the id is not one of the user's space."""

    group: str
    choices: Callable[[int, int], list[PreviewChoice]]
    facts: Callable[[int, str, User, EmailSettings], MergeFacts | None]


SOURCES: dict[str, PreviewSource] = {}


def register_preview_source(source: PreviewSource) -> None:
    """Add a source, or replace the one of its group: registering twice keeps one."""
    SOURCES[source.group] = source


def _source_for(event: str) -> PreviewSource | None:
    groups = EVENTS[event].groups
    return next((s for s in SOURCES.values() if s.group in groups), None)


def preview_choices(event: str, space_id: int) -> list[PreviewChoice]:
    """The latest documents this event can be about, to choose from."""
    source = _source_for(event)
    return source.choices(space_id, CHOICES)[:CHOICES] if source else []


def chosen_facts(
    template, document_id: int | None, user: User, settings: EmailSettings
) -> MergeFacts | None:
    """The facts of the chosen document; None (the sample) when there is none to use."""
    source = _source_for(template.event) if document_id else None
    if source is None:
        return None
    return source.facts(document_id, template.language, user, settings)

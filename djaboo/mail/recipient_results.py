"""What each recipient of an email got from the server, across all its attempts.

outbox.recipient_results maps each address the server answered for to "accepted" or to the
server's words ("550 5.1.1 No such user"). The worker merges it attempt after attempt
(djaboo/mail/delivery.py): a recipient refused for good is never tried again and keeps its
refusal after a retry succeeds for the others; a deferred one (4xx) is overwritten by what the
next attempt gets. Read here for the email's page, the document's history and notices to staff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

ACCEPTED = "accepted"
OUTCOME_LABELS = {
    "accepted": "Accepted by the server",
    "refused": "Refused",
    "deferred": "Deferred",
}
SUMMARY_WORDS = 120  # characters of a server's words in a one-line summary
SUMMARY_LISTED = 3  # refused (or deferred) recipients named in a one-line summary
_CODE = re.compile(r"([1-5][0-9][0-9])\b")


@dataclass(frozen=True)
class RecipientResult:
    address: str
    outcome: str  # accepted | refused (5xx) | deferred (4xx)
    words: str  # the server's words; "" when accepted

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


def _outcome(stored: str) -> str:
    if stored == ACCEPTED:
        return "accepted"
    code = _CODE.match(stored or "")
    return "deferred" if code and code.group(1).startswith("4") else "refused"


def recipient_outcomes(results: Mapping[str, str] | None) -> list[RecipientResult]:
    """One line per recipient the server answered for, in the order they were tried."""
    if not isinstance(results, Mapping):
        return []
    return [
        RecipientResult(
            str(address),
            _outcome(str(stored)),
            "" if stored == ACCEPTED else " ".join(str(stored).split()),
        )
        for address, stored in results.items()
    ]


def _clip(words: str) -> str:
    return words if len(words) <= SUMMARY_WORDS else words[: SUMMARY_WORDS - 1] + "…"


def _named(outcomes: list[RecipientResult]) -> str:
    shown = ", ".join(f"{r.address}: {_clip(r.words)}" for r in outcomes[:SUMMARY_LISTED])
    more = len(outcomes) - SUMMARY_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def recipient_summary(results: Mapping[str, str] | None) -> str:
    """One line, e.g. "Delivered to 2; refused for x@y.example: 550 5.1.1 No such user";
    "" when the server answered for nobody yet."""
    outcomes = recipient_outcomes(results)
    if not outcomes:
        return ""
    accepted = [r for r in outcomes if r.outcome == "accepted"]
    refused = [r for r in outcomes if r.outcome == "refused"]
    deferred = [r for r in outcomes if r.outcome == "deferred"]
    parts = [f"Delivered to {len(accepted)}"]
    if refused:
        parts.append(f"refused for {_named(refused)}")
    if deferred:
        parts.append(f"deferred for {_named(deferred)}")
    return "; ".join(parts)


def all_accepted(results: Mapping[str, str] | None) -> bool:
    """True unless some recipient was refused or deferred."""
    return all(r.outcome == "accepted" for r in recipient_outcomes(results))

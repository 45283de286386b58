"""What a document's status means today, per kind. "Overdue" and "expired" are not stored:
they follow from a date, so they are never stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from djaboo.i18n import _l, _lp

# What each status is called where people read it (a staff page, the sheet), in the language
# being rendered; the English is `Lifecycle.labels`, which rules and logs keep using.
STATUS_WORDS = {
    "draft": _l("Draft"),
    "unpaid": _l("Unpaid"),
    "partially_paid": _l("Partially paid"),
    "paid": _l("Paid"),
    "overdue": _l("Overdue"),
    "cancelled": _l("Cancelled"),
    "sent": _l("Sent"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "expired": _l("Expired"),
    "issued": _l("Issued"),
}
# Words whose translation depends on the kind (French agrees them with the document's gender).
KIND_STATUS_WORDS = {("credit_note", "cancelled"): _lp("credit note", "Cancelled")}


def status_word(kind_name: str, status: str):
    """A status as the reader's language says it for this kind of document."""
    return KIND_STATUS_WORDS.get((kind_name, status)) or STATUS_WORDS[status]


@dataclass(frozen=True)
class Lifecycle:
    """The statuses of one kind of document and the rules they follow."""

    labels: dict[str, str]  # stored statuses, then the one read from a date (if any)
    sent_status: str  # what a draft becomes when it is first emailed
    locked: tuple[str, ...] = ()  # no change once here
    cancellable: tuple[str, ...] = ()  # may be cancelled from these (none: no Cancel)
    late_status: str = ""  # shown instead of a stored status once late_date has passed
    late_date: str = ""  # the document's attribute that says when
    late_from: tuple[str, ...] = ()  # the stored statuses that can become late

    def status_on(self, document, today: date) -> str:
        late = self.late_status and document.status in self.late_from
        if late and getattr(document, self.late_date) < today:
            return self.late_status
        return document.status

    def label_on(self, document, today: date) -> str:
        return self.labels[self.status_on(document, today)]

    def where(self, model, status: str, today: date) -> list:
        """The SQL conditions of a list filtered on status (as shown today); [] for none."""
        if self.late_status and status == self.late_status:
            return [model.status.in_(self.late_from), getattr(model, self.late_date) < today]
        if status in self.labels:
            return [model.status == status]
        return []


OPEN_INVOICE = ("unpaid", "partially_paid")
INVOICE_LIFE = Lifecycle(
    labels={
        "draft": "Draft",
        "unpaid": "Unpaid",
        "partially_paid": "Partially paid",
        "paid": "Paid",
        "overdue": "Overdue",
        "cancelled": "Cancelled",
    },
    sent_status="unpaid",
    locked=("paid", "cancelled"),
    cancellable=("draft", *OPEN_INVOICE),
    late_status="overdue",
    late_date="due_date",
    late_from=OPEN_INVOICE,
)
ESTIMATE_LIFE = Lifecycle(
    labels={
        "draft": "Draft",
        "sent": "Sent",
        "accepted": "Accepted",
        "declined": "Declined",
        "expired": "Expired",
    },
    sent_status="sent",
    locked=("accepted", "declined"),
    late_status="expired",
    late_date="expiry_date",
    late_from=("draft", "sent"),
)
CREDIT_NOTE_LIFE = Lifecycle(
    labels={"draft": "Draft", "issued": "Issued", "cancelled": "Cancelled"},
    sent_status="issued",
    locked=("cancelled",),
    cancellable=("draft", "issued"),
)


def paid_status(total, amount_paid) -> str:
    if amount_paid <= 0:
        return "unpaid"
    return "paid" if amount_paid >= total else "partially_paid"

"""The kinds of document: everything that makes an invoice, an estimate or a credit note what
it is, in one place. Views, rules, emails, PDFs and templates take the kind from here; adding a
kind is a model, an entry below and its template (templates/documents/kinds/<name>.html)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from djaboo.documents.forms import (
    CreditNoteForm,
    DocumentForm,
    EstimateForm,
    InvoiceForm,
    PaymentForm,
)
from djaboo.documents.invoicing import recompute
from djaboo.documents.kind_facts import credit_note_facts, estimate_facts, invoice_facts
from djaboo.documents.kind_words import CREDIT_NOTE_WORDS, ESTIMATE_WORDS, INVOICE_WORDS, KindWords
from djaboo.documents.models import (
    CreditNote,
    CreditNoteLine,
    Estimate,
    EstimateLine,
    Invoice,
    InvoiceLine,
)
from djaboo.documents.statuses import (
    CREDIT_NOTE_LIFE,
    ESTIMATE_LIFE,
    INVOICE_LIFE,
    Lifecycle,
    status_word,
)
from djaboo.documents.totals import refresh_totals


@dataclass(frozen=True)
class ListDate:
    """The date column of a kind's list: its sort key, heading and attribute."""

    sort: str
    label: str
    attribute: str


@dataclass(frozen=True, eq=False)
class DocumentKind:
    name: str  # stored in doc_type columns; the public link is /p/<name>/<token>
    label: str  # "Credit note"
    plural_label: str  # "Credit notes"
    url_prefix: str  # "credit-notes": /credit-notes/<credit_note_id>
    number_prefix: str  # "CN-"
    model: type
    line_model: type
    form: type[DocumentForm]
    life: Lifecycle
    list_date: ListDate
    events: tuple[str, ...]  # what its Send view offers
    sent_event: str  # the first send
    facts: Callable  # (kind, document, today, link) -> MergeFacts parts, by field group
    words: KindWords  # what staff pages say about it, in their reader's language
    resent_event: str = ""  # a later send, when it has its own text
    unsendable: tuple[str, ...] = ()  # no Send button in these statuses
    recompute: Callable = refresh_totals  # after each change of lines
    page_forms: dict = field(default_factory=dict)  # more forms its page shows, by name

    @property
    def id_arg(self) -> str:
        """The name of its id in URLs and url_for: invoice_id, credit_note_id."""
        return f"{self.name}_id"

    def endpoint(self, view: str) -> str:
        return f"documents.{self.name}_{view}"

    def status_word(self, status: str):
        """The status in the reader's language (Lifecycle.labels keeps the English)."""
        return status_word(self.name, status)

    def default_event(self, document) -> str:
        return self.resent_event if self.resent_event and document.sent_at else self.sent_event


INVOICE = DocumentKind(
    name="invoice",
    label="Invoice",
    plural_label="Invoices",
    url_prefix="invoices",
    number_prefix="INV-",
    model=Invoice,
    line_model=InvoiceLine,
    form=InvoiceForm,
    life=INVOICE_LIFE,
    list_date=ListDate("due", "Due", "due_date"),
    events=(
        "invoice_sent",
        "invoice_resent",
        "invoice_due_soon",
        "invoice_overdue",
        "invoice_overdue_repeat",
    ),
    sent_event="invoice_sent",
    resent_event="invoice_resent",
    facts=invoice_facts,
    words=INVOICE_WORDS,
    unsendable=("cancelled",),
    recompute=recompute,
    page_forms={"payment_form": PaymentForm},
)
ESTIMATE = DocumentKind(
    name="estimate",
    label="Estimate",
    plural_label="Estimates",
    url_prefix="estimates",
    number_prefix="EST-",
    model=Estimate,
    line_model=EstimateLine,
    form=EstimateForm,
    life=ESTIMATE_LIFE,
    list_date=ListDate("expiry", "Valid until", "expiry_date"),
    events=("estimate_sent", "estimate_expiring"),
    sent_event="estimate_sent",
    facts=estimate_facts,
    words=ESTIMATE_WORDS,
    unsendable=("accepted", "declined"),
)
CREDIT_NOTE = DocumentKind(
    name="credit_note",
    label="Credit note",
    plural_label="Credit notes",
    url_prefix="credit-notes",
    number_prefix="CN-",
    model=CreditNote,
    line_model=CreditNoteLine,
    form=CreditNoteForm,
    life=CREDIT_NOTE_LIFE,
    list_date=ListDate("date", "Date", "issue_date"),
    events=("credit_note_sent",),
    sent_event="credit_note_sent",
    facts=credit_note_facts,
    words=CREDIT_NOTE_WORDS,
    unsendable=("cancelled",),
)

KINDS = (INVOICE, ESTIMATE, CREDIT_NOTE)
_BY_MODEL = {kind.model: kind for kind in KINDS}


def kind_of(document) -> DocumentKind:
    return _BY_MODEL[type(document)]

"""The merge-field catalogue: every `{field}` a template may use, what it means, how it is made.

Values are built here from plain facts (dataclasses of strings, numbers and dates), never from
ORM objects, the app, its config or the request: a template can only ever reach these values.
Amounts and dates are formatted for the customer's language and the document's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from markupsafe import Markup

# name -> (group, one-line description shown in the editor)
FIELDS: dict[str, tuple[str, str]] = {
    "invoice_number": ("invoice", "Invoice number, e.g. INV-000042"),
    "invoice_link": ("invoice", "Link where the customer views and downloads the invoice"),
    "invoice_date": ("invoice", "Issue date of the invoice"),
    "invoice_duedate": ("invoice", "Due date of the invoice"),
    "invoice_total": ("invoice", "Invoice total with tax, in its currency"),
    "invoice_subtotal": ("invoice", "Invoice total before tax"),
    "invoice_amount_due": ("invoice", "What is still to be paid"),
    "invoice_status": ("invoice", "Status: unpaid, partially paid, paid, overdue…"),
    "total_days_overdue": ("invoice", "Days since the due date"),
    "payment_amount": ("payment", "Amount of the payment received"),
    "payment_date": ("payment", "Date of the payment received"),
    "estimate_number": ("estimate", "Estimate number, e.g. EST-000007"),
    "estimate_link": ("estimate", "Link where the customer views, accepts or declines it"),
    "estimate_date": ("estimate", "Date of the estimate"),
    "estimate_expirydate": ("estimate", "Date until which the estimate is valid"),
    "estimate_total": ("estimate", "Estimate total with tax, in its currency"),
    "credit_note_number": ("credit_note", "Credit note number, e.g. CN-000003"),
    "credit_note_link": ("credit_note", "Link where the customer views and downloads it"),
    "credit_note_date": ("credit_note", "Issue date of the credit note"),
    "credit_note_total": ("credit_note", "Credit note total with tax, in its currency"),
    "credit_note_invoice": ("credit_note", "Number of the invoice it credits, if any"),
    "contact_firstname": ("contact", "First name of the customer's contact"),
    "contact_lastname": ("contact", "Last name of the customer's contact"),
    "contact_email": ("contact", "Email address of the customer's contact"),
    "client_company": ("contact", "The customer's company name"),
    "companyname": ("company", "Your company's name (the space)"),
    "logo_url": ("company", "Address of your logo image"),
    "crm_url": ("company", "Address of this Djaboo Mail installation"),
    "staff_firstname": ("staff", "First name of the staff member who sends"),
    "staff_lastname": ("staff", "Last name of the staff member who sends"),
    "staff_email": ("staff", "Email address of the staff member who sends"),
    "email_signature": ("staff", "Signature: the sender's own, else the space's global one"),
}
# Fields the predefined header and footer may use: they wrap emails of every kind.
GLOBAL_GROUPS = ("company", "staff")


def fields_of(groups) -> list[str]:
    return [name for name, (group, _) in FIELDS.items() if group in groups]


GLOBAL_FIELDS = fields_of(GLOBAL_GROUPS)


@dataclass(frozen=True)
class InvoiceFacts:
    number: str
    link: str
    date: date
    due_date: date
    currency: str
    subtotal: Decimal
    total: Decimal
    amount_due: Decimal
    status: str
    days_overdue: int = 0


@dataclass(frozen=True)
class PaymentFacts:
    amount: Decimal
    date: date


@dataclass(frozen=True)
class EstimateFacts:
    number: str
    link: str
    date: date
    expiry_date: date
    currency: str
    total: Decimal


@dataclass(frozen=True)
class CreditNoteFacts:
    number: str
    link: str
    date: date
    currency: str
    total: Decimal
    invoice_number: str = ""


@dataclass(frozen=True)
class ContactFacts:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company: str = ""


@dataclass(frozen=True)
class StaffFacts:
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class CompanyFacts:
    name: str
    base_url: str = ""
    logo_url: str = ""


@dataclass(frozen=True)
class MergeFacts:
    """Everything one email may say, as plain values."""

    company: CompanyFacts
    language: str = "en"
    contact: ContactFacts = field(default_factory=ContactFacts)
    staff: StaffFacts = field(default_factory=StaffFacts)
    signature_html: str = ""  # sanitized HTML
    invoice: InvoiceFacts | None = None
    payment: PaymentFacts | None = None
    estimate: EstimateFacts | None = None
    credit_note: CreditNoteFacts | None = None


def split_name(full_name: str) -> tuple[str, str]:
    first, _, last = (full_name or "").strip().partition(" ")
    return first, last.strip()


def _typography_for(text: str, charset: str) -> str:
    """CLDR uses U+202F as French thousands separator; fall back to spaces a charset has."""
    for fallback in ("\u202f", "\u00a0"):
        if fallback in text:
            try:
                fallback.encode(charset)
            except UnicodeEncodeError:
                text = text.replace(fallback, "\u00a0" if fallback == "\u202f" else " ")
    try:
        "\u00a0".encode(charset)
    except UnicodeEncodeError:
        text = text.replace("\u00a0", " ")
    return text


def money(amount: Decimal, currency: str, language: str, charset: str = "utf-8") -> str:
    return _typography_for(format_currency(amount, currency, locale=language), charset)


def day(value: date, language: str) -> str:
    return format_date(value, format="long" if language != "en" else "medium", locale=language)


def merge_values(facts: MergeFacts, charset: str = "utf-8") -> dict[str, str | Markup]:
    """The values of every field these facts can fill. Absent facts leave their fields out."""
    lang = facts.language
    values: dict[str, str | Markup] = {
        "companyname": facts.company.name,
        "logo_url": facts.company.logo_url,
        "crm_url": facts.company.base_url,
        "contact_firstname": facts.contact.first_name,
        "contact_lastname": facts.contact.last_name,
        "contact_email": facts.contact.email,
        "client_company": facts.contact.company,
        "staff_firstname": facts.staff.first_name,
        "staff_lastname": facts.staff.last_name,
        "staff_email": facts.staff.email,
        # Sanitized when it was saved; it goes into the HTML as HTML, never parsed for fields.
        "email_signature": Markup(facts.signature_html or ""),  # noqa: S704
    }
    if inv := facts.invoice:
        values.update(
            {
                "invoice_number": inv.number,
                "invoice_link": inv.link,
                "invoice_date": day(inv.date, lang),
                "invoice_duedate": day(inv.due_date, lang),
                "invoice_total": money(inv.total, inv.currency, lang, charset),
                "invoice_subtotal": money(inv.subtotal, inv.currency, lang, charset),
                "invoice_amount_due": money(inv.amount_due, inv.currency, lang, charset),
                "invoice_status": inv.status,
                "total_days_overdue": str(max(inv.days_overdue, 0)),
            }
        )
        if pay := facts.payment:
            values["payment_amount"] = money(pay.amount, inv.currency, lang, charset)
            values["payment_date"] = day(pay.date, lang)
    if est := facts.estimate:
        values.update(
            {
                "estimate_number": est.number,
                "estimate_link": est.link,
                "estimate_date": day(est.date, lang),
                "estimate_expirydate": day(est.expiry_date, lang),
                "estimate_total": money(est.total, est.currency, lang, charset),
            }
        )
    if credit := facts.credit_note:
        values.update(
            {
                "credit_note_number": credit.number,
                "credit_note_link": credit.link,
                "credit_note_date": day(credit.date, lang),
                "credit_note_total": money(credit.total, credit.currency, lang, charset),
                "credit_note_invoice": credit.invoice_number,
            }
        )
    return values

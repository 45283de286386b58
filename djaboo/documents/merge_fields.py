"""The merge fields documents add to the mail core: {invoice_…}, {payment_…}, {estimate_…},
{credit_note_…} and the customer's {contact_…}; their facts, values and preview samples.

Facts are plain values (no ORM object): merge_facts.py and kind_facts.py make them from a real
document, sample() from nothing for the template editor's preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from djaboo.mail.fields import FieldGroup, day, money, person_name


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
    currency: str  # the invoice's


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
    language: str = ""  # the customer's: the order of the full name


def invoice_values(inv: InvoiceFacts, lang: str, charset: str) -> dict[str, str]:
    return {
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


def payment_values(pay: PaymentFacts, lang: str, charset: str) -> dict[str, str]:
    return {
        "payment_amount": money(pay.amount, pay.currency, lang, charset),
        "payment_date": day(pay.date, lang),
    }


def estimate_values(est: EstimateFacts, lang: str, charset: str) -> dict[str, str]:
    return {
        "estimate_number": est.number,
        "estimate_link": est.link,
        "estimate_date": day(est.date, lang),
        "estimate_expirydate": day(est.expiry_date, lang),
        "estimate_total": money(est.total, est.currency, lang, charset),
    }


def credit_note_values(credit: CreditNoteFacts, lang: str, charset: str) -> dict[str, str]:
    return {
        "credit_note_number": credit.number,
        "credit_note_link": credit.link,
        "credit_note_date": day(credit.date, lang),
        "credit_note_total": money(credit.total, credit.currency, lang, charset),
        "credit_note_invoice": credit.invoice_number,
    }


def contact_values(contact: ContactFacts, lang: str, charset: str) -> dict[str, str]:
    return {
        "contact_firstname": contact.first_name,
        "contact_lastname": contact.last_name,
        "contact_fullname": person_name(contact.first_name, contact.last_name, contact.language),
        "contact_email": contact.email,
        "client_company": contact.company,
    }


# The sample document the editor previews with: realistic values in each language.
_SAMPLE_CONTACTS = {
    "en": ContactFacts("Jane", "Doe", "jane.doe@example.com", "Northwind Traders", "en"),
    "fr": ContactFacts(
        "Camille", "Martin", "camille.martin@example.fr", "Boulangerie Martin", "fr"
    ),
    "ja": ContactFacts("太郎", "山田", "taro.yamada@example.jp", "株式会社サンプル", "ja"),
}
_SAMPLE_CURRENCY = {"en": "USD", "fr": "EUR", "ja": "JPY"}


def _sample_amounts(language: str) -> tuple[str, Decimal, Decimal]:
    currency = _SAMPLE_CURRENCY.get(language, "USD")
    scale = Decimal(150) if currency == "JPY" else Decimal(1)
    subtotal = (Decimal("1029.00") * scale).quantize(
        Decimal("1") if currency == "JPY" else Decimal("0.01")
    )
    return currency, subtotal, (subtotal * Decimal("1.2")).quantize(subtotal)


def sample_invoice(language: str, today: date, base_url: str) -> InvoiceFacts:
    currency, subtotal, total = _sample_amounts(language)
    return InvoiceFacts(
        number="INV-000042",
        link=f"{base_url.rstrip('/')}/p/sample-invoice",
        date=today - timedelta(30),
        due_date=today - timedelta(9),
        currency=currency,
        subtotal=subtotal,
        total=total,
        amount_due=total,
        status="overdue",
        days_overdue=9,
    )


def sample_payment(language: str, today: date, base_url: str) -> PaymentFacts:
    currency, _, total = _sample_amounts(language)
    return PaymentFacts(amount=total, date=today, currency=currency)


def sample_estimate(language: str, today: date, base_url: str) -> EstimateFacts:
    currency, _, total = _sample_amounts(language)
    return EstimateFacts(
        number="EST-000007",
        link=f"{base_url.rstrip('/')}/p/sample-estimate",
        date=today,
        expiry_date=today + timedelta(14),
        currency=currency,
        total=total,
    )


def sample_credit_note(language: str, today: date, base_url: str) -> CreditNoteFacts:
    currency, _, total = _sample_amounts(language)
    return CreditNoteFacts(
        number="CN-000003",
        link=f"{base_url.rstrip('/')}/p/sample-credit-note",
        date=today,
        currency=currency,
        total=total,
        invoice_number="INV-000042",
    )


def sample_contact(language: str, today: date, base_url: str) -> ContactFacts:
    return _SAMPLE_CONTACTS.get(language, _SAMPLE_CONTACTS["en"])


def contact_recipient(contact: ContactFacts) -> str:
    name = person_name(contact.first_name, contact.last_name, contact.language)
    return f"{name} <{contact.email}>"


def N_(msgid: str) -> str:
    """Marks a description for extraction (`-k N_`); the editor translates it when it shows it.
    (The same no-op marker as djaboo/mail's, kept here so this module needs nothing more.)"""
    return msgid


FIELD_GROUPS = (
    FieldGroup(
        "invoice",
        {
            "invoice_number": N_("Invoice number, e.g. INV-000042"),
            "invoice_link": N_("Link where the customer views and downloads the invoice"),
            "invoice_date": N_("Issue date of the invoice"),
            "invoice_duedate": N_("Due date of the invoice"),
            "invoice_total": N_("Invoice total with tax, in its currency"),
            "invoice_subtotal": N_("Invoice total before tax"),
            "invoice_amount_due": N_("What is still to be paid"),
            "invoice_status": N_("Status: unpaid, partially paid, paid, overdue…"),
            "total_days_overdue": N_("Days since the due date"),
        },
        invoice_values,
        sample_invoice,
    ),
    FieldGroup(
        "payment",
        {
            "payment_amount": N_("Amount of the payment received"),
            "payment_date": N_("Date of the payment received"),
        },
        payment_values,
        sample_payment,
    ),
    FieldGroup(
        "estimate",
        {
            "estimate_number": N_("Estimate number, e.g. EST-000007"),
            "estimate_link": N_("Link where the customer views, accepts or declines it"),
            "estimate_date": N_("Date of the estimate"),
            "estimate_expirydate": N_("Date until which the estimate is valid"),
            "estimate_total": N_("Estimate total with tax, in its currency"),
        },
        estimate_values,
        sample_estimate,
    ),
    FieldGroup(
        "credit_note",
        {
            "credit_note_number": N_("Credit note number, e.g. CN-000003"),
            "credit_note_link": N_("Link where the customer views and downloads it"),
            "credit_note_date": N_("Issue date of the credit note"),
            "credit_note_total": N_("Credit note total with tax, in its currency"),
            "credit_note_invoice": N_("Number of the invoice it credits, if any"),
        },
        credit_note_values,
        sample_credit_note,
    ),
    FieldGroup(
        "contact",
        {
            "contact_firstname": N_("First name of the customer's contact"),
            "contact_lastname": N_("Last name of the customer's contact"),
            "contact_fullname": N_(
                "Full name of the customer's contact, in the order of their "
                "language (family name first in Japanese: 山田 太郎)"
            ),
            "contact_email": N_("Email address of the customer's contact"),
            "client_company": N_("The customer's company name"),
        },
        contact_values,
        sample_contact,
        contact_recipient,
    ),
)

"""The sample document the editor previews with: realistic values in each language."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from djaboo.mail.fields import (
    CompanyFacts,
    ContactFacts,
    CreditNoteFacts,
    EstimateFacts,
    InvoiceFacts,
    MergeFacts,
    PaymentFacts,
    StaffFacts,
)

_CONTACTS = {
    "en": ContactFacts("Jane", "Doe", "jane.doe@example.com", "Northwind Traders"),
    "fr": ContactFacts("Camille", "Martin", "camille.martin@example.fr", "Boulangerie Martin"),
    "ja": ContactFacts("太郎", "山田", "taro.yamada@example.jp", "株式会社サンプル"),
}
_CURRENCY = {"en": "USD", "fr": "EUR", "ja": "JPY"}


def sample_facts(
    language: str,
    company: CompanyFacts,
    staff: StaffFacts,
    signature_html: str,
    today: date,
) -> MergeFacts:
    currency = _CURRENCY.get(language, "USD")
    scale = Decimal(150) if currency == "JPY" else Decimal(1)
    subtotal = (Decimal("1029.00") * scale).quantize(
        Decimal("1") if currency == "JPY" else Decimal("0.01")
    )
    total = (subtotal * Decimal("1.2")).quantize(subtotal)
    base = company.base_url.rstrip("/")
    return MergeFacts(
        company=company,
        language=language,
        contact=_CONTACTS.get(language, _CONTACTS["en"]),
        staff=staff,
        signature_html=signature_html,
        invoice=InvoiceFacts(
            number="INV-000042",
            link=f"{base}/p/sample-invoice",
            date=today - timedelta(30),
            due_date=today - timedelta(9),
            currency=currency,
            subtotal=subtotal,
            total=total,
            amount_due=total,
            status="overdue",
            days_overdue=9,
        ),
        payment=PaymentFacts(amount=total, date=today),
        estimate=EstimateFacts(
            number="EST-000007",
            link=f"{base}/p/sample-estimate",
            date=today,
            expiry_date=today + timedelta(14),
            currency=currency,
            total=total,
        ),
        credit_note=CreditNoteFacts(
            number="CN-000003",
            link=f"{base}/p/sample-credit-note",
            date=today,
            currency=currency,
            total=total,
            invoice_number="INV-000042",
        ),
    )

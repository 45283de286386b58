"""Demo data for a first look on a laptop: one space, an admin and a staff member.

The passwords are fixed and printed because the demo runs on 127.0.0.1 only; never seed a
reachable server with it.
"""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.settings.company import company_profile_for
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.creation import create_space
from djaboo.staff.accounts import create_user, set_signature
from djaboo.staff.models import User

DEMO_SPACE_NAME = "Demo Company"
DEMO_USERS = [
    ("admin@demo.example", "demo-admin-password", "admin"),
    ("staff@demo.example", "demo-staff-password", "staff"),
]


def ensure_demo_space(mail_port: int = 2525) -> bool:
    """Create the demo space unless its admin already exists; True when it was created.

    Its mail goes to the local mail catcher on 127.0.0.1:mail_port (no login, no TLS: it never
    leaves this machine).
    """
    admin_email, admin_password, _ = DEMO_USERS[0]
    exists = db.session.execute(sa.select(User.id).where(User.email == admin_email)).first()
    if exists:
        return False
    admin = create_space(DEMO_SPACE_NAME, admin_email, admin_password, "Ada Admin")
    staff_email, staff_password, _ = DEMO_USERS[1]
    staff = create_user(
        admin.space, email=staff_email, name="Sam Staff", role="staff", password=staff_password
    )
    set_signature(staff, "<p>Best regards,<br><strong>Sam Staff</strong><br>Demo Company</p>")
    settings = email_settings_for(admin.space)
    settings.protocol, settings.encryption = "smtp", "none"
    settings.host, settings.port = "127.0.0.1", mail_port
    settings.from_email, settings.from_name = "billing@demo.example", DEMO_SPACE_NAME
    db.session.add(settings)
    company = company_profile_for(admin.space)
    company.legal_name = "Demo Company SAS"
    company.address = "12 rue de la Paix\n75002 Paris"
    company.country, company.vat_number = "FR", "FR96552100554"
    company.registration_number = "55210055400013"
    company.bank_details = "IBAN FR76 3000 6000 0112 3456 7890 189\nBIC AGRIFRPP"
    db.session.add(company)
    _demo_documents(admin.space, staff)
    return True


def _demo_documents(space, owner) -> None:
    """Two customers and their invoices, one of them overdue, so every page has something."""
    from datetime import timedelta
    from decimal import Decimal

    from djaboo.documents.invoicing import recompute
    from djaboo.documents.kinds import INVOICE
    from djaboo.documents.models import Contact, Customer, Invoice, InvoiceLine
    from djaboo.documents.numbering import next_number
    from djaboo.spaces.clock import space_today

    today = space_today(space)
    rows = [
        (
            "Northwind Traders",
            "en",
            "USD",
            ("Jane", "Doe", "jane@northwind.example"),
            [("Website redesign", "1", "2400.00", "0"), ("Hosting, 12 months", "12", "25", "0")],
            "unpaid",
            today - timedelta(days=20),
            30,
        ),
        (
            "Boulangerie Martin",
            "fr",
            "EUR",
            ("Camille", "Martin", "camille@martin.example"),
            [("Conseil (jour)", "2", "650.00", "20")],
            "unpaid",
            today - timedelta(days=45),
            30,
        ),
        (
            "株式会社サンプル",
            "ja",
            "JPY",
            ("太郎", "山田", "yamada@sample.example"),
            [("コンサルティング業務", "1", "120000", "10"), ("お弁当", "20", "800", "8")],
            "unpaid",
            today - timedelta(days=5),
            30,
        ),
    ]
    for company, language, currency, contact, lines, status, issued, days in rows:
        customer = Customer(
            space_id=space.id,
            company=company,
            language=language,
            currency=currency,
            address="",
            vat_number="",
        )
        first, last, email = contact
        customer.contacts.append(
            Contact(
                space_id=space.id,
                first_name=first,
                last_name=last,
                email=email,
                is_primary=True,
                receives_documents=True,
            )
        )
        db.session.add(customer)
        db.session.flush()
        invoice = Invoice(
            space_id=space.id,
            number=next_number(space.id, INVOICE),
            customer_id=customer.id,
            owner_id=owner.id,
            issue_date=issued,
            due_date=issued + timedelta(days=days),
            currency=currency,
            status=status,
            version=1,
        )
        for n, (description, qty, price, tax) in enumerate(lines, start=1):
            invoice.lines.append(
                InvoiceLine(
                    position=n,
                    description=description,
                    quantity=Decimal(qty),
                    unit_price=Decimal(price),
                    tax_rate=Decimal(tax),
                )
            )
        db.session.add(invoice)
        db.session.flush()
        recompute(invoice)

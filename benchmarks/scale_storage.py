"""Issue #16, item 5 (run by benchmarks/scale_pages.py): what a sent email costs in the database.

A simulated year of one space ("Scale storage Ltd"), recorded through the real path
(djaboo/mail/recording.py): each invoice sent with its PDF to one contact (3 in 10 to two), 1
in 4 reminded once with the overdue version of its PDF and 1 in 10 twice (the same version),
6 in 10 thanked (no PDF). The PDF is a real one drawn by the app, made distinct per invoice
and version. Then the space keeps sent messages for 90 days and the retention runs.

Bytes are the stored sizes (pg_column_size: after TOAST compression) of this space's rows:
the outbox rows (the message, and the log line's other columns), the stored PDFs and their
links; indexes are left out.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

RAW_SQL = """
SELECT count(*), coalesce(sum(pg_column_size(raw)), 0),
       coalesce(sum(pg_column_size(o.*) - coalesce(pg_column_size(raw), 0)), 0)
FROM outbox_message o WHERE space_id = :s
"""
PART_SQL = """
SELECT count(*), coalesce(sum(pg_column_size(content)), 0) FROM mail_part WHERE space_id = :s
"""
LINK_SQL = """
SELECT count(*) * 32 FROM outbox_part l JOIN outbox_message o ON o.id = l.outbox_id
WHERE o.space_id = :s
"""


def sizes(space_id: int) -> dict:
    import sqlalchemy as sa

    from djaboo.extensions import db

    emails, message, other = db.session.execute(sa.text(RAW_SQL), {"s": space_id}).one()
    try:
        parts, pdf = db.session.execute(sa.text(PART_SQL), {"s": space_id}).one()
        links = db.session.execute(sa.text(LINK_SQL), {"s": space_id}).scalar_one()
    except sa.exc.ProgrammingError:  # before migration 0025: no separate store
        db.session.rollback()
        parts = pdf = links = 0
    return {
        "emails": emails,
        "message": message,
        "pdf": pdf,
        "parts": parts,
        "other": other + links,
        "total": message + pdf + other + links,
    }


def report(label: str, s: dict) -> None:
    per = s["total"] / max(s["emails"], 1)
    print(
        f"  {label:<34} {s['emails']:>6} emails {s['total'] / 1e6:8.2f} MB = {per / 1024:6.1f} KiB"
        f"/email (message {s['message'] / max(s['emails'], 1) / 1024:.1f}, "
        f"PDF {s['pdf'] / max(s['emails'], 1) / 1024:.1f} in {s['parts']} stored, "
        f"log line {s['other'] / max(s['emails'], 1) / 1024:.1f})"
    )


def a_real_pdf(app, space_id: int, admin_id: int) -> bytes:
    """One invoice's PDF as the app draws it (its size is what a month of sending stores)."""
    from datetime import date

    from djaboo.documents.models import Customer, Invoice, InvoiceLine
    from djaboo.documents.pdf import draw_pdf
    from djaboo.documents.sheet import document_context
    from djaboo.extensions import db

    customer = Customer(space_id=space_id, company="Storage Kunde GmbH", address="Hauptstr. 1")
    db.session.add(customer)
    db.session.flush()
    invoice = Invoice(
        space_id=space_id,
        number=f"ST-{random.randrange(10**8):08d}",
        customer_id=customer.id,
        owner_id=admin_id,
        issue_date=date.today(),
        due_date=date.today(),
        currency="EUR",
        status="unpaid",
        notes="Thank you for your business.",
        total=1440,
        subtotal=1200,
        tax_total=240,
    )
    db.session.add(invoice)
    db.session.flush()
    for i in range(6):
        db.session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                position=i,
                description=f"Consulting, week {i + 1}",
                quantity=5,
                unit_price=200,
                tax_rate=20,
            )
        )
    db.session.flush()
    db.session.refresh(invoice)
    pdf = draw_pdf(invoice, document_context(invoice)).content
    db.session.commit()
    return pdf


def simulate_year(app, n_invoices: int = 1000) -> dict:
    import sqlalchemy as sa

    from djaboo.db import utcnow
    from djaboo.extensions import db
    from djaboo.mail.compose import Attachment, TemplateText, Wrapper, compose_email
    from djaboo.mail.message import Party
    from djaboo.mail.outbox import OutboxMessage
    from djaboo.mail.recording import NewEmail, record_emails
    from djaboo.settings.models import EmailSettings
    from djaboo.settings.retention import prune_sent_messages
    from djaboo.spaces.creation import create_space
    from djaboo.staff.models import User

    with app.app_context():
        admin = db.session.execute(
            sa.select(User).where(User.email == "scale-storage@example.com")
        ).scalar_one_or_none()
        if admin is not None:  # a run before: start the year again
            db.session.execute(
                sa.delete(OutboxMessage).where(OutboxMessage.space_id == admin.space_id)
            )
            db.session.commit()
            try:
                db.session.execute(
                    sa.text("DELETE FROM mail_part WHERE space_id = :s"), {"s": admin.space_id}
                )
                db.session.commit()
            except sa.exc.ProgrammingError:  # before migration 0025
                db.session.rollback()
        else:
            admin = create_space("Scale storage Ltd", "scale-storage@example.com", "x" * 20)
            db.session.commit()
        space_id, admin_id = admin.space_id, admin.id
        try:
            pdf = a_real_pdf(app, space_id, admin_id)
        except Exception as exc:  # noqa: BLE001 - no renderer here: a stand-in of the same size
            print(f"  (no PDF renderer: {exc}; a 20 KB stand-in)")
            pdf = b"%PDF-1.7\n" + random.randbytes(20_000)
        print(f"  one invoice PDF drawn by the app: {len(pdf):,} bytes")
        body = "<p>Dear {name},</p><p>please find invoice {n} attached.</p>" + (
            "<p>Payment terms: 30 days net. Bank: DE89 3704 0044 0532 0130 00.</p>" * 6
        )
        template = TemplateText("Invoice {n} from Scale storage Ltd", body)
        rng = random.Random(5)
        started = time.perf_counter()
        now = utcnow()
        emails, when = [], []

        def email(kind: str, i: int, k: int, version: bytes | None, day: int):
            attachments = (
                [Attachment(f"ST-{i:06d}.pdf", pdf + b"%" + version)] if version is not None else []
            )
            composed = compose_email(
                template=template,
                wrapper=Wrapper("<p>Scale storage Ltd</p>", "<p>Registered in Berlin</p>"),
                values={"name": f"Contact {k}", "n": f"ST-{i:06d}"},
                sender=Party("billing@storage.example", "Scale storage Ltd"),
                to=[Party(f"contact{k}.{i}@example.net", f"Contact {k}")],
                attachments=attachments,
                automatic=kind != "manual",
            )
            emails.append(NewEmail(space_id, kind, f"{kind}:{i}:{k}:{len(emails)}", composed))
            when.append(now - timedelta(days=365 - day))

        for i in range(n_invoices):
            day = i * 365 // n_invoices
            for k in range(2 if rng.random() < 0.3 else 1):
                email("manual", i, k, b"v1-%d" % i, day)
            if rng.random() < 0.25:
                email("reminder", i, 0, b"overdue-%d" % i, min(day + 40, 364))
                if rng.random() < 0.4:
                    email("reminder", i, 0, b"overdue-%d" % i, min(day + 54, 364))
            if rng.random() < 0.6:
                email("thank_you", i, 0, None, min(day + 20, 364))
        for start in range(0, len(emails), 200):
            recorded = record_emails(emails[start : start + 200])
            for row, at in zip(recorded, when[start : start + 200], strict=True):
                db.session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id == row.id)
                    .values(status="sent", created_at=at, sent_at=at)
                )
            db.session.commit()
        print(f"  recorded {len(emails):,} emails in {time.perf_counter() - started:.0f} s")
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        year = sizes(space_id)
        report("after a year, all kept", year)
        db.session.execute(
            sa.update(EmailSettings)
            .where(EmailSettings.space_id == space_id)
            .values(keep_sent_days=90)
        )
        db.session.commit()
        started = time.perf_counter()
        pruned = prune_sent_messages()
        kept = sizes(space_id)
        report(f"after retention (90 days, {pruned:,} pruned)", kept)
        print(f"  retention run: {time.perf_counter() - started:.1f} s")
        print(
            "  goal: each PDF version stored once (not once per email): "
            f"{year['parts']:,} stored for {len(emails):,} emails"
        )
        db.session.remove()
        db.engine.dispose()
        return {"year": year, "after_retention": kept}

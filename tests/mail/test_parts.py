"""A PDF is stored once per space and content, never once per email (djaboo/mail/parts.py);
each email still gives back exactly its recorded bytes, and the retention deletes a part once
no kept email uses it."""

from __future__ import annotations

import os
from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.compose import Attachment, TemplateText, Wrapper, compose_email
from djaboo.mail.message import Party
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.parts import MailPart, OutboxPart, join_message, split_message
from djaboo.mail.recording import NewEmail, record_emails
from djaboo.settings.models import EmailSettings
from djaboo.settings.retention import prune_sent_messages

PDF = b"%PDF-1.7\n" + os.urandom(30_000) + b"\n%%EOF\n"


def composed(pdf: bytes = PDF, to: str = "jane@example.org"):
    return compose_email(
        template=TemplateText("Invoice {n}", "<p>Please pay.</p>"),
        wrapper=Wrapper(),
        values={"n": "INV-1"},
        sender=Party("billing@acme.example", "Acme"),
        to=[Party(to)],
        attachments=[Attachment("INV-1.pdf", pdf)],
    )


def test_split_and_join_give_back_the_very_bytes():
    raw = composed().envelope.message
    for message in (raw, raw.replace(b"\r\n", b"\n")):
        stored, parts = split_message(message)
        assert list(parts.values()) == [PDF] and len(stored) < len(message) - len(PDF)
        assert join_message(stored, parts) == message
    odd = raw.replace(b"\n--=", b"\n \n--=", 1)  # not as Python writes it: left as it is
    assert split_message(b"\x00part:" + b"0" * 64 + b":n\x00" + raw)[1] == {}
    assert join_message(*split_message(odd)) == odd


def test_the_same_pdf_is_stored_once_and_each_email_gives_its_bytes(app, create_space):
    space_id = create_space().space_id
    emails = [composed(to=f"c{i}@example.org") for i in range(3)] + [composed(PDF + b" ")]
    recorded = record_emails(
        [NewEmail(space_id, "manual", f"k{i}", e) for i, e in enumerate(emails)]
    )
    db.session.commit()
    assert [r.raw for r in recorded] == [e.envelope.message for e in emails]
    parts = db.session.execute(sa.select(MailPart.content)).scalars().all()
    assert sorted(parts) == sorted([PDF, PDF + b" "])  # one per version, not per email
    db.session.expire_all()
    for got, sent in zip(recorded, emails, strict=True):
        row = db.session.get(OutboxMessage, got.id)
        assert row.raw == sent.envelope.message and len(row.stored) < 10_000


def test_retention_deletes_a_part_once_no_kept_email_uses_it(app, create_space):
    space_id = create_space().space_id
    db.session.execute(
        sa.update(EmailSettings).where(EmailSettings.space_id == space_id).values(keep_sent_days=30)
    )
    old, young, other = record_emails(
        [
            NewEmail(space_id, "manual", "old", composed(to="a@example.org")),
            NewEmail(space_id, "manual", "young", composed(to="b@example.org")),
            NewEmail(space_id, "manual", "other", composed(PDF + b"2")),
        ]
    )
    now = utcnow()
    ids = {"old": old.id, "young": young.id, "other": other.id}
    for name, days in (("old", 40), ("young", 1), ("other", 40)):
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == ids[name])
            .values(status="sent", created_at=now - timedelta(days=days), sent_at=now)
        )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_([old.id, other.id]))
        .values(sent_at=now - timedelta(days=40))
    )
    db.session.commit()
    assert prune_sent_messages() == 2
    db.session.expire_all()
    assert db.session.execute(sa.select(MailPart.content)).scalars().all() == [PDF]
    assert db.session.execute(sa.select(OutboxPart.outbox_id)).scalars().all() == [young.id]
    assert db.session.get(OutboxMessage, young.id).raw == young.raw
    assert db.session.get(OutboxMessage, old.id).raw == b""


def test_the_migration_moves_the_pdfs_of_existing_emails_out_and_back(fresh_database_url, tmp_path):
    import flask_migrate

    from djaboo import create_app
    from djaboo.mail.parts import message_bytes
    from djaboo.spaces.creation import create_space
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0026")
        space_id = create_space("Old", "old@example.com", "a long password 1").space_id
        raws = [composed(to=f"c{i}@example.org").envelope.message for i in range(2)]
        raws.append(b"Subject: no attachment\r\n\r\nHello\r\n")
        for i, raw in enumerate(raws):
            db.session.execute(
                sa.text(
                    "INSERT INTO outbox_message (space_id, idempotency_key, origin, message_id,"
                    " sender, recipients, to_display, subject, raw, smtputf8, status, attempts,"
                    " claimed_by, claim_token, last_error, server_reply, recipient_results,"
                    " event, doc_type, created_at, bounce_token, bounce_reason, sent_copy_error)"
                    " VALUES (:s, :k, 'manual', '<m>', 'a@b.example', '[]', '', '', :raw, false,"
                    " 'sent', 1, '', '', '', '', '{}', '', '', :now, '', '', '')"
                ),
                {"s": space_id, "k": f"old{i}", "raw": raw, "now": utcnow()},
            )
        db.session.commit()
        flask_migrate.upgrade()
        rows = db.session.execute(
            sa.select(OutboxMessage.id, OutboxMessage.stored).order_by(OutboxMessage.id)
        ).all()
        assert [message_bytes(i, stored) for i, stored in rows] == raws
        assert [
            len(stored) < len(raw) - len(PDF) for (_, stored), raw in zip(rows, raws, strict=True)
        ] == [
            True,
            True,
            False,
        ]
        assert db.session.execute(sa.select(MailPart.content)).scalars().all() == [PDF]
        db.session.commit()
        flask_migrate.downgrade(revision="0026")
        back = db.session.execute(sa.text("SELECT raw FROM outbox_message ORDER BY id"))
        assert [bytes(r) for r in back.scalars()] == raws
        db.session.remove()
        db.engine.dispose()

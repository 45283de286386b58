"""One way into the outbox: every email, whatever its origin, is recorded by one function."""

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.outbox import ORIGINS, OutboxMessage
from djaboo.mail.recording import NewEmail, RecordingError, record_email

ROOT = Path(__file__).resolve().parents[1] / "djaboo"
THE_WAY_IN = ROOT / "mail" / "recording.py"


def _writes_outbox_rows(tree: ast.AST) -> list[int]:
    """Lines that make outbox rows: OutboxMessage(...) or an INSERT into its table."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        arguments = [ast.unparse(a) for a in node.args]
        if name == "OutboxMessage" or (
            name.split(".")[-1] in ("insert", "insert_skipping_duplicates")
            and any("OutboxMessage" in a or a == "OUTBOX" for a in arguments)
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_recording_module_makes_outbox_rows():
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts or path == THE_WAY_IN:
            continue
        lines = _writes_outbox_rows(ast.parse(path.read_text(), str(path)))
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert found == {}
    assert _writes_outbox_rows(ast.parse(THE_WAY_IN.read_text()))  # the check sees inserts


@pytest.mark.parametrize(
    ("origin", "key"),
    [
        ("guessed", "a" * 32),
        ("manual", ""),
        ("manual", "a" * 81),
        ("manual", "with space"),
        ("manual", "näive"),
        ("manual", "-leading-dash"),
        ("manual", "line\nbreak"),
    ],
)
def test_an_unknown_origin_or_a_malformed_key_is_refused(app, create_space, origin, key):
    admin = create_space()
    email = NewEmail(space_id=admin.space_id, origin=origin, key=key, composed=None)
    with pytest.raises(RecordingError):
        record_email(email)
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0


def test_an_email_that_could_not_be_made_is_recorded_as_needing_attention(app, create_space):
    admin = create_space()
    recorded = record_email(
        NewEmail(
            space_id=admin.space_id,
            origin="notice",
            key="notice:1",
            composed=None,
            problem="The header is nested too deeply.",
            to_display="ada@example.org",
            subject="Failed email",
        )
    )
    db.session.commit()
    row = db.session.get(OutboxMessage, recorded.id)
    assert (row.status, row.origin, row.raw, row.to_display) == (
        "attention",
        "notice",
        b"",
        "ada@example.org",
    )
    assert "nested too deeply" in row.last_error


def test_the_database_refuses_an_origin_the_code_does_not_know(app, create_space):
    admin = create_space()
    record_email(NewEmail(space_id=admin.space_id, origin="manual", key="k1", composed=None))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(OutboxMessage).values(origin="guessed"))
        db.session.flush()
    db.session.rollback()
    assert set(ORIGINS) >= {"manual", "reminder", "test", "thank_you", "notice", "password_reset"}


def test_a_send_at_must_be_a_moment_and_never_for_a_held_email(app, create_space):
    from datetime import datetime, timedelta

    from djaboo.db import utcnow

    admin = create_space()
    base = {"space_id": admin.space_id, "origin": "manual", "composed": None}
    for email in (
        NewEmail(key="naive", not_before=datetime(2030, 1, 1, 9, 0), **base),
        NewEmail(key="held", not_before=utcnow() + timedelta(hours=1), held_by="x:1", **base),
    ):
        with pytest.raises(RecordingError):
            record_email(email)
    db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0


def test_the_database_refuses_a_status_the_code_does_not_know(app, create_space):
    from djaboo.mail.outbox import STATUSES

    admin = create_space()
    record_email(NewEmail(space_id=admin.space_id, origin="manual", key="k1", composed=None))
    db.session.commit()
    for status in STATUSES:  # every state the code knows is one the database takes
        db.session.execute(sa.update(OutboxMessage).values(status=status))
        db.session.flush()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(OutboxMessage).values(status="paused"))
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("origin", sorted(ORIGINS))
def test_automatic_emails_say_so_and_a_persons_do_not(app, create_space, origin):
    """Every email of an automatic origin (a reminder, a thank-you, a notice, a password
    reset) carries Auto-Submitted and X-Auto-Response-Suppress; a staff send or a test email
    (an admin's deliberate action) does not. Recording refuses the other way round."""
    from djaboo.mail.compose import TemplateText, Wrapper, compose_email
    from djaboo.mail.message import Party
    from djaboo.mail.outbox import AUTOMATIC_ORIGINS

    admin = create_space()

    def composed(automatic):
        return compose_email(
            template=TemplateText("Hello", "<p>Hello</p>"),
            wrapper=Wrapper(),
            values={},
            sender=Party("billing@acme.example"),
            to=[Party("ada@example.org")],
            automatic=automatic,
        )

    automatic = origin in AUTOMATIC_ORIGINS
    assert automatic == (origin not in ("manual", "test"))
    with pytest.raises(RecordingError, match=f"automatic={automatic}"):
        record_email(
            NewEmail(admin.space_id, origin, f"{origin}:1", composed(automatic=not automatic))
        )
    recorded = record_email(NewEmail(admin.space_id, origin, f"{origin}:2", composed(automatic)))
    db.session.commit()
    raw = db.session.get(OutboxMessage, recorded.id).raw
    assert (b"\r\nAuto-Submitted: auto-generated\r\n" in raw) == automatic
    assert (b"\r\nX-Auto-Response-Suppress: All\r\n" in raw) == automatic
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 1

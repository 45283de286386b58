"""Notices to staff: a space sending through the SMTP fixture (tests/documents' idle_shop), the
real mail worker told of what went wrong, as `djaboo mail worker` is."""

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import OutboxMessage
from djaboo.notices.failures import notify_failure
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.documents.conftest import idle_shop, send_form  # noqa: F401 (idle_shop: a fixture)


def deliver() -> None:
    """Run the worker until nothing is due (notices it records are delivered too)."""
    while worker.run_once(transport_settings_for_space, notify=notify_failure):
        pass


def notices() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.origin == "notice")
            .order_by(OutboxMessage.id)
        ).scalars()
    )


def send_invoice(shop, contacts=None, client=None, cc="") -> OutboxMessage:
    """Staff send the shop's invoice to these contact ids (default: its first contact, so one
    email: each contact gets their own), with these CC addresses on it."""
    client = client or shop.client
    overrides = {"cc": cc} if contacts is None else {"contacts": [str(c) for c in contacts]}
    data = send_form(client, shop.invoice.id, **overrides)
    if contacts is None:
        data["contacts"] = data["contacts"][:1]
    response = client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return db.session.execute(
        sa.select(OutboxMessage)
        .where(OutboxMessage.origin == "manual")
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).scalar_one()


def delivered_to(server, address: str):
    """The messages the SMTP fixture received for this address."""
    return [m for m in server.messages if address in m.rcpt_tos]

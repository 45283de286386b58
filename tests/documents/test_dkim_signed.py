"""A staff member's invoice (PDF attached, Reply-To, two contacts) from a signing space goes out
DKIM-signed by the worker, over the stored bytes: both verifiers pass."""

import dkim
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.dkim_key import generate_dkim_key
from tests.documents.conftest import send_form, wait_for_delivery
from tests.settings.test_dkim import dnsfunc_for, mailauth_verify, publish


def test_an_invoice_goes_out_signed(shop, dns_server):
    key = generate_dkim_key(shop.admin.space_id, "acme.example", "rsa", "djaboo")
    key.signing = True
    db.session.commit()
    publish(dns_server, key)

    data = send_form(shop.client, shop.invoice.id)
    response = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    assert response.status_code == 302
    rows = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    rows = [wait_for_delivery(r.id) for r in rows]
    assert len(rows) == 2 and all(r.status == "sent" for r in rows), [r.last_error for r in rows]
    for row in rows:
        [got] = [m for m in shop.server.messages if m.message["Message-ID"] == row.message_id]
        assert got.content.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
        assert "h=from : to : subject : date : message-id : reply-to : mime-version :" in (
            " ".join(got.message["DKIM-Signature"].split())
        )
        assert dkim.verify(got.content, dnsfunc=dnsfunc_for(dns_server))
        [result] = mailauth_verify(got.content, dns_server)
        assert result["status"] == "pass", result

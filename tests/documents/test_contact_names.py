"""Contact names become the display name in To: no encoded-word look-alikes, no bidi controls."""

import pytest
import sqlalchemy as sa

from djaboo.documents.models import Customer
from djaboo.extensions import db

NEW_CUSTOMER = {
    "company": "Globex",
    "language": "en",
    "currency": "EUR",
    "first_name": "Hank",
    "last_name": "Scorpio",
    "email": "hank@globex.example",
}


@pytest.mark.parametrize(
    "field, value",
    [("first_name", "=?utf-8?b?QmFuaw==?="), ("last_name", "Scorpio =?utf-8?q?x?=")],
)
def test_new_customer_contact_name_refuses_a_look_alike(client, create_space, login, field, value):
    login(client, create_space())
    response = client.submit("/customers/new", {**NEW_CUSTOMER, field: value})
    assert response.status_code != 302  # the form again, with the error
    assert "Names cannot contain “=?”" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(Customer)).first() is None


def test_added_contact_refuses_a_look_alike_and_loses_bidi(
    client, create_space, create_customer, login
):
    admin = create_space()
    customer = create_customer(admin.space)
    login(client, admin)
    url, page = f"/customers/{customer.id}/contacts", f"/customers/{customer.id}"
    form = {"email": "wanda@globex.example", "receives_documents": "y"}
    bad = client.submit(url, {**form, "first_name": "=?utf-8?q?x?=", "last_name": "W"}, page=page)
    assert bad.status_code == 400
    assert "Names cannot contain “=?”" in bad.get_data(as_text=True)
    good = client.submit(
        url, {**form, "first_name": "\u202eWanda\u202c", "last_name": "\u2066Lee\u2069"}, page=page
    )
    assert good.status_code == 302
    db.session.expire_all()
    contacts = db.session.get(Customer, customer.id).contacts
    [contact] = [c for c in contacts if c.email == form["email"]]
    assert (contact.first_name, contact.last_name) == ("Wanda", "Lee")

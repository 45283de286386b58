"""A template's own From name is a display name too: no look-alikes, no bidi controls."""

import pytest

from tests.email_templates.conftest import edit_data


@pytest.fixture
def admin(client, create_space, login):
    admin = create_space(name="Acme Ltd")
    login(client, admin)
    return admin


def test_from_name_refuses_an_encoded_word_look_alike(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_sent")
    response = client.submit(
        f"/email-templates/{t.id}", edit_data(t, from_name="=?utf-8?b?QmFuaw==?=")
    )
    assert response.status_code == 400
    assert "Names cannot contain “=?”" in response.get_data(as_text=True)
    assert template_of(admin.space_id, "invoice_sent").from_name == t.from_name


def test_from_name_is_saved_without_bidi_controls(client, admin, template_of):
    t = template_of(admin.space_id, "invoice_sent")
    response = client.submit(
        f"/email-templates/{t.id}", edit_data(t, from_name="\u202eAcme\u202c \u2067Billing\u2069")
    )
    assert response.status_code == 302
    assert template_of(admin.space_id, "invoice_sent").from_name == "Acme Billing"

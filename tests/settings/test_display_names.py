"""Names that become display names: encoded-word look-alikes refused, bidi controls dropped."""

import pytest

from tests.settings.conftest import form_data, settings_row

LOOK_ALIKES = ["=?utf-8?b?QmFuayBvZiBBbWVyaWNh?=", "Acme =?utf-8?q?Bank?= Ltd", "=?x"]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_from_name_refuses_an_encoded_word_look_alike(admin_client, name):
    response = admin_client.submit("/settings/email", form_data(from_name=name))
    assert response.status_code == 400
    assert "Names cannot contain “=?”" in response.get_data(as_text=True)
    assert settings_row(admin_client.admin.space_id).from_email == ""


def test_from_name_is_saved_without_bidi_controls(admin_client):
    response = admin_client.submit(
        "/settings/email", form_data(from_name="Acme \u202emoc.live\u202c \u200fBilling\u2069")
    )
    assert response.status_code == 302
    assert settings_row(admin_client.admin.space_id).from_name == "Acme moc.live Billing"

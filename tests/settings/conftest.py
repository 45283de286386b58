import time

import pytest

from djaboo.extensions import db
from djaboo.settings.models import EmailSettings, MailCheck
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USERNAME
from tests.mail.hostile_smtp import hostile_smtp  # noqa: F401 (a fixture)

ENCRYPTION_FOR = {"none": "none", "starttls": "tls", "implicit": "ssl"}


# The signature, header and footer are per language (texts_<language>-<name>); these names
# stand for the space's default language, English in tests.
WRAPPER_TEXTS = ("signature_html", "header_html", "footer_html")


def form_data(**overrides) -> dict:
    """A complete, valid Settings → Email submission (a public host; no DNS needed)."""
    data = {
        "engine": "standard",
        "protocol": "smtp",
        "encryption": "tls",
        "host": "203.0.113.10",
        "port": "587",
        "from_email": "billing@acme.example",
        "from_name": "Acme Billing",
        "username": "",
        "password": "",
        "charset": "utf-8",
        "bcc_all": "",
        "signature_html": "<p>Regards, Acme</p>",
        "header_html": "<div>{companyname}</div>",
        "footer_html": "<p>Acme Ltd</p>",
        "pinned_sha256": "",
        "timeout_seconds": "10",
    }
    data.update({k: str(v) for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    for name in WRAPPER_TEXTS:
        if name in data:
            data[f"texts_en-{name}"] = data.pop(name)
    return data


def settings_row(space_id: int) -> EmailSettings:
    db.session.expire_all()
    return db.session.query(EmailSettings).filter_by(space_id=space_id).one()


def wait_for_check(check_id: int, timeout: float = 20) -> MailCheck:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        check = db.session.get(MailCheck, check_id)
        if check.status != "running":
            return check
        time.sleep(0.05)
    raise AssertionError(f"mail check {check_id} still running after {timeout}s")


@pytest.fixture
def admin_client(client, create_space, login):
    admin = create_space(name="Acme Ltd")
    login(client, admin)
    client.admin = admin
    return client


@pytest.fixture
def configure_for(admin_client, trust_test_ca):
    """configure_for(server, **form overrides): save settings that point at the SMTP fixture."""

    def save(server, **overrides):
        data = form_data(host="127.0.0.1", port=server.port, encryption=ENCRYPTION_FOR[server.tls])
        if server.tls != "none":
            data.update(username=SMTP_USERNAME, password=SMTP_PASSWORD)
        for name, value in overrides.items():
            data[f"texts_en-{name}" if name in WRAPPER_TEXTS else name] = str(value)
        response = admin_client.submit("/settings/email", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return save

import pytest

from djaboo.mail.host_policy import HostPolicy
from djaboo.mail.transports import TransportSettings
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USERNAME
from tests.mail.hostile_smtp import hostile_smtp  # noqa: F401 (a fixture)

LOOPBACK_ALLOWED = HostPolicy(allowed=("127.0.0.1",))
ENCRYPTION_FOR = {"none": "none", "starttls": "tls", "implicit": "ssl"}


@pytest.fixture(params=["standard", "alternative"])
def engine(request) -> str:
    """Every transport test runs over both SMTP client engines."""
    return request.param


@pytest.fixture
def settings_for(engine):
    """settings_for(server, **overrides) -> TransportSettings pointing at the fixture server."""

    def build(server, **overrides) -> TransportSettings:
        values = dict(
            protocol="smtp",
            engine=engine,
            encryption=ENCRYPTION_FOR[server.tls],
            host="127.0.0.1",
            port=server.port,
            timeout=5.0,
            host_policy=LOOPBACK_ALLOWED,
        )
        if server.tls != "none" or overrides.pop("login", False):
            values.update(username=SMTP_USERNAME, password=SMTP_PASSWORD)
        values.update(overrides)
        return TransportSettings(**values)

    return build

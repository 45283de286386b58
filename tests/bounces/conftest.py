"""Bounces and the Sent folder copy: the shop of tests/documents (idle_shop) sending through the
SMTP fixture, and a real Dovecot (tests/fixtures/dovecot.py)."""

from tests.fixtures.dovecot import dovecot, dovecot_tls  # noqa: F401 (fixtures)
from tests.notices.conftest import idle_shop  # noqa: F401 (a fixture)

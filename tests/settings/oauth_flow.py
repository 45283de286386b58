"""Helpers for the OAuth tests: save the settings for a provider, and walk the Connect flow
over real HTTP to the loopback authorization server (tests/fixtures/oauth_server.py)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from djaboo.settings.oauth_providers import CALLBACK_PATH
from tests.fixtures.database import TEST_BASE_URL
from tests.fixtures.oauth_server import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_MAILBOX
from tests.settings.conftest import form_data

CALLBACK = TEST_BASE_URL + CALLBACK_PATH
ENCRYPTION = {"starttls": "tls", "implicit": "ssl"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def location_of(url: str, data: dict | None = None) -> str:
    """Request the authorization server (really, over HTTP) and return where it redirects."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        _OPENER.open(urllib.request.Request(url, data=body), timeout=10)  # noqa: S310 (loopback)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.read()
        return exc.headers["Location"]
    raise AssertionError(f"{url} did not redirect")


def local(url: str) -> str:
    """The app's callback URL as a path for the test client."""
    assert url.startswith(TEST_BASE_URL), url
    return url[len(TEST_BASE_URL) :]


@dataclass
class OAuthSpace:
    client: object
    auth: object
    smtp: object
    provider: str

    def save(self, **overrides):
        data = form_data(
            protocol=f"{self.provider}_oauth",
            host="127.0.0.1",
            port=self.smtp.port,
            encryption=ENCRYPTION[self.smtp.tls],
            from_email=OAUTH_MAILBOX,
        )
        data.update(
            {
                "oauth-client_id": OAUTH_CLIENT_ID,
                "oauth-client_secret": OAUTH_CLIENT_SECRET,
                "oauth-tenant": "organizations",
            }
        )
        data.update({k: str(v) for k, v in overrides.items()})
        return self.client.submit("/settings/email", data)

    def start(self, client=None) -> str:
        """Click Connect: returns the provider URL the app sent the browser to."""
        response = (client or self.client).submit(
            "/settings/email/oauth/connect", page="/settings/email"
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"]

    def callback_for(self, authorize_url: str, data: dict | None = None) -> str:
        return local(location_of(authorize_url, data))

    def connect(self):
        """Connect as a browser would; returns the settings page the callback lands on."""
        response = self.client.get(self.callback_for(self.start()))
        assert response.status_code == 302, response.get_data(as_text=True)
        return self.client.get(response.headers["Location"])

"""Microsoft 365 and Google with OAuth 2.0, end to end with real parts: the loopback
authorization server (codes, PKCE, short-lived access tokens, rotating refresh tokens,
revocation) and an aiosmtpd server that accepts AUTH XOAUTH2 only with a token that server
says is valid; the worker delivers; both SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import MailPause, OutboxMessage
from djaboo.secrets_at_rest import decrypt
from djaboo.settings.oauth_models import EmailOAuth
from djaboo.settings.oauth_providers import CALLBACK_PATH
from djaboo.settings.oauth_tokens import current_access_token
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.fixtures.oauth_server import OAUTH_CLIENT_SECRET, OAUTH_MAILBOX
from tests.mail.test_worker import queue
from tests.settings.conftest import wait_for_check
from tests.settings.oauth_flow import CALLBACK, OAuthSpace

SMTP_TLS = {"microsoft": "starttls", "google": "implicit"}


@pytest.fixture(params=["microsoft", "google"])
def provider(request) -> str:
    return request.param


@pytest.fixture
def oauth_space(app, admin_client, oauth_server, smtp_server, trust_test_ca, provider):
    auth = oauth_server()
    auth.redirect_uris.add(CALLBACK)
    app.config.update(auth.config())
    admin_client.application.config.update(auth.config())
    smtp = smtp_server(tls=SMTP_TLS[provider], xoauth2=auth.token_valid)
    space = OAuthSpace(admin_client, auth, smtp, provider)
    response = space.save()
    assert response.status_code == 302, response.get_data(as_text=True)
    return space


def deliver_all():
    while worker.run_once(transport_settings_for_space):
        pass


def grant() -> EmailOAuth:
    db.session.expire_all()
    return db.session.execute(sa.select(EmailOAuth)).scalar_one()


def statuses(ids):
    db.session.expire_all()
    rows = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))).scalars()
    return sorted(r.status for r in rows)


def test_connect_then_send(oauth_space, provider):
    page = oauth_space.connect().get_data(as_text=True)
    assert f"Connected as {OAUTH_MAILBOX}" in page and "Disconnect" in page
    [asked] = oauth_space.auth.authorize_requests
    assert asked["code_challenge_method"] == "S256" and "prompt" not in asked
    assert asked["redirect_uri"] == CALLBACK
    row = grant()
    assert row.mailbox == OAUTH_MAILBOX and row.connected
    assert OAUTH_CLIENT_SECRET not in row.client_secret_encrypted  # encrypted at rest
    stored = row.refresh_token_encrypted + row.access_token_encrypted
    assert oauth_space.auth.issued and not any(t in stored for t in oauth_space.auth.issued)
    ids = queue(row.space_id, 2)
    deliver_all()
    assert statuses(ids) == ["sent", "sent"]
    assert [m.login for m in oauth_space.smtp.messages] == [OAUTH_MAILBOX] * 2
    assert oauth_space.auth.refreshes == 0  # the first token was still good


def test_an_expired_token_is_refreshed_then_sent(oauth_space):
    oauth_space.connect()
    before = decrypt(grant().refresh_token_encrypted)
    oauth_space.auth.expire_access_tokens()  # the server refuses it; we still think it good
    ids = queue(grant().space_id, 1)
    deliver_all()
    assert statuses(ids) == ["sent"]
    assert oauth_space.auth.refreshes == 1
    after = decrypt(grant().refresh_token_encrypted)
    assert after != before and after in oauth_space.auth.refresh  # the rotated one is kept


def test_a_token_about_to_expire_is_refreshed_before_use(oauth_space):
    oauth_space.auth.access_lifetime = 30  # shorter than the minute we keep in hand
    oauth_space.connect()
    ids = queue(grant().space_id, 1)
    deliver_all()
    assert statuses(ids) == ["sent"]
    assert oauth_space.auth.refreshes == 1
    assert len(oauth_space.smtp.handler.tokens_seen) == 1  # no refused try first


def test_two_workers_refreshing_at_once_refresh_once(app, oauth_space):
    oauth_space.auth.access_lifetime = 30
    oauth_space.connect()
    oauth_space.auth.access_lifetime = 3600
    oauth_space.auth.refresh_delay = 0.5  # both arrive while the first one is refreshing
    space_id = grant().space_id
    got, errors = [], []
    start = threading.Barrier(2)

    def work():
        with app.app_context():
            try:
                start.wait()
                got.append(current_access_token(space_id))
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert oauth_space.auth.refreshes == 1
    assert len(got) == 2 and got[0] == got[1]
    assert oauth_space.auth.token_valid(OAUTH_MAILBOX, got[0])


def test_a_revoked_grant_pauses_then_reconnect_sends_the_waiting_mail(oauth_space, provider):
    oauth_space.connect()
    oauth_space.auth.revoke(OAUTH_MAILBOX)
    space_id = grant().space_id
    ids = queue(space_id, 2)
    deliver_all()
    assert statuses(ids) == ["attention", "queued"]
    assert db.session.get(MailPause, space_id) is not None
    label = {"microsoft": "Microsoft 365", "google": "Google"}[provider]
    page = oauth_space.client.get("/settings/email").get_data(as_text=True)
    assert f"Reconnect {label}</a>: reconnecting sends the waiting emails." in page  # banner
    assert "saving them sends the waiting emails" not in page  # saving would not help
    assert f"{label} no longer accepts this connection" in page
    assert oauth_space.smtp.messages == []

    page = oauth_space.connect().get_data(as_text=True)
    assert "email(s) waiting for this connection are queued again" in page
    assert db.session.get(MailPause, space_id) is None
    deliver_all()
    assert statuses(ids) == ["sent", "sent"]
    assert len(oauth_space.smtp.messages) == 2


def test_consent_refused_is_said_in_words(oauth_space):
    authorize = oauth_space.start()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    callback = oauth_space.callback_for(authorize.split("?")[0], {**query, "decision": "deny"})
    page = oauth_space.client.get(callback, follow_redirects=True).get_data(as_text=True)
    assert "consent was refused" in page
    assert "Connected as" not in page


@pytest.mark.parametrize("provider", ["microsoft"])  # Tenant ID is Microsoft's
def test_an_unknown_tenant_is_said_with_what_to_fix(oauth_space, provider):
    assert oauth_space.save(**{"oauth-tenant": "nobody.example"}).status_code == 302
    callback = oauth_space.callback_for(oauth_space.start())
    page = oauth_space.client.get(callback, follow_redirects=True).get_data(as_text=True)
    assert "Microsoft does not know this Tenant ID" in page


def test_a_wrong_client_secret_is_said(oauth_space):
    assert oauth_space.save(**{"oauth-client_secret": "not-the-secret"}).status_code == 302
    callback = oauth_space.callback_for(oauth_space.start())
    page = oauth_space.client.get(callback, follow_redirects=True).get_data(as_text=True)
    assert "refused the Client ID or Client Secret" in page
    assert "not-the-secret" not in page


def test_state_of_another_session_forged_or_reused_is_refused(
    oauth_space, make_app, login, admin_client
):
    # Another browser session of the same admin cannot use this one's answer (login CSRF).
    other = admin_client.application.test_client()
    login(other, admin_client.admin)
    callback = oauth_space.callback_for(oauth_space.start())
    page = other.get(callback, follow_redirects=True).get_data(as_text=True)
    assert "does not belong to a Connect started here" in page
    # A forged state in the right session: refused too.
    callback = oauth_space.callback_for(oauth_space.start())
    forged = callback.replace("state=", "state=x")
    page = oauth_space.client.get(forged, follow_redirects=True).get_data(as_text=True)
    assert "does not belong to a Connect started here" in page
    assert not grant().connected
    # The real one works once; the same answer again is refused.
    assert "Connected as" in oauth_space.client.get(callback, follow_redirects=True).get_data(
        as_text=True
    )
    page = oauth_space.client.get(callback, follow_redirects=True).get_data(as_text=True)
    assert "does not belong to a Connect started here" in page


def test_no_token_in_any_page_reply_or_log(oauth_space, caplog):
    caplog.set_level(logging.DEBUG)
    oauth_space.connect()
    oauth_space.auth.expire_access_tokens()
    ids = queue(grant().space_id, 1)
    deliver_all()
    response = oauth_space.client.submit(
        "/settings/email/check", {"recipient": "someone@example.org"}, page="/settings/email"
    )
    check = wait_for_check(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert check.status == "succeeded", (check.summary, check.steps)
    report = oauth_space.client.get(f"/settings/email/checks/{check.id}").get_data(as_text=True)
    assert f"AUTH XOAUTH2 as {OAUTH_MAILBOX} (token hidden)" in report
    pages = report + oauth_space.client.get("/settings/email").get_data(as_text=True)
    db.session.expire_all()
    rows = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))).scalars()
    kept = pages + caplog.text + repr([(r.server_reply, r.last_error) for r in rows])
    kept += repr(check.steps) + check.summary
    auth = oauth_space.auth
    tokens = set(auth.access) | set(auth.refresh) | set(auth.smtp_tokens_issued())
    assert tokens
    for token in tokens:
        assert token not in kept
    assert OAUTH_CLIENT_SECRET not in kept


def test_a_from_address_other_than_the_mailbox_is_warned_unless_an_alias(oauth_space):
    oauth_space.connect()
    assert oauth_space.save(from_email="sales@acme.example").status_code == 302
    page = oauth_space.client.get("/settings/email").get_data(as_text=True)
    assert "is not the connected mailbox" in page and 'id="oauth-from-warning"' in page
    assert (
        oauth_space.save(
            from_email="sales@acme.example", **{"oauth-from_alias_confirmed": "y"}
        ).status_code
        == 302
    )
    page = oauth_space.client.get("/settings/email").get_data(as_text=True)
    assert 'id="oauth-from-warning"' not in page
    # The confirmation was for sales@: another From under the same tick is asked again.
    moved = {"from_email": "info@acme.example", "oauth-from_alias_confirmed": "y"}
    assert oauth_space.save(**moved).status_code == 302
    page = oauth_space.client.get("/settings/email").get_data(as_text=True)
    assert "info@acme.example is not the connected mailbox" in page
    assert oauth_space.save(**moved).status_code == 302  # ticked again, for this address
    page = oauth_space.client.get("/settings/email").get_data(as_text=True)
    assert 'id="oauth-from-warning"' not in page


def test_disconnect_forgets_the_grant_and_mail_waits(oauth_space):
    oauth_space.connect()
    response = oauth_space.client.submit("/settings/email/oauth/disconnect", page="/settings/email")
    assert response.status_code == 302
    row = grant()
    assert not row.connected and row.access_token_encrypted == "" and row.mailbox == ""
    page = oauth_space.client.get("/settings/email").get_data(as_text=True)
    assert "Connected as" not in page and "No mailbox is connected yet" in page
    ids = queue(row.space_id, 1)
    deliver_all()
    assert statuses(ids) == ["attention"]
    assert oauth_space.smtp.messages == []


def test_a_redirect_uri_mismatch_is_said_with_the_uri_to_register(oauth_space, provider):
    # Not registered at all: the provider's own sign-in page refuses and sends nothing back
    # (RFC 6749 4.1.2.1), so the settings page must already show the URI to register.
    oauth_space.auth.redirect_uris.clear()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(oauth_space.start(), timeout=10)  # noqa: S310 (loopback)
    assert refused.value.code == 400 and b"not supported" in refused.value.read()
    page = oauth_space.client.get("/settings/email").get_data(as_text=True)
    assert f'id="oauth-redirect-uri" readonly value="{CALLBACK}"' in page
    # Registered, but this app's address changed while connecting (another BASE_URL): the token
    # endpoint refuses the redirect URI sent, and the page says what to register, exactly.
    oauth_space.auth.redirect_uris.add(CALLBACK)
    callback = oauth_space.callback_for(oauth_space.start())
    moved = "https://mail.acme.example/billing"
    oauth_space.client.application.config["BASE_URL"] = moved
    page = oauth_space.client.get(callback, follow_redirects=True).get_data(as_text=True)
    label = {"microsoft": "Microsoft 365", "google": "Google"}[provider]
    assert f"{label} refused the redirect URI: it is not registered for this Client ID" in page
    assert f"add exactly {moved}{CALLBACK_PATH} (same scheme" in page
    assert f'readonly value="{moved}{CALLBACK_PATH}"' in page  # the field shows the same URI
    assert not grant().connected


@pytest.mark.parametrize("provider", ["google"])
def test_a_token_endpoint_outage_is_retried_later_not_a_pause(oauth_space, provider):
    oauth_space.connect()
    oauth_space.auth.expire_access_tokens()
    oauth_space.auth.outage = True
    ids = queue(grant().space_id, 1)
    deliver_all()
    assert statuses(ids) == ["retry"]  # a TransientError: tried again later, no banner
    [row] = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))).scalars()
    assert "Google's token endpoint could not be reached (HTTPError)" in row.last_error
    assert db.session.get(MailPause, grant().space_id) is None
    assert grant().connected and oauth_space.smtp.messages == []

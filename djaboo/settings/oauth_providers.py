"""Microsoft 365 and Google as OAuth 2.0 providers for SMTP: their endpoints (from the operator's
config, so a private cloud or a test can point elsewhere), scopes, SMTP defaults, the token
endpoint call, and their errors said in words with what to fix."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import secrets
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError

from djaboo.mail.texts import N_, Line

TOKEN_TIMEOUT = 15  # seconds for one call to a token endpoint
CALLBACK_PATH = "/settings/email/oauth/callback"


@dataclass(frozen=True)
class Provider:
    key: str
    label: str  # "Microsoft 365"
    protocol_label: str  # "Microsoft 365 (OAuth)"
    host: str
    port: int
    encryption: str
    scope: str


PROVIDERS = {
    "microsoft": Provider(
        "microsoft",
        "Microsoft 365",
        "Microsoft 365 (OAuth)",
        "smtp.office365.com",
        587,
        "tls",
        "https://outlook.office.com/SMTP.Send offline_access openid email",
    ),
    "google": Provider(
        "google",
        "Google",
        "Google (OAuth)",
        "smtp.gmail.com",
        465,
        "ssl",
        "https://mail.google.com/ openid email",
    ),
}
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")


class OAuthRefused(Exception):
    """The provider said no: `error` is its code (e.g. invalid_grant), str() says it in words."""

    def __init__(self, error: str, message: Line) -> None:
        super().__init__(message)
        self.error = error
        self.message = message  # a Line (djaboo/mail/texts.py): translated where it is shown


def valid_tenant(tenant: str) -> bool:
    return bool(_TENANT.match(tenant or ""))


def endpoints(provider: str, tenant: str, config: Mapping) -> tuple[str, str]:
    """(authorization URL, token URL) for the provider."""
    if provider == "microsoft":
        authority = config["OAUTH_MICROSOFT_AUTHORITY"].rstrip("/")
        tenant = tenant if valid_tenant(tenant) else "organizations"
        base = f"{authority}/{urllib.parse.quote(tenant)}/oauth2/v2.0"
        return f"{base}/authorize", f"{base}/token"
    return config["OAUTH_GOOGLE_AUTH_URL"], config["OAUTH_GOOGLE_TOKEN_URL"]


def sign_in_origin(provider: str, config: Mapping) -> str:
    """scheme://host[:port] of the provider's sign-in page (for the page's form-action)."""
    parts = urllib.parse.urlsplit(endpoints(provider, "organizations", config)[0])
    return f"{parts.scheme}://{parts.netloc}"


def redirect_uri(config: Mapping) -> str:
    return f"{(config.get('BASE_URL') or '').rstrip('/')}{CALLBACK_PATH}"


def new_verifier() -> str:
    """A PKCE code verifier (RFC 7636: 43 to 128 unreserved characters)."""
    return secrets.token_urlsafe(64)[:96]


def _client(provider: str, client_id: str, client_secret: str = "", **kw) -> OAuth2Session:
    return OAuth2Session(
        client_id,
        client_secret,
        token_endpoint_auth_method="client_secret_post" if client_secret else "none",
        scope=PROVIDERS[provider].scope,
        code_challenge_method="S256",
        default_timeout=TOKEN_TIMEOUT,
        **kw,
    )


def authorization_url(
    provider: str, tenant: str, client_id: str, state: str, verifier: str, config: Mapping
) -> str:
    """Where Connect sends the admin (Authlib adds the S256 challenge of `verifier`). No
    prompt=consent: consent is asked once, by the provider, when it has none yet (forcing it
    on every connect is the loop others suffer)."""
    auth_url, _ = endpoints(provider, tenant, config)
    extra = {"access_type": "offline"} if provider == "google" else {}  # a refresh token
    with _client(provider, client_id, redirect_uri=redirect_uri(config)) as client:
        url, _ = client.create_authorization_url(
            auth_url, state=state, code_verifier=verifier, **extra
        )
    return url


def endpoint_allowed(url: str) -> bool:
    """https only; plain http only to this machine (a test's or a local proxy's server)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def fetch_token(provider: str, url: str, client_id: str, client_secret: str, **params: str) -> dict:
    """Call the token endpoint with Authlib's client: a refresh when `params` holds
    refresh_token, else the code exchange (code, redirect_uri, code_verifier). Returns the
    answer; OAuthRefused when the provider says no, OSError when it cannot be reached or
    fails (5xx: try again later)."""
    no_token = Line(
        N_("%(provider)s answered without a token."), {"provider": PROVIDERS[provider].label}
    )
    if not endpoint_allowed(url):
        raise OAuthRefused(
            "endpoint", Line(N_("The token endpoint %(url)s must use https."), {"url": repr(url)})
        )
    # allow_redirects=False: a token endpoint answers; the secret is never sent on elsewhere.
    with _client(provider, client_id, client_secret) as client:
        try:
            if "refresh_token" in params:
                answer = client.refresh_token(url, allow_redirects=False, **params)
            else:
                answer = client.fetch_token(
                    url, grant_type="authorization_code", allow_redirects=False, **params
                )
        except OAuthError as exc:
            error = str(exc.error or "error")[:64]
            words = explain(provider, error, exc.description, params.get("redirect_uri", ""))
            raise OAuthRefused(error, words) from None
        except requests.HTTPError as exc:  # an answer that is not JSON
            status = exc.response.status_code if exc.response is not None else 0
            if status >= 500:
                raise
            raise OAuthRefused(f"http_{status}", explain(provider, f"http_{status}")) from None
        except ValueError:  # a 2xx or 3xx that is not a token answer
            raise OAuthRefused("no_token", no_token) from None
    if not answer.get("access_token"):
        raise OAuthRefused("no_token", no_token)
    return dict(answer)


def mailbox_from_id_token(id_token: str) -> str:
    """The signed-in mailbox from the ID token. Its signature is not checked: it came straight
    from the token endpoint over the connection we opened (OpenID Connect Core 3.1.3.7)."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ""
    if not isinstance(claims, dict):
        return ""
    value = claims.get("email") or claims.get("preferred_username") or claims.get("upn") or ""
    return str(value)[:254] if "@" in str(value) else ""


def explain(provider: str, error: str, description=None, redirect: str = "") -> Line:
    """A provider's error in words, with what to fix (never its raw text alone); `redirect`:
    the redirect URI this app sent, to name in a mismatch. A Line: its English is the str, and
    it is translated where shown (a flash, a report, the email log)."""
    label = {"provider": PROVIDERS.get(provider, PROVIDERS["microsoft"]).label}
    text = str(description or "")[:300]
    if error == "access_denied":
        return Line(
            N_(
                "%(provider)s sign-in was cancelled or consent was refused. Connect again and "
                "accept; if your organisation requires it, ask an administrator to grant "
                "consent to the app."
            ),
            label,
        )
    if "AADSTS50011" in text or error == "redirect_uri_mismatch":
        where = (
            Line(
                N_(
                    "Azure portal → Microsoft Entra ID → App registrations → your app → "
                    "Authentication → Web → Redirect URIs"
                )
            )
            if provider == "microsoft"
            else Line(
                N_(
                    "Google Cloud console → APIs & Services → Credentials → your OAuth client → "
                    "Authorized redirect URIs"
                )
            )
        )
        return Line(
            N_(
                "%(label)s refused the redirect URI: it is not registered for this Client ID. In "
                "%(where)s, add exactly %(uri)s (same scheme, host, path and no trailing slash), "
                "save, then connect again. If this app's address changed, set BASE_URL to it."
            ),
            {
                "label": label["provider"],
                "where": where,
                "uri": redirect or Line(N_("the redirect URI shown on this page")),
            },
        )
    if "AADSTS90002" in text or "AADSTS900023" in text or error == "invalid_tenant":
        return Line(
            N_(
                "Microsoft does not know this Tenant ID: enter your directory (tenant) ID or "
                "domain from the Azure portal, or organizations."
            )
        )
    if error in ("invalid_client", "unauthorized_client") or "AADSTS7000215" in text:
        return Line(
            N_(
                "%(provider)s refused the Client ID or Client Secret (or the secret expired): "
                "copy them again from the app registration."
            ),
            label,
        )
    if error == "invalid_grant":
        return Line(
            N_(
                "%(provider)s no longer accepts this connection (access was revoked, the "
                "password changed or the grant expired): Reconnect %(provider)s."
            ),
            label,
        )
    if error == "invalid_scope":
        return Line(
            N_("%(provider)s refused the permissions asked for: %(what)s"),
            {**label, "what": _scope_hint(provider)},
        )
    return Line(
        N_(
            "%(provider)s refused the sign-in (%(error)s). Check the app registration and "
            "connect again."
        ),
        {**label, "error": error},
    )


def _scope_hint(provider: str) -> Line:
    if provider == "microsoft":
        return Line(N_("add the delegated permissions SMTP.Send and offline_access to the app."))
    return Line(N_("add the scope https://mail.google.com/ to the OAuth consent screen."))

"""Microsoft 365 and Google as OAuth 2.0 providers for SMTP: their endpoints (from the operator's
config, so a private cloud or a test can point elsewhere), scopes, SMTP defaults, the token
endpoint call, and their errors said in words with what to fix."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from djaboo.mail.texts import N_, Line

TOKEN_TIMEOUT = 15  # seconds for one call to a token endpoint
MAX_RESPONSE = 64 * 1024  # a token response is a few kilobytes
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

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.message = message  # a Line (djaboo/mail/texts.py) when it is our words


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


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge), RFC 7636."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(
    provider: str, tenant: str, client_id: str, state: str, challenge: str, config: Mapping
) -> str:
    """Where Connect sends the admin. No prompt=consent: consent is asked once, by the
    provider, when it has none yet (forcing it on every connect is the loop others suffer)."""
    auth_url, _ = endpoints(provider, tenant, config)
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri(config),
        "scope": PROVIDERS[provider].scope,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if provider == "google":
        params["access_type"] = "offline"  # a refresh token, without forcing consent
    return f"{auth_url}?{urllib.parse.urlencode(params)}"


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


def call_token_endpoint(url: str, form: dict[str, str], provider: str) -> dict:
    """POST the form to the token endpoint; the JSON answer, or OAuthRefused / OSError."""
    if not endpoint_allowed(url):
        raise OAuthRefused(
            "endpoint", Line(N_("The token endpoint %(url)s must use https."), {"url": repr(url)})
        )
    request = urllib.request.Request(  # noqa: S310 (https, or http to loopback: checked above)
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Accept": "application/json", "User-Agent": "Djaboo-Mail"},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=TOKEN_TIMEOUT) as response:
            body = response.read(MAX_RESPONSE)
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_RESPONSE)
        answer = _json(body)
        error = str(answer.get("error") or f"http_{exc.code}")[:64]
        words = explain(provider, error, answer.get("error_description"))
        raise OAuthRefused(error, words) from None
    answer = _json(body)
    if not answer.get("access_token"):
        raise OAuthRefused(
            "no_token",
            Line(
                N_("%(provider)s answered without a token."),
                {"provider": PROVIDERS[provider].label},
            ),
        )
    return answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A token endpoint answers; it never sends the client secret on to somewhere else."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _json(body: bytes) -> dict:
    try:
        answer = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


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


def explain(provider: str, error: str, description=None) -> Line:
    """A provider's error in words, with what to fix (never its raw text alone). A Line: its
    English is the str, and it is translated where shown (a flash, a report, the email log)."""
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
        return Line(
            N_(
                "%(provider)s refused the redirect URI: register exactly the redirect URI shown "
                "on this page in the app registration."
            ),
            label,
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

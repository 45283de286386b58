"""Configuration: code defaults, then instance/config.py, then DJABOO_* environment variables.

`validate()` refuses contradictions and missing secrets with a sentence that says what to fix, so
a misconfigured production start fails loudly instead of running with a guessable key.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

# Keys an operator may set; each can come from instance/config.py or DJABOO_<KEY>.
DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # default: SQLite in the instance folder
    # Seconds. An unreachable database is a clear error page (503) after this long, not a hang.
    "DATABASE_CONNECT_TIMEOUT": 5,
    # Seconds one statement may run (0: no limit); SQLite: how long to wait for a write lock.
    # Migrations (`djaboo db upgrade`) lift it for their own transaction.
    "DATABASE_STATEMENT_TIMEOUT": 30,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set True in production behind HTTPS
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead; forms left open all day still work
    "PROXY_FIX_HOPS": 0,  # number of trusted reverse proxies in front of gunicorn
    "LOGIN_MAX_FAILURES": 5,  # per email address within LOGIN_FAILURE_WINDOW seconds
    "LOGIN_MAX_FAILURES_PER_IP": 30,
    "LOGIN_FAILURE_WINDOW": 15 * 60,
    # Forgot your password?: reset links asked for one address per window, and from one client
    # address per (shorter) window; beyond them the page answers the same and sends nothing.
    "PASSWORD_RESET_MAX_PER_EMAIL": 3,
    "PASSWORD_RESET_EMAIL_WINDOW": 60 * 60,
    "PASSWORD_RESET_MAX_PER_IP": 10,
    "PASSWORD_RESET_IP_WINDOW": 10 * 60,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Outgoing mail (operator policy, not the space admin's)
    "ENCRYPTION_KEY": None,  # Fernet key for stored SMTP passwords; never in the database
    "ENCRYPTION_OLD_KEYS": [],
    "SMTP_HOST_POLICY": "default",  # or "public-only" (also refuses private networks)
    "SMTP_ALLOWED_HOSTS": [],  # hosts or CIDRs exempt from the policy, e.g. ["127.0.0.1"]
    "SENDMAIL_COMMAND": ["/usr/sbin/sendmail", "-i"],  # recipients are passed after --
    "MAIL_COMMAND": ["/usr/sbin/sendmail", "-i"],
    "SMTP_LOCAL_HOSTNAME": None,  # name sent in EHLO; default: this machine's FQDN
    # OAuth 2.0 for SMTP (Microsoft 365, Google): where the sign-in and token endpoints are.
    "OAUTH_MICROSOFT_AUTHORITY": "https://login.microsoftonline.com",
    "OAUTH_GOOGLE_AUTH_URL": "https://accounts.google.com/o/oauth2/v2/auth",
    "OAUTH_GOOGLE_TOKEN_URL": "https://oauth2.googleapis.com/token",
    "TEST_EMAILS_PER_10_MINUTES": 5,
    # Connections one space's mail may use at once, over all workers (servers limit them).
    "MAIL_CONNECTIONS_PER_SPACE": 2,
    # Seconds a worker's claim on a batch lasts unless renewed: the worker renews it while it
    # works, and one message may take at most half of it; a dead worker's rows wait this long.
    "MAIL_CLAIM_LEASE_SECONDS": 300,
    # Settings → Email → DKIM → Check domain asks this DNS server ("host" or "host:port");
    # None: the system's resolvers (/etc/resolv.conf).
    "DNS_RESOLVER": None,
    # Seconds one PDF may take to draw before its renderer is stopped (a hostile document).
    "PDF_TIMEOUT": 30,
    # Public address of this installation; every link in an email starts with it ({crm_url},
    # {invoice_link}, {estimate_link}). No default: a guessed one (say http://127.0.0.1:5000)
    # sends customers links that point nowhere. `make run` and `djaboo run` supply the dev
    # server's own address; everything else must be told.
    "BASE_URL": None,
}

# Secret keys that show up in tutorials; running with one of them is as bad as running with none.
_WEAK_KEYS = {"dev", "secret", "changeme", "change-me", "development", "test", "please-change"}


class ConfigError(RuntimeError):
    """The configuration contradicts itself or lacks something required."""


def load(app: Flask, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, instance/config.py, DJABOO_* env and test overrides."""
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("DJABOO")
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)


def database_uri(app: Flask) -> str:
    """The SQLAlchemy URL; plain postgres URLs are pointed at psycopg 3, which we ship."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(app.instance_path) / "djaboo.sqlite3")
    url = str(url)
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def uses_instance_folder(app: Flask) -> bool:
    """Whether the database is a SQLite file inside the instance folder (then it must exist)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    return uri.startswith("sqlite:///" + str(Path(app.instance_path)) + "/")


def validate(config: dict) -> None:
    """Refuse to start with a configuration that would be unsafe or cannot work."""
    key = config.get("SECRET_KEY")
    if not key or not isinstance(key, str | bytes):
        raise ConfigError(
            "No SECRET_KEY is set. Set DJABOO_SECRET_KEY (or SECRET_KEY in instance/config.py) "
            'to a long random value, e.g. python -c "import secrets; print(secrets.token_hex(32))".'
        )
    if len(key) < 24 or str(key).lower() in _WEAK_KEYS:
        raise ConfigError(
            "SECRET_KEY is too short or a well-known placeholder; "
            "use at least 24 random characters."
        )
    from djaboo.mail.host_policy import POLICIES
    from djaboo.secrets_at_rest import validate_keys

    problem = validate_keys(config)
    if problem:
        raise ConfigError(problem)
    if config.get("SMTP_HOST_POLICY") not in POLICIES:
        raise ConfigError(f"SMTP_HOST_POLICY must be one of: {', '.join(POLICIES)}.")
    for key in ("SENDMAIL_COMMAND", "MAIL_COMMAND"):
        if isinstance(config.get(key), str):
            config[key] = shlex.split(config[key])
        if not config.get(key):
            raise ConfigError(f"{key} must name a program, e.g. /usr/sbin/sendmail -i.")
    connections = config.get("MAIL_CONNECTIONS_PER_SPACE")
    if not isinstance(connections, int) or not 1 <= connections <= 50:
        raise ConfigError("MAIL_CONNECTIONS_PER_SPACE must be a whole number from 1 to 50.")
    lease = config.get("MAIL_CLAIM_LEASE_SECONDS")
    if not _is_number(lease) or not 2 <= lease <= 3600:
        raise ConfigError(
            f"MAIL_CLAIM_LEASE_SECONDS must be a number of seconds from 2 to 3600, not {lease!r}."
        )
    _validate_database_timeouts(config)
    pdf_timeout = config.get("PDF_TIMEOUT")
    if not isinstance(pdf_timeout, int | float) or not 1 <= pdf_timeout <= 600:
        raise ConfigError("PDF_TIMEOUT must be a number of seconds from 1 to 600.")
    hops = config.get("PROXY_FIX_HOPS")
    if not isinstance(hops, int) or hops < 0:
        raise ConfigError("PROXY_FIX_HOPS must be a whole number of trusted proxies (0 or more).")
    # Checked whenever given; whether it must be given depends on the process (require_base_url).
    config["BASE_URL"] = normalized_base_url(config.get("BASE_URL"))


BASE_URL_MISSING = (
    "BASE_URL is not set: links in emails would point nowhere. Set DJABOO_BASE_URL (or BASE_URL "
    "in instance/config.py) to the address customers use to reach this installation, "
    "e.g. https://billing.example.com."
)


def require_base_url(config: dict) -> str:
    """BASE_URL of a process that composes emails; a ConfigError says how to set it."""
    base_url = normalized_base_url(config.get("BASE_URL"))
    if not base_url:
        raise ConfigError(BASE_URL_MISSING)
    return base_url


def normalized_base_url(value: object) -> str | None:
    """The address without its trailing slash (links add "/p/..."), None when unset.

    A path is kept: behind a proxy that serves the app under /billing, BASE_URL ends in /billing
    and gunicorn runs with SCRIPT_NAME=/billing (see the README)."""
    if value is None or value == "":
        return None
    example = "such as https://billing.example.com or https://example.com/billing"
    if not isinstance(value, str) or any(c.isspace() or ord(c) < 32 for c in value):
        raise ConfigError(f"BASE_URL must be a web address without spaces, {example}.")
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed [IPv6 address
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"BASE_URL must start with http:// or https:// and name a host, {example}; "
            f"not {value!r}."
        )
    try:
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number 0-65535)
    except ValueError:
        raise ConfigError(
            f"BASE_URL has a port that is not a number up to 65535: {value!r}."
        ) from None
    if "?" in value or "#" in value:
        raise ConfigError(
            "BASE_URL must not contain ? or #: links are made by adding a path to it; "
            f"not {value!r}."
        )
    if parts.hostname in ("0.0.0.0", "::"):  # noqa: S104  (compared, not bound)
        raise ConfigError(
            f"BASE_URL names {parts.hostname}, where a server listens, not an address anyone "
            "can open: use this machine's name or IP address."
        )
    if "@" in parts.netloc:
        raise ConfigError(
            "BASE_URL must not contain a user name or password: every customer would receive "
            "them in their links."
        )
    return f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}"


def _validate_database_timeouts(config: dict) -> None:
    connect = config.get("DATABASE_CONNECT_TIMEOUT")
    # psycopg waits at least 2 s whatever it is told, and counts whole seconds.
    if not _is_number(connect) or connect != int(connect) or not 2 <= connect <= 300:
        raise ConfigError(
            f"DATABASE_CONNECT_TIMEOUT must be a whole number of seconds from 2 to 300, "
            f"not {connect!r}."
        )
    statement = config.get("DATABASE_STATEMENT_TIMEOUT")
    if not _is_number(statement) or statement < 0 or 0 < statement < 1:
        raise ConfigError(
            "DATABASE_STATEMENT_TIMEOUT must be a number of seconds, at least 1 "
            f"(or 0 for no limit), not {statement!r}."
        )


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

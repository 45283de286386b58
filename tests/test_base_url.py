"""BASE_URL: every link in an email starts with it, so no process that composes emails runs
without it, `make run` and `djaboo run` give it their own address, and links open."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import flask.cli
import pytest
from click.testing import CliRunner

from djaboo import create_app
from djaboo.cli import main
from djaboo.config import ConfigError
from tests.fixtures.database import TEST_ENCRYPTION_KEY, TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MISSING = "BASE_URL is not set: links in emails would point nowhere. Set DJABOO_BASE_URL"


@pytest.fixture
def bare_env(tmp_path, monkeypatch):
    """The environment of a fresh installation: secrets and an instance folder, no BASE_URL."""
    monkeypatch.delenv("DJABOO_BASE_URL", raising=False)
    env = {
        "DJABOO_SECRET_KEY": TEST_SECRET_KEY,
        "DJABOO_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "DJABOO_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_gunicorn_start_without_base_url_is_refused(bare_env):
    result = subprocess.run(
        [BIN / "gunicorn", "--check-config", "wsgi:app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert MISSING in result.stdout + result.stderr


def test_app_without_base_url_is_refused_with_how_to_set_it(bare_env):
    with pytest.raises(ConfigError) as refused:
        create_app()
    assert str(refused.value) == (
        "BASE_URL is not set: links in emails would point nowhere. Set DJABOO_BASE_URL (or "
        "BASE_URL in instance/config.py) to the address customers use to reach this "
        "installation, e.g. https://billing.example.com."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("billing.example.com", "must start with http:// or https:// and name a host"),
        ("ftp://billing.example.com", "must start with http:// or https://"),
        ("https://", "must start with http:// or https:// and name a host"),
        ("https://billing.example.com:99999", "has a port that is not a number up to 65535"),
        ("https://billing.example.com:https", "has a port that is not a number up to 65535"),
        ("http://[::1:5000", "must start with http:// or https:// and name a host"),
        ("https://billing.example.com/?space=1", "must not contain \\? or #"),
        ("https://billing.example.com/#top", "must not contain \\? or #"),
        ("https://bill ing.example.com", "must be a web address without spaces"),
        ("https://billing.example.com\n", "must be a web address without spaces"),
        ("https://admin:pw@billing.example.com", "must not contain a user name or password"),
        ("http://0.0.0.0:5000", "names 0.0.0.0, where a server listens"),
        (42, "must be a web address"),
    ],
)
def test_bad_base_url_is_refused(bare_env, monkeypatch, value, message):
    with pytest.raises(ConfigError, match=f"^BASE_URL {message}"):
        create_app({"BASE_URL": value})
    if isinstance(value, str):  # the same from the environment
        monkeypatch.setenv("DJABOO_BASE_URL", value)
        with pytest.raises(ConfigError, match=f"^BASE_URL {message}"):
            create_app()


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://billing.example.com/", "https://billing.example.com"),
        ("HTTPS://example.com/billing//", "https://example.com/billing"),
        ("http://[::1]:5123", "http://[::1]:5123"),
    ],
)
def test_base_url_loses_its_trailing_slash(bare_env, monkeypatch, value, kept):
    monkeypatch.setenv("DJABOO_BASE_URL", value)
    assert create_app().config["BASE_URL"] == kept


def djaboo(*args: str, env: dict | None = None):
    """The real `djaboo` command, in this process."""
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_admin_commands_work_without_base_url_mail_commands_do_not(bare_env):
    assert djaboo("db", "upgrade").exit_code == 0
    listing = djaboo("spaces", "list")
    assert listing.exit_code == 0 and "No spaces yet" in listing.output
    drain = djaboo("mail", "worker", "--once")  # sends what is composed already, composes nothing
    assert drain.exit_code == 0 and "0 email(s) handled." in drain.output
    for command in (["reminders", "run"], ["mail", "worker"]):
        refused = djaboo(*command)
        assert refused.exit_code == 1
        assert refused.output.startswith(f"Error: {MISSING}"), refused.output


@pytest.fixture
def served(monkeypatch):
    """What `djaboo run` hands to the development server (which is not started)."""
    apps = []
    monkeypatch.setattr(flask.cli, "run_simple", lambda host, port, app, **_: apps.append(app))
    return apps


def test_djaboo_run_links_to_its_own_address(bare_env, served):
    assert djaboo("run", "--port", "5123").exit_code == 0
    assert djaboo("run", "--host", "::1", "--port", "5124").exit_code == 0
    assert [app.config["BASE_URL"] for app in served] == [
        "http://127.0.0.1:5123",
        "http://[::1]:5124",
    ]


def test_djaboo_run_keeps_a_base_url_it_is_given(bare_env, served):
    result = djaboo("run", "--port", "5123", env={"DJABOO_BASE_URL": "https://x.example/b/"})
    assert result.exit_code == 0
    assert served[0].config["BASE_URL"] == "https://x.example/b"


def test_djaboo_run_on_every_address_asks_for_base_url(bare_env, served):
    result = djaboo("run", "--host", "0.0.0.0")  # noqa: S104
    assert result.exit_code == 1 and not served
    assert "names 0.0.0.0, where a server listens" in result.output
    assert "Set DJABOO_BASE_URL." in result.output


def make_run_commands(port: str, env: dict) -> dict[str, str]:
    """`make -n run` (nothing is executed): the command line of each process, by name."""
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    script = result.stdout.replace("\\\n", " ")
    commands = [c.strip() for c in re.split(r"[;&\n]", script)]
    return {
        name: next(c for c in commands if f"djaboo {name}" in c)
        for name in ("run", "mail worker", "demo", "db upgrade")
    }


def test_make_run_links_follow_its_port(monkeypatch):
    monkeypatch.delenv("DJABOO_BASE_URL", raising=False)
    commands = make_run_commands("5123", dict(os.environ))
    for composes_emails in ("run", "mail worker"):
        assert "DJABOO_BASE_URL='http://127.0.0.1:5123' " in commands[composes_emails]
    assert "--port 5123" in commands["run"]
    for admin in ("demo", "db upgrade"):
        assert "BASE_URL" not in commands[admin]
    given = make_run_commands("5123", {**os.environ, "DJABOO_BASE_URL": "https://t.example"})
    assert "DJABOO_BASE_URL='https://t.example' " in given["mail worker"]
    assert "DJABOO_BASE_URL='https://t.example' " in given["run"]

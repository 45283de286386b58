"""BASE_URL: every link in an email starts with it, so no process that composes emails runs
without it, `make run` and `djaboo run` give it their own address, and links open."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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

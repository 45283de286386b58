"""The layers: the mail core imports no feature and no Flask request; the template editor does
not import documents (documents register what they add, the core and the editor look it up).

Every import counts, also one inside a function. (ast.parse here is the one tests/conftest.py
guards against gh-106905.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEATURES = (
    "djaboo.documents",
    "djaboo.settings",
    "djaboo.staff",
    "djaboo.spaces",
    "djaboo.email_templates",
    "djaboo.notices",
)
# What belongs to one request: the request itself, its session, g, the signed-in user.
REQUEST_NAMES = {
    "flask": {"request", "session", "g"},
    "flask_login": {"current_user", "login_required", "login_user", "logout_user"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, name: str, is_package: bool = False) -> set[str]:
    """Every name the module `name` imports: modules, and module.attribute for `from` imports
    and for attributes read from an imported module (flask.request)."""
    tree = ast.parse(source)
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
                aliases[alias.asname or alias.name.partition(".")[0]] = (
                    alias.name if alias.asname else alias.name.partition(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            found.add(f"{aliases[node.value.id]}.{node.attr}")
    return found


def forbidden(names: set[str], packages, request_names=None) -> list[str]:
    bad = [n for n in names for p in packages if n == p or n.startswith(p + ".")]
    for module, attributes in (request_names or {}).items():
        bad += [n for n in names if n in {f"{module}.{a}" for a in attributes}]
    return sorted(set(bad))


def modules_under(package: str) -> list[Path]:
    paths = sorted((ROOT / package.replace(".", "/")).rglob("*.py"))
    assert paths, f"no modules found under {package}"
    return paths


def imports_of(path: Path) -> set[str]:
    return imported(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


@pytest.mark.parametrize("path", modules_under("djaboo.mail"), ids=lambda p: p.name)
def test_the_mail_core_imports_no_feature_and_no_request(path):
    assert forbidden(imports_of(path), FEATURES, REQUEST_NAMES) == []


@pytest.mark.parametrize("path", modules_under("djaboo.email_templates"), ids=lambda p: p.name)
def test_the_template_editor_does_not_import_documents(path):
    assert forbidden(imports_of(path), ["djaboo.documents"]) == []


def test_the_mail_core_walk_covers_its_subpackages():
    names = {module_name(p) for p in modules_under("djaboo.mail")}
    assert {"djaboo.mail.claims", "djaboo.mail.fields", "djaboo.mail.transports.smtp"} <= names


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import djaboo.documents.models", "djaboo.documents.models"),
        ("from djaboo.spaces.models import Space", "djaboo.spaces.models"),
        ("from djaboo import settings", "djaboo.settings"),
        ("def f():\n    from djaboo.staff.models import User", "djaboo.staff.models"),
        ("from ..email_templates import catalogue", "djaboo.email_templates"),
        ("from flask import request", "flask.request"),
        ("from flask import current_app, g", "flask.g"),
        ("import flask\ndef f():\n    return flask.session", "flask.session"),
        ("import flask_login as fl\nfl.current_user", "flask_login.current_user"),
        ("def f():\n    from flask_login import current_user", "flask_login.current_user"),
    ],
)
def test_the_walk_finds_each_way_of_importing(source, found):
    assert found in forbidden(imported(source, "djaboo.mail.claims"), FEATURES, REQUEST_NAMES)


def test_relative_imports_are_resolved_from_the_module_or_package():
    deep = imported("from ...documents import models", "djaboo.mail.transports.smtp")
    package = imported("from ...spaces import clock", "djaboo.mail.transports", is_package=True)
    assert forbidden(deep | package, FEATURES) == [
        "djaboo.documents",
        "djaboo.documents.models",
        "djaboo.spaces",
        "djaboo.spaces.clock",
    ]


def test_what_the_mail_core_may_use_is_not_flagged():
    names = imported(
        "import sqlalchemy as sa\nfrom flask import current_app\nfrom djaboo.db import utcnow\n"
        "from djaboo.extensions import db\nfrom .outbox import OutboxMessage",
        "djaboo.mail.claims",
    )
    assert "djaboo.mail.outbox" in names
    assert forbidden(names, FEATURES, REQUEST_NAMES) == []

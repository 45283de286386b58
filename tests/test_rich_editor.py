"""The rich-text editor: its vendored files say what they are, every HTML field is marked for it,
and only the pages that hold it allow inline styles (never inline scripts)."""

import hashlib
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db
from djaboo.security_headers import CONTENT_SECURITY_POLICY, RICH_EDITOR_POLICY

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
MACRO = ROOT / "templates" / "_macros" / "rich_editor.html"


def vendored_editor() -> Path:
    [folder] = [p for p in VENDOR.iterdir() if p.name.startswith("jodit-")]
    return folder


def test_vendored_editor_has_its_licence_version_and_origin():
    folder = vendored_editor()
    version = folder.name.removeprefix("jodit-")
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert sorted(p.name for p in folder.iterdir()) == [
        "LICENSE.txt",
        "README.txt",
        "jodit.min.css",
        "jodit.min.js",
    ]
    licence = (folder / "LICENSE.txt").read_text()
    assert "Permission is hereby granted, free of charge" in licence  # MIT
    readme = (folder / "README.txt").read_text()
    assert re.search(rf"^Version:\s+{re.escape(version)}$", readme, re.M)
    assert f"https://www.npmjs.com/package/jodit/v/{version}" in readme
    assert f"npm install --no-audit --no-fund jodit@{version}" in readme
    script = (folder / "jodit.min.js").read_bytes()
    assert f"Version: v{version}".encode() in script[:500]  # the build's own banner
    for name in ("jodit.min.js", "jodit.min.css"):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme, f"README.txt has another SHA-256 for {name}"
    # The pages load exactly this folder, and nothing is built at install time.
    assert f'RICH_EDITOR_VENDOR = "vendor/{folder.name}"' in MACRO.read_text()
    assert not (ROOT / "package.json").exists() and not (ROOT / "node_modules").exists()


@pytest.fixture
def admin_client(client, create_space, login):
    admin = create_space(name="Acme Ltd")
    login(client, admin)
    client.admin = admin
    return client


def editor_pages(client, create_customer, create_invoice):
    admin = client.admin
    customer = create_customer(admin.space, contacts=[("Jane", "Doe", "jane@example.org")])
    invoice = create_invoice(customer, admin)
    template = (
        db.session.execute(
            sa.select(EmailTemplate).where(
                EmailTemplate.space_id == admin.space_id, EmailTemplate.event == "invoice_sent"
            )
        )
        .scalars()
        .first()
    )
    return {
        "/staff/profile": ["signature_html"],
        "/settings/email": [  # one set per language
            f"texts_{language}-{name}"
            for language in ("en", "fr", "ja")
            for name in ("signature_html", "header_html", "footer_html")
        ],
        f"/email-templates/{template.id}": ["body_html"],
        f"/invoices/{invoice.id}/send": ["body_html"],
    }


def test_every_html_field_is_an_editor_on_a_page_that_allows_its_styles_only(
    admin_client, create_customer, create_invoice
):
    folder = vendored_editor().name
    editor_pages_seen = editor_pages(admin_client, create_customer, create_invoice)
    for url, fields in editor_pages_seen.items():
        response = admin_client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        for name in fields:
            assert re.search(rf'<textarea[^>]*data-rich-editor="[a-z]+"[^>]*name="{name}"', html), (
                url,
                name,
            )
        assert f'src="/static/vendor/{folder}/jodit.min.js"' in html, url
        assert 'src="/static/js/rich_editor.js"' in html, url
        policy = response.headers["Content-Security-Policy"]
        assert policy == RICH_EDITOR_POLICY, url
        assert "style-src 'self' 'unsafe-inline';" in policy
        assert "script-src 'self';" in policy  # scripts stay as strict
    send_page = admin_client.get(next(u for u in editor_pages_seen if u.endswith("/send")))
    assert 'class="merge-field" data-field="{invoice_number}"' in send_page.get_data(as_text=True)
    home = admin_client.get("/")
    assert home.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "jodit" not in home.get_data(as_text=True)


def test_signatures_start_lines_and_bodies_paragraphs(admin_client):
    html = admin_client.get("/settings/email").get_data(as_text=True)
    for language in ("en", "fr", "ja"):
        signature, header = f"texts_{language}-signature_html", f"texts_{language}-header_html"
        assert re.search(rf'<textarea[^>]*data-rich-editor="lines"[^>]*name="{signature}"', html)
        assert re.search(rf'<textarea[^>]*data-rich-editor="html"[^>]*name="{header}"', html)

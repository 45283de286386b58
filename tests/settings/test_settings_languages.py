"""Settings → Email, its Send Test Email / Check Connection reports and Email Templates in French
and Japanese: labels, report lines and event names come translated; the server's own words in a
report stay as the server wrote them. (English is what every other test of these pages reads.)

Until the profile has a Language of its own, a staff page follows the space's default language."""

from __future__ import annotations

import html
import json

import pytest
import sqlalchemy as sa

from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db
from djaboo.spaces.models import Space
from tests.settings.conftest import form_data, wait_for_check

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def read_in(client, language: str) -> None:
    space = db.session.get(Space, client.admin.space_id)
    space.default_language = language
    db.session.commit()


def read(client, path: str) -> str:
    """The page's HTML with entities decoded (French apostrophes are &#39; in it)."""
    return html.unescape(client.get(path).get_data(as_text=True))


def start(client, path, recipient):
    response = client.submit(path, {"recipient": recipient}, page="/settings/email")
    assert response.status_code == 302, response.get_data(as_text=True)
    return wait_for_check(int(response.headers["Location"].rsplit("/", 1)[1]))


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        (
            "fr",
            [
                "<h1>Paramètres → E-mail</h1>",
                ">Hôte SMTP</label>",
                ">Chiffrement de l'e-mail</label>",
                ">Envoyer un e-mail de test</button>",
                ">Vérifier la connexion</button>",
                "<h2>Rebonds</h2>",
                ">Aucun</option>",
            ],
            ["Send Test Email", "SMTP Host", "Bounce mailbox", "Wrapped around every email"],
        ),
        (
            "ja",
            [
                "<h1>設定 → メール</h1>",
                ">SMTPホスト</label>",
                ">暗号化方式</label>",
                ">テストメール送信</button>",
                ">接続確認</button>",
                "<h2>バウンス</h2>",
                ">なし</option>",
            ],
            ["Send Test Email", "SMTP Host", "Bounce mailbox", "Wrapped around every email"],
        ),
    ],
)
def test_the_settings_page_speaks_the_readers_language(admin_client, language, words, english):
    read_in(admin_client, language)
    page = read(admin_client, "/settings/email")
    for word in words:
        assert word in page, word
    for word in english:
        assert word not in page, word
    # A provider preset's note reaches the page's script (JSON, non-ASCII escaped) translated.
    note = {"fr": "Gmail accepte SSL sur 465", "ja": "Gmail はポート 465 の SSL"}[language]
    assert json.dumps(note)[1:-1] in page


@SQLITE_ONLY
def test_a_form_error_is_in_the_readers_language(admin_client):
    read_in(admin_client, "ja")
    response = admin_client.submit(
        "/settings/email", form_data(host="not a host", port="587", encryption="ssl")
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "有効なホスト名または IP アドレスではありません。" in page
    assert "保存されていません。下記の項目を修正してください。" in page


def test_a_check_connection_report_in_japanese_and_french(admin_client, smtp_server, configure_for):
    """Runs on both engines: the report's lines are stored as msgid and params (JSON)."""
    server = smtp_server()
    configure_for(server)
    check = start(admin_client, "/settings/email/check", "someone@example.org")
    assert check.status == "succeeded", check.summary
    report = f"/settings/email/checks/{check.id}"

    read_in(admin_client, "ja")
    page = read(admin_client, report)
    assert "<strong>接続できました。</strong>" in page
    assert (
        "接続できます。サーバーは billing@acme.example から someone@example.org へのメールを"
        "受け付けます。メールは送信していません。"
    ) in page
    assert "<h2>ステップごとの結果</h2>" in page and "<td>名前解決</td>" in page
    assert f"127.0.0.1 のポート {server.port} に接続しました" in page
    assert "<td>EHLO</td>" in page and "<td>RCPT</td>" in page  # commands are not words
    assert "TO:<someone@example.org> 250" in page  # the server's reply, verbatim
    assert "Connection works." not in page and "Step by step" not in page

    read_in(admin_client, "fr")
    page = read(admin_client, report)
    assert "<strong>La connexion fonctionne.</strong>" in page
    assert f"connecté à 127.0.0.1 port {server.port}" in page
    assert "<td>Résolution</td>" in page and "✓ réussi" in page

    read_in(admin_client, "en")  # and English is what it always was
    page = read(admin_client, report)
    assert "The connection works: the server would accept mail from billing@acme.example" in page
    assert f"connected to 127.0.0.1 port {server.port}" in page and "<td>Resolve</td>" in page


@SQLITE_ONLY
def test_a_failed_test_email_report_says_what_to_do_in_french(
    admin_client, closed_port, configure_for
):
    class Down:
        tls, port = "none", closed_port

    configure_for(Down)
    check = start(admin_client, "/settings/email/test", "me@acme.example")
    assert check.status == "failed" and "Nothing accepts connections" in check.summary
    read_in(admin_client, "fr")
    page = read(admin_client, f"/settings/email/checks/{check.id}")
    assert "<strong>Échec de l'e-mail de test.</strong>" in page
    assert f"Rien n'accepte de connexion sur 127.0.0.1:{closed_port} (127.0.0.1)." in page
    assert "<strong>Que faire :</strong> Vérifiez l'hôte SMTP et le port SMTP" in page
    assert "Nothing accepts" not in page


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["<h1>Modèles d'e-mail</h1>", "E-mail de test", "Devis accepté (au personnel)"]),
        (
            "ja",
            [
                "<h1>メールテンプレート</h1>",
                "テストメール",
                "見積書の承諾（スタッフ宛）",
                ">編集</a>",
            ],
        ),
    ],
)
def test_the_email_templates_list_and_editor_speak_the_readers_language(
    admin_client, language, words
):
    read_in(admin_client, language)
    page = read(admin_client, "/email-templates")
    for word in words:
        assert word in page, word
    # (The menu is base.html's: translated with the frame, not here.)
    assert "Estimate accepted (to staff)" not in page and "<h1>Email Templates</h1>" not in page

    template = db.session.execute(
        sa.select(EmailTemplate).where(
            EmailTemplate.space_id == admin_client.admin.space_id,
            EmailTemplate.event == "test_email",
            EmailTemplate.language == "en",
        )
    ).scalar_one()
    page = read(admin_client, f"/email-templates/{template.id}")
    # Merge-field descriptions come from the mail core's registrations, translated at display.
    described = (
        "Le nom de votre entreprise (l'espace)" if language == "fr" else "会社名（スペース名）"
    )
    assert described in page and "Your company's name" not in page

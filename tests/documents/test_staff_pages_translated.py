"""The staff side of documents in the reader's language (#13 item 1): the invoice list, an
invoice's page, its send page and the email log, in French and Japanese for a staff member
whose space speaks them, and word for word as before in English (the tests and the issues
click and read those words). The sheet inside an invoice's page stays the customer's."""

from __future__ import annotations

import html
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from djaboo.documents import email_words
from djaboo.extensions import db
from djaboo.mail.outbox import ORIGINS, STATUS_LABELS, OutboxMessage
from djaboo.mail.recipient_results import OUTCOME_LABELS, recipient_summary
from djaboo.spaces.models import Space
from tests.documents.conftest import send_form

# What each page must say, per language; every list is checked on its page.
WORDS = {
    "en": {
        "list": ["<h1>Invoices</h1>", "New invoice", ">Unpaid</span>", ">All</a>", "Search"],
        "invoice": [
            "<h1>Invoice INV-000001 ",
            ">Send invoice</a>",
            ">Cancel this invoice</button>",
            "<h2>Public link</h2>",
            "<h2>Record a payment</h2>",
            ">Queued</span>",
            "<th>Server's answer</th>",
        ],
        "send": [
            "<h1>Send invoice INV-000001</h1>",
            ">Start from the template</label>",
            'value="send" class="primary">Send</button>',
            ">Preview</button>",
            "Leave it empty to send now.",
        ],
        "log": ["<h1>Emails</h1>", ">Queued</span>", ">Resend</button>", "<th>Sent by</th>"],
    },
    "fr": {
        "list": ["<h1>Factures</h1>", "Nouvelle facture", ">Non payée</span>", ">Tous</a>"],
        "invoice": [
            "<h1>Facture INV-000001 ",
            ">Envoyer la facture</a>",
            ">Annuler cette facture</button>",
            "<h2>Lien public</h2>",
            "<h2>Enregistrer un paiement</h2>",
            ">En file d'attente</span>",
            "<th>Réponse du serveur</th>",
        ],
        "send": [
            "<h1>Envoyer la facture INV-000001</h1>",
            ">Partir du modèle</label>",
            'value="send" class="primary">Envoyer</button>',
            ">Aperçu</button>",
            "Laissez vide pour envoyer maintenant.",
        ],
        "log": ["<h1>E-mails</h1>", ">En file d'attente</span>", ">Renvoyer</button>"],
    },
    "ja": {
        "list": ["<h1>請求書</h1>", "請求書を作成", ">未入金</span>", ">すべて</a>"],
        "invoice": [
            "<h1>請求書 INV-000001 ",
            ">請求書を送信</a>",
            ">この請求書を取り消す</button>",
            "<h2>公開リンク</h2>",
            "<h2>入金を記録</h2>",
            ">送信待ち</span>",
            "<th>サーバーの応答</th>",
        ],
        "send": [
            "<h1>請求書 INV-000001 を送信</h1>",
            ">テンプレートを選択</label>",
            'value="send" class="primary">送信</button>',
            ">プレビュー</button>",
            "空欄のままにすると今すぐ送信します。",
        ],
        "log": ["<h1>メール</h1>", ">送信待ち</span>", ">再送信</button>", "<th>送信者</th>"],
    },
}
# English words that must be gone from a translated page (the product's own, not the data's).
ENGLISH_ONLY = [
    ">Send invoice<",
    ">Public link<",
    "Server's answer",
    ">Queued<",
    ">Preview</button>",
    ">Unpaid</span>",
    ">Resend<",
]


@pytest.mark.parametrize("language", ["en", "fr", "ja"])
def test_documents_pages_in_the_staff_members_language(idle_shop, language):
    client, invoice = idle_shop.client, idle_shop.invoice
    idle_shop.customer.language = "en"  # the customer reads English, whoever sends
    db.session.commit()
    sent = client.post(f"/invoices/{invoice.id}/send", data=send_form(client, invoice.id))
    assert sent.status_code == 302
    # Until staff choose their own language, a space's default language is theirs.
    space = db.session.get(Space, idle_shop.admin.space_id)
    space.default_language = language
    db.session.commit()
    pages = {
        "list": "/invoices",
        "invoice": f"/invoices/{invoice.id}",
        "send": f"/invoices/{invoice.id}/send",
        "log": "/emails",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = html.unescape(response.get_data(as_text=True))
        for words in WORDS[language][name]:
            assert words in page, (language, name, words)
        if language != "en":
            for words in ENGLISH_ONLY:
                assert words not in page, (language, name, words)
    # The sheet on the invoice's page is the customer's (English here), whoever reads it.
    sheet = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert '<article class="sheet sheet-en" lang="en">' in sheet and "Bill to" in sheet


def test_the_email_words_say_in_english_what_the_mail_core_says(app):
    """Staff pages show email_words; logs and notices the mail core's labels: the same English."""
    with app.test_request_context():
        assert {s: email_words.email_status(s) for s in STATUS_LABELS} == STATUS_LABELS
        assert {o: email_words.email_origin(o) for o in ORIGINS} == ORIGINS
        assert {k: str(v) for k, v in email_words.OUTCOME_WORDS.items()} == OUTCOME_LABELS
        results = {"a@x.example": "accepted", "b@x.example": "550 5.1.1 No such user"}
        assert email_words.recipient_summary(results) == recipient_summary(results)


def test_the_status_merge_field_is_in_the_emails_language(idle_shop):
    """{invoice_status} speaks the customer's language, whoever sends (here an English page)."""
    client, invoice = idle_shop.client, idle_shop.invoice
    idle_shop.customer.language = "fr"
    db.session.commit()
    data = send_form(client, invoice.id, body_html="<p>STATUS={invoice_status}.</p>")
    data["contacts"] = data["contacts"][:1]
    assert client.post(f"/invoices/{invoice.id}/send", data=data).status_code == 302
    row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    body = message_from_bytes(row.raw, policy=policy.default).get_body(("html",)).get_content()
    assert "STATUS=non payée." in body  # sent: a draft became unpaid
    assert ">Send invoice</a>" in client.get(f"/invoices/{invoice.id}").get_data(as_text=True)

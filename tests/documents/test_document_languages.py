"""Documents in the customer's language: the PDF and the public page in English, French and
Japanese, with their formats, the seller's legal details, what each country's invoices must say
(a Japanese qualified invoice, a French invoice's mentions), Japanese drawn with an embedded CJK
font; and the company's merge fields and per-language wrapper in a sent email."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from djaboo.documents.kinds import INVOICE
from djaboo.documents.public_links import active_link
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.logo import read_logo
from djaboo.settings.models import CompanyProfile
from tests.documents.conftest import send_form, wait_for_delivery
from tests.fixtures.database import TEST_BASE_URL

JAPAN = {
    "legal_name": "株式会社アクメ",
    "address": "〒100-0001\n東京都千代田区千代田1-1",
    "country": "JP",
    "registration_number": "T7123456789012",
    "bank_details": "みずほ銀行 本店 普通 1234567",
}
FRANCE = {
    "legal_name": "Acme SAS",
    "address": "12 rue de la Paix\n75002 Paris",
    "country": "FR",
    "vat_number": "FR96552100554",
    "registration_number": "55210055400013",
    "bank_details": "IBAN FR76 3000 6000 0112 3456 7890 189",
}
UK = {
    "legal_name": "Acme Ltd",
    "address": "1 High Street\nLondon",
    "country": "GB",
    "vat_number": "GB123456789",
    "registration_number": "01234567",
    "bank_details": "Sort code 12-34-56, account 12345678",
}
JA_LINES = (
    ("コンサルティング業務", "1", "120000", "10"),
    ("お弁当", "20", "800", "8"),
    ("新聞購読料", "1", "4400", "8"),
)
FR_LINES = (("Conseil", "3", "400.00", "20"), ("Livres", "2", "21.10", "5.5"))


def set_company(space, **details) -> CompanyProfile:
    profile = db.session.get(CompanyProfile, space.id)
    for name, value in details.items():
        setattr(profile, name, value)
    db.session.commit()
    return profile


def pdf_text(content: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"[\u00a0\u202f]", " ", text)  # French writes amounts with (narrow) nbsp


def pdf_fonts(content: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()


@pytest.fixture
def staff_space(client, create_space, login):
    admin = create_space(name="Acme")
    login(client, admin)
    return admin.space


def test_a_japanese_invoice_is_a_qualified_invoice(
    client, staff_space, create_customer, create_invoice, tmp_path
):
    set_company(staff_space, **JAPAN)
    customer = create_customer(staff_space, company="株式会社サンプル", contacts=[], language="ja")
    customer.currency = "JPY"
    db.session.commit()
    invoice = create_invoice(customer, lines=JA_LINES, status="unpaid")
    response = client.get(f"/invoices/{invoice.id}/pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "請求書 INV-000001" in text
    assert "株式会社アクメ" in text and "登録番号 T7123456789012" in text  # the issuer
    assert "株式会社サンプル 御中" in text  # a company, nobody by name: 御中
    assert "東京都千代田区千代田1-1" in text and "みずほ銀行 本店 普通 1234567" in text
    # Reduced-rate lines are marked, and the mark is explained.
    assert re.search(r"お弁当 ※", text) and re.search(r"新聞購読料 ※", text)
    assert not re.search(r"コンサルティング業務 ※", text)
    assert "※は軽減税率対象" in text
    # Amount before tax and consumption tax per rate, each tax rounded once.
    assert re.search(r"10%対象\s+￥120,000\s+￥12,000", text)
    assert re.search(r"8%対象 ※\s+￥20,400\s+￥1,632", text)
    assert re.search(r"合計（税込）\s+￥154,032", text) and "ご請求金額" in text
    assert "発行日" in text and "お支払期限" in text and "年" in text and "月" in text
    assert "Invoice" not in text and "Bill to" not in text
    fonts = pdf_fonts(response.data, tmp_path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # emb: embedded


def test_a_japanese_person_is_written_family_name_first_with_sama(
    client, staff_space, create_customer, create_invoice
):
    set_company(staff_space, **JAPAN)
    customer = create_customer(
        staff_space,
        company="株式会社サンプル",
        contacts=[("太郎", "山田", "taro@example.jp")],
        language="ja",
    )
    invoice = create_invoice(customer, lines=JA_LINES, status="unpaid")
    text = pdf_text(client.get(f"/invoices/{invoice.id}/pdf").data)
    assert "山田 太郎 様" in text and "太郎 山田" not in text
    assert "御中" not in text  # a person is named: 様, not the company's 御中


def test_a_french_invoice_carries_the_mentions_french_law_asks(
    client, staff_space, create_customer, create_invoice
):
    set_company(staff_space, **FRANCE)
    customer = create_customer(
        staff_space,
        company="Boulangerie Martin",
        contacts=[("Camille", "Martin", "c@ex.fr")],
        language="fr",
    )
    invoice = create_invoice(customer, lines=FR_LINES, status="unpaid")
    text = pdf_text(client.get(f"/invoices/{invoice.id}/pdf").data)
    assert "Facture INV-000001" in text and "Facturé à" in text.replace("FACTURÉ À", "Facturé à")
    assert "SIRET 55210055400013" in text
    assert "N° TVA intracommunautaire FR96552100554" in text
    assert re.search(r"Échéance : \d{1,2} \w+ \d{4}", text)  # the due date, in French
    assert "Pénalités de retard : trois fois le taux d'intérêt légal" in text
    assert "Indemnité forfaitaire pour frais de recouvrement : 40 €" in text
    assert "Pas d'escompte pour paiement anticipé" in text  # the discount terms, by default
    assert "1 200,00 €" in text and "1 484,52 €" in text  # French formats
    assert re.search(r"TVA 20 %\s+1 200,00 €\s+240,00 €", text)
    assert re.search(r"TVA 5,5 %\s+42,20 €\s+2,32 €", text)
    assert "Total TTC" in text and "Camille Martin" in text
    assert "IBAN FR76 3000 6000 0112 3456 7890 189" in text


def test_the_discount_terms_are_edited_in_company_and_printed_on_french_invoices(
    client, staff_space, create_customer, create_invoice
):
    """Conditions d'escompte (Code de commerce, L441-9): a text of Setup → Company, on the PDF
    and the public page of a French invoice, never on an English one of a seller elsewhere."""
    page = client.get("/settings/company").get_data(as_text=True)
    assert ">Early-payment discount (France)</label>" in page
    assert 'value="Pas d&#39;escompte pour paiement anticipé"' in page  # the default, editable
    terms = "Escompte de 2 % pour paiement sous 8 jours"
    form = {
        **FRANCE,
        "payment_terms_days": "30",
        "late_penalty_text": "Pénalités de retard : trois fois le taux d'intérêt légal",
        "recovery_indemnity_text": "Indemnité forfaitaire pour frais de recouvrement : 40 €",
        "early_payment_discount_text": terms,
    }
    assert client.submit("/settings/company", form).status_code == 302
    french = create_customer(staff_space, company="Boulangerie Martin", language="fr")
    invoice = create_invoice(french, lines=FR_LINES, status="unpaid")
    text = pdf_text(client.get(f"/invoices/{invoice.id}/pdf").data)
    assert terms in text and "Pas d'escompte" not in text
    link = active_link(INVOICE, invoice)
    db.session.commit()
    public = client.get(f"/p/invoice/{link.token}").get_data(as_text=True)
    assert f'<p id="early-payment-discount">{terms}</p>' in public

    set_company(staff_space, **UK)
    english = create_customer(staff_space, company="Globex", language="en")
    other = create_invoice(english, lines=FR_LINES, status="unpaid")
    assert terms not in pdf_text(client.get(f"/invoices/{other.id}/pdf").data)


def test_an_english_invoice_in_english_formats(
    client, staff_space, create_customer, create_invoice, tmp_path
):
    set_company(staff_space, **UK)
    customer = create_customer(staff_space, company="Globex", language="en")
    invoice = create_invoice(customer, lines=FR_LINES, status="unpaid")
    response = client.get(f"/invoices/{invoice.id}/pdf")
    text = pdf_text(response.data)
    assert "Invoice INV-000001" in text and "Bill to".upper() in text.upper()
    assert "€1,200.00" in text and "€1,484.52" in text and "20% rate" in text
    assert "Registration no. 01234567" in text and "VAT no. GB123456789" in text
    assert re.search(r"Due on [A-Z][a-z]{2} \d{1,2}, \d{4}", text)
    assert "Jane Doe" in text and "1 High Street" in text
    assert "Pénalités" not in text and "※" not in text  # neither French nor Japanese rules
    # The same sheet in the space's default language when the customer has none.
    customer.language = ""
    staff_space.default_language = "fr"
    db.session.commit()
    assert "Facture INV-000001" in pdf_text(client.get(f"/invoices/{invoice.id}/pdf").data)


def test_the_logo_is_drawn_into_the_pdf(
    client, staff_space, create_customer, create_invoice, tmp_path
):
    out = io.BytesIO()
    Image.new("RGB", (300, 100), "#2453d6").save(out, "PNG")
    out.seek(0)
    logo = read_logo(out)
    set_company(staff_space, **UK, logo_png=logo.png, logo_sha256=logo.sha256)
    invoice = create_invoice(create_customer(staff_space), status="unpaid")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(client.get(f"/invoices/{invoice.id}/pdf").data)
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True
    ).stdout.decode()
    assert re.search(r"\b300\s+100\b", images)


def test_the_staff_page_shows_the_sheet_as_the_customer_reads_it(
    client, staff_space, create_customer, create_invoice
):
    set_company(staff_space, **JAPAN)
    customer = create_customer(staff_space, company="株式会社サンプル", contacts=[], language="ja")
    invoice = create_invoice(customer, lines=JA_LINES, status="unpaid")
    page = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert '<article class="sheet sheet-ja" lang="ja">' in page
    assert "請求書" in page and "株式会社サンプル 御中" in page
    assert "Record a payment" in page  # the staff page itself stays in the staff's language


@pytest.mark.browser
@pytest.mark.parametrize(
    ("language", "company", "title", "button", "label"),
    [
        ("ja", JAPAN, "請求書 INV-000001", "PDFをダウンロード", "請求先"),
        ("fr", FRANCE, "Facture INV-000001", "Télécharger le PDF", "Facturé à"),
        ("en", UK, "Invoice INV-000001", "Download PDF", "Bill to"),
    ],
)
def test_the_public_page_is_in_the_customers_language(
    page,
    live_server,
    create_space,
    create_customer,
    create_invoice,
    page_problems,
    language,
    company,
    title,
    button,
    label,
):
    space = create_space(name="Acme").space
    set_company(space, **company)
    customer = create_customer(space, language=language)
    invoice = create_invoice(customer, lines=JA_LINES if language == "ja" else FR_LINES)
    invoice.status = "unpaid"
    link = active_link(INVOICE, invoice)
    db.session.commit()
    page.goto(f"{live_server.url}/p/invoice/{link.token}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("link", name=button)).to_be_visible()
    expect(page.locator("article.sheet")).to_have_attribute("lang", language)
    expect(page.locator(".sheet-to h3")).to_have_text(label)
    expect(page.locator("#seller-registration")).to_contain_text(company["registration_number"])
    if language == "ja":
        expect(page.locator("#reduced-legend")).to_have_text("※は軽減税率対象")
    if language == "fr":
        expect(page.locator("#legal-mentions")).to_contain_text("40 €")
    assert page_problems == []


def test_an_email_fills_the_company_fields_and_wraps_in_its_language(
    shop, create_customer, create_invoice
):
    out = io.BytesIO()
    Image.new("RGB", (60, 20), "#2453d6").save(out, "PNG")
    out.seek(0)
    logo = read_logo(out)
    profile = set_company(shop.admin.space, **UK, logo_png=logo.png, logo_sha256=logo.sha256)
    body = (
        "<p>{contact_fullname}</p><p>FROM {company_address}</p><p>VAT {company_vat_number}</p>"
        "<p>REG {company_registration_number}</p><p>PAY {company_bank_details}</p>"
        '<p><img src="{logo_url}" alt="logo"></p>{email_signature}'
    )
    data = send_form(shop.client, shop.invoice.id, body_html=body)
    data["contacts"] = data["contacts"][:1]  # one contact: one email
    assert shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data).status_code == 302
    row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert wait_for_delivery(row.id).status == "sent"
    [got] = shop.server.messages
    html = got.message.get_body(("html",)).get_content()
    assert ">Jane Doe</p>" in html
    assert "FROM 1 High Street<br>London" in html and "VAT GB123456789" in html
    assert "REG 01234567" in html and "PAY Sort code 12-34-56, account 12345678" in html
    logo_url = f"{TEST_BASE_URL}/logo/{profile.logo_key}.png"
    assert f'src="{logo_url}"' in html
    text = got.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "FROM 1 High Street\nLondon" in text
    # {logo_url} is served by the app, publicly, as PNG.
    served = shop.client.get(logo_url.removeprefix(TEST_BASE_URL))
    assert served.mimetype == "image/png" and served.data == logo.png

    # A Japanese customer: family name first, and the Japanese header and footer (the space
    # changed only the English ones, so Japanese keeps the shipped texts).
    customer = create_customer(
        shop.admin.space,
        company="株式会社サンプル",
        contacts=[("太郎", "山田", "t@ex.jp")],
        language="ja",
    )
    invoice = create_invoice(customer, shop.staff, lines=(("お弁当", "2", "800", "8"),))
    data = send_form(shop.client, invoice.id, body_html="<p>{contact_fullname} 様</p>")
    assert shop.client.post(f"/invoices/{invoice.id}/send", data=data).status_code == 302
    row = db.session.execute(
        sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1)
    ).scalar_one()
    assert wait_for_delivery(row.id).status == "sent"
    got = shop.server.messages[-1]
    assert got.message["To"].addresses[0].display_name == "山田 太郎"
    html = got.message.get_body(("html",)).get_content()
    assert ">山田 太郎 様</p>" in html
    assert "本メールはAcme Ltdよりお送りしています" in html and "HEADER" not in html
    [pdf] = list(got.message.iter_attachments())
    assert "請求書" in pdf_text(pdf.get_content())

"""Setup → Company: the legal details, checked as each country's law writes them, and the logo,
checked before it is decoded and kept as a clean PNG."""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import timedelta

import pytest
from PIL import Image

from djaboo.extensions import db
from djaboo.settings.models import CompanyProfile
from djaboo.settings.registration_numbers import (
    corporate_check_digit,
    french_registration_number,
    french_vat_number,
    japanese_registration_number,
    luhn_valid,
)
from djaboo.spaces.clock import space_today

VALID = {
    "legal_name": "Acme SAS",
    "address": "12 rue de la Paix\r\n75002 Paris",
    "country": "FR",
    "vat_number": "FR96552100554",
    "registration_number": "552 100 554 00013",
    "bank_details": "IBAN FR76 3000 6000 0112 3456 7890 189\r\nBIC AGRIFRPP",
    "payment_terms_days": "45",
    "late_penalty_text": "Pénalités de retard : trois fois le taux d'intérêt légal",
    "recovery_indemnity_text": "Indemnité forfaitaire pour frais de recouvrement : 40 €",
}


def profile(space_id: int) -> CompanyProfile:
    db.session.expire_all()
    return db.session.get(CompanyProfile, space_id)


# ------------------------------------------------------------------ the numbers themselves


@pytest.mark.parametrize(
    "number", ["T7123456789012", "T4011001098993", "T2120901007402", "t5010401067252"]
)
def test_japanese_registration_numbers_with_their_check_digit(number):
    assert japanese_registration_number(number) == number.upper()


def test_japanese_registration_number_is_written_as_stored():
    assert japanese_registration_number(" Ｔ５０１０ ４０１０-６７２５２ ") == "T5010401067252"


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("T6123456789012", "check digit"),  # one digit off: the check digit catches it
        ("T7123456789013", "check digit"),
        ("T7123456789021", "check digit"),  # two digits swapped
        ("7123456789012", "T followed by 13 digits"),  # the corporate number without its T
        ("T712345678901", "T followed by 13 digits"),
        ("T71234567890123", "T followed by 13 digits"),
        ("X7123456789012", "T followed by 13 digits"),
    ],
)
def test_japanese_registration_numbers_that_are_wrong(number, why):
    with pytest.raises(ValueError, match=why):
        japanese_registration_number(number)


def test_the_check_digit_follows_the_ministry_formula():
    # 9 - (Σ Pn×Qn mod 9), n counted from the right of the 12-digit base, Qn = 1 or 2.
    base = "123456789012"
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), 1))
    assert corporate_check_digit(base) == 9 - total % 9 == 7


@pytest.mark.parametrize(
    "number",
    [
        "552100554",  # SIREN
        "732 829 320",
        "55210055400013",  # SIRET
        "356000000 00048",  # La Poste's head office: Luhn
        "35600000000001",  # a post office: not Luhn, its digits add up to a multiple of 5
    ],
)
def test_french_siren_and_siret(number):
    assert french_registration_number(number) == number.replace(" ", "")


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("552100555", "SIREN is not valid"),
        ("55210055400014", "SIRET is not valid"),
        ("35600000000049", "SIRET is not valid"),  # La Poste's, neither Luhn nor sum
        ("55210055400001", "SIRET is not valid"),  # the digit sum rule is La Poste's alone
        ("5521005", "SIREN \\(9 digits\\) or a SIRET"),
        ("55210055A", "SIREN \\(9 digits\\) or a SIRET"),
    ],
)
def test_french_numbers_that_are_wrong(number, why):
    with pytest.raises(ValueError, match=why):
        french_registration_number(number)


def test_luhn():
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


def test_french_vat_key_matches_the_siren():
    assert french_vat_number("fr 96 552100554") == "FR96552100554"
    with pytest.raises(ValueError, match="key does not match"):
        french_vat_number("FR97552100554")


# ------------------------------------------------------------------ the page


def test_admins_only(client, create_space, create_user, login):
    admin = create_space()
    login(client, create_user(admin.space, role="staff"))
    assert client.get("/settings/company").status_code == 403
    assert client.post("/settings/company", data=VALID).status_code in (400, 403)
    assert profile(admin.space_id).legal_name == ""


def test_the_page_is_in_the_setup_menu_and_saves_every_field(admin_client):
    page = admin_client.get("/").get_data(as_text=True)
    assert 'href="/settings/company">Company</a>' in page
    html = admin_client.get("/settings/company").get_data(as_text=True)
    for label in ("VAT number", "Registration number", "Bank details", "Payment terms (days)"):
        assert f">{label}</label>" in html, label
    response = admin_client.submit("/settings/company", VALID)
    assert response.status_code == 302, response.get_data(as_text=True)
    row = profile(admin_client.admin.space_id)
    assert (row.legal_name, row.country, row.vat_number) == ("Acme SAS", "FR", "FR96552100554")
    assert row.registration_number == "55210055400013"  # as stored: without its spaces
    assert row.address == "12 rue de la Paix\n75002 Paris"
    assert row.bank_details.endswith("BIC AGRIFRPP") and row.payment_terms_days == 45


@pytest.mark.parametrize(
    ("country", "number", "message"),
    [
        ("JP", "T7123456789013", "check digit is wrong"),
        ("JP", "7123456789012", "T followed by 13 digits"),
        ("FR", "552100555", "This SIREN is not valid"),
        ("FR", "55210055400014", "This SIRET is not valid"),
    ],
)
def test_a_wrong_registration_number_is_an_inline_error(admin_client, country, number, message):
    data = {**VALID, "country": country, "vat_number": "", "registration_number": number}
    response = admin_client.submit("/settings/company", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert profile(admin_client.admin.space_id).registration_number == ""


def test_a_japanese_company_saves_its_t_number(admin_client):
    data = {**VALID, "country": "JP", "vat_number": "", "registration_number": "T7123456789012"}
    assert admin_client.submit("/settings/company", data).status_code == 302
    assert profile(admin_client.admin.space_id).registration_number == "T7123456789012"


def test_elsewhere_the_number_is_free_text(admin_client):
    data = {**VALID, "country": "DE", "vat_number": "DE123456789", "registration_number": "HRB 1"}
    assert admin_client.submit("/settings/company", data).status_code == 302
    assert profile(admin_client.admin.space_id).registration_number == "HRB 1"


@pytest.mark.parametrize("days", ["-1", "366", "abc", "1e3", "", "٣"])
def test_payment_terms_are_whole_days_from_0_to_365(admin_client, days):
    response = admin_client.submit("/settings/company", {**VALID, "payment_terms_days": days})
    assert response.status_code == 400
    assert "Enter a number of days from 0 to 365." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [("legal_name", "x" * 201), ("vat_number", "x" * 41), ("address", "x" * 1001)],
)
def test_lengths_are_bounded(admin_client, field, value):
    response = admin_client.submit("/settings/company", {**VALID, field: value})
    assert response.status_code == 400


def test_new_invoices_are_due_after_the_payment_terms(admin_client, create_customer):
    admin_client.submit("/settings/company", {**VALID, "payment_terms_days": "45"})
    customer = create_customer(admin_client.admin.space)
    page = admin_client.get(f"/invoices/new?customer={customer.id}").get_data(as_text=True)
    due = space_today(admin_client.admin.space) + timedelta(days=45)
    [value] = re.findall(r'<input id="due_date"[^>]* value="([0-9-]+)"', page)
    assert value == due.isoformat()


def test_the_page_answers_in_french_for_a_french_space(admin_client):
    admin_client.admin.space.default_language = "fr"
    db.session.commit()
    html = admin_client.get("/settings/company").get_data(as_text=True)
    assert "Numéro de TVA" in html and "Coordonnées bancaires" in html
    response = admin_client.submit("/settings/company", {**VALID, "registration_number": "1"})
    assert "Indiquez un SIREN (9 chiffres) ou un SIRET (14 chiffres)." in response.get_data(
        as_text=True
    )


# ------------------------------------------------------------------ the logo


def upload(admin_client, content: bytes, filename: str = "logo.png", **fields):
    data = {**VALID, **fields, "logo": (io.BytesIO(content), filename)}
    return admin_client.submit("/settings/company", data, content_type="multipart/form-data")


def png(width=120, height=40, color="#2453d6") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG announcing huge dimensions: what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_png_logo_is_kept_and_served_as_png(admin_client, client):
    assert upload(admin_client, png()).status_code == 302
    row = profile(admin_client.admin.space_id)
    assert row.logo_png.startswith(b"\x89PNG") and row.has_logo
    page = admin_client.get("/settings/company").get_data(as_text=True)
    assert f'src="/logo/{row.logo_key}.png"' in page
    admin_client.get("/logout")
    served = client.get(f"/logo/{row.logo_key}.png")  # public: mail clients load it
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == row.logo_png
    assert served.headers["Cache-Control"] == "public, max-age=3600"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    etag = served.headers["ETag"]
    again = client.get(f"/logo/{row.logo_key}.png", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get("/logo/not-a-real-key-at-all.png").status_code == 404


def test_svg_is_refused_whatever_it_is_called(admin_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    for name in ("logo.svg", "logo.png"):
        response = upload(admin_client, svg, name)
        assert response.status_code == 400
        assert "must be a PNG or JPEG image (SVG is not accepted)" in response.get_data(
            as_text=True
        )
    assert not profile(admin_client.admin.space_id).has_logo


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (30_000, 20_000), (2001, 10)])
def test_a_png_bomb_is_refused_before_it_is_decoded(admin_client, width, height):
    bomb = png_header_only(width, height)
    assert len(bomb) < 200
    response = upload(admin_client, bomb)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "far too large" in text or "at most 2000 pixels a side" in text
    assert not profile(admin_client.admin.space_id).has_logo


def test_a_file_over_512_kb_is_refused(admin_client):
    response = upload(admin_client, png() + b"\x00" * (512 * 1024))
    assert response.status_code == 400 and "larger than 512 KB" in response.get_data(as_text=True)


def test_a_truncated_image_is_refused(admin_client):
    response = upload(admin_client, png()[:60])
    assert response.status_code == 400
    assert "could not be read" in response.get_data(as_text=True)


def test_a_jpeg_with_exif_is_stored_as_png_without_it(admin_client):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Maker"  # Make
    exif[0x0131] = "GPS-tracking firmware 1.0"  # Software
    exif[0x0112] = 6  # Orientation: the camera was turned; drawn upright
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "#ff0000").save(out, "JPEG", exif=exif.tobytes())
    jpeg = out.getvalue()
    assert b"SecretCam" in jpeg
    assert upload(admin_client, jpeg, "photo.jpg").status_code == 302
    stored = profile(admin_client.admin.space_id).logo_png
    assert stored.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"SecretCam" not in stored and b"Exif" not in stored and b"eXIf" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (100, 200)
        assert not image.getexif()


def test_remove_the_logo(admin_client):
    upload(admin_client, png())
    assert profile(admin_client.admin.space_id).has_logo
    key = profile(admin_client.admin.space_id).logo_key
    removed = admin_client.submit("/settings/company", {**VALID, "remove_logo": "y"})
    assert removed.status_code == 302
    assert not profile(admin_client.admin.space_id).has_logo
    assert admin_client.get(f"/logo/{key}.png").status_code == 404

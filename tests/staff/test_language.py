"""Profile → Language: each staff member reads the interface in their language (English,
Français, 日本語), else in their space's default one; before sign-in, the browser's."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from djaboo.extensions import db
from djaboo.i18n import with_language
from djaboo.spaces.models import Space
from djaboo.staff.language import language_for
from djaboo.template_filters import moment, moment_date, money, number


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]*)"', page).group(1)


def save_language(client, language: str, name: str = "Ada Lovelace"):
    return client.submit(
        "/staff/profile",
        {"name": name, "signature_html": "", "notify_own_failures": "y", "language": language},
    )


def test_the_language_chosen_in_the_profile_is_every_page_s(app, client, create_space, login):
    admin = create_space(name="Acme")
    login(client, admin)
    page = client.get("/staff/profile").get_data(as_text=True)
    assert html_lang(page) == "en" and "<h1>Your profile</h1>" in page
    assert '<label for="language">Language</label>' in page
    # Each language in its own name, whatever the page's language.
    assert re.findall(r'<option value="(en|fr|ja)">([^<]+)</option>', page) == [
        ("en", "English"),
        ("fr", "Français"),
        ("ja", "日本語"),
    ]

    saved = save_language(client, "fr")
    assert saved.status_code == 302
    db.session.refresh(admin)
    assert admin.language == "fr"
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert html_lang(page) == "fr"
    assert "Votre profil est enregistré." in page  # the flash already in the new language
    assert "<h1>Votre profil</h1>" in page and '<label for="language">Langue</label>' in page
    assert '<option selected value="fr">Français</option>' in page
    assert ">Se déconnecter</button>" in page and ">Équipe</a>" in page  # the frame too
    home = client.get("/").get_data(as_text=True)
    assert "Bienvenue, Ada Lovelace" in home and "en tant qu'administrateur.</p>" in home

    page = client.get(save_language(client, "ja").headers["Location"]).get_data(as_text=True)
    assert html_lang(page) == "ja" and "プロフィールを保存しました。" in page
    assert "<h1>プロフィール</h1>" in page and '<label for="language">言語</label>' in page
    assert '<option value="fr">Français</option>' in page  # still its own name in Japanese

    # Empty: the space's default language again (stored as NULL), English here.
    page = client.get(save_language(client, "").headers["Location"]).get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.language is None
    assert html_lang(page) == "en" and "Your profile is saved." in page
    assert "<h1>Your profile</h1>" in page


def test_an_unknown_language_is_refused_and_nothing_is_saved(app, client, create_space, login):
    admin = create_space()
    login(client, admin)
    response = save_language(client, "de", name="Someone Else")
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.language is None and admin.name != "Someone Else"


def test_own_language_before_the_space_s_and_the_space_s_before_english(
    app, client, create_space, create_user, login
):
    admin = create_space()
    admin.space.default_language = "fr"
    db.session.commit()
    staff = create_user(admin.space)
    assert language_for(staff) == "fr"
    login(client, staff)
    assert "<h1>Votre profil</h1>" in client.get("/staff/profile").get_data(as_text=True)
    staff.language = "ja"
    db.session.commit()
    assert language_for(staff) == "ja"
    page = client.get("/staff/profile").get_data(as_text=True)
    assert html_lang(page) == "ja" and "<h1>プロフィール</h1>" in page
    staff.language = "en"
    db.session.commit()
    assert language_for(staff) == "en"
    assert "<h1>Your profile</h1>" in client.get("/staff/profile").get_data(as_text=True)


def test_an_admin_sets_a_staff_member_s_language(app, client, create_space, create_user, login):
    admin = create_space()
    staff = create_user(admin.space, name="Ada", email="ada@example.com")
    login(client, admin)
    response = client.submit(
        f"/staff/{staff.id}/edit",
        {
            "name": "Ada",
            "email": "ada@example.com",
            "role": "staff",
            "active": "y",
            "language": "ja",
        },
    )
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.language == "ja" and language_for(staff) == "ja"
    # The admin's own pages stay English.
    assert "Ada is saved." in client.get("/staff").get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "lang", "heading", "button"),
    [
        (None, "en", "<h1>Sign in</h1>", ">Forgot your password?</a>"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr", "<h1>Se connecter</h1>", ">Mot de passe oublié ?</a>"),
        ("ja,en-US;q=0.7", "ja", "<h1>サインイン</h1>", ">パスワードをお忘れですか？</a>"),
        ("de-DE,de;q=0.9", "en", "<h1>Sign in</h1>", ">Forgot your password?</a>"),
    ],
)
def test_the_sign_in_page_speaks_the_browser_s_language(client, accept, lang, heading, button):
    headers = {"Accept-Language": accept} if accept else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    assert html_lang(page) == lang
    assert heading in page and button in page


def test_a_failed_sign_in_says_so_in_the_browser_s_language(client, create_space):
    admin = create_space()
    response = client.submit(
        "/login",
        {"email": admin.email, "password": "wrong-password"},
        headers={"Accept-Language": "ja"},
    )
    assert response.status_code == 401
    assert "メールアドレスまたはパスワードが正しくありません。" in response.get_data(as_text=True)


def test_a_page_that_needs_sign_in_says_so_in_the_browser_s_language(client):
    response = client.get("/staff/profile", headers={"Accept-Language": "fr"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "fr"})
    assert "Veuillez vous connecter pour continuer." in page.get_data(as_text=True)
    page = client.get("/staff/profile", follow_redirects=True).get_data(as_text=True)
    assert "Please sign in to continue." in page


def test_error_pages_in_the_reader_s_language(app, client, create_space, login):
    admin = create_space()
    admin.language = "fr"
    db.session.commit()
    login(client, admin)
    page = client.get("/staff/999999/edit")
    assert page.status_code == 404 and html_lang(page.get_data(as_text=True)) == "fr"
    assert "Introuvable" in page.get_data(as_text=True)


def test_a_cli_message_in_the_space_s_language(app, create_space, create_user):
    admin = create_space()
    admin.space.default_language = "fr"
    db.session.commit()
    ada = create_user(admin.space, email="ada@example.com")

    def set_password(email):
        runner = app.test_cli_runner()
        return runner.invoke(
            args=["staff", "reset-password", email, "--password-stdin"],
            input="a-new-long-password\n",
        )

    result = set_password(ada.email)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Le mot de passe de ada@example.com est défini ; "
        "toutes les sessions du compte ont été fermées.\n"
    )
    # A space in English gets the English words, unchanged; no space known: English too.
    admin.space.default_language = "en"
    db.session.commit()
    result = set_password(ada.email)
    assert result.output == (
        "The password of ada@example.com is set; every session of the account ended.\n"
    )
    assert (
        "No staff member signs in as 'nobody@example.com'."
        in set_password("nobody@example.com").output
    )


def test_locale_formats_follow_the_reader(app):
    paris, tokyo = Space(name="P", timezone="Europe/Paris"), Space(name="T", timezone="Asia/Tokyo")
    at = datetime(2026, 3, 29, 12, 5, tzinfo=UTC)
    with app.test_request_context("/"):
        with with_language("en"):
            assert moment(at, paris) == "Mar 29, 2026, 2:05\u202fPM CEST"
            assert money(Decimal("1234.5"), "EUR") == "€1,234.50"
            assert moment(None) == ""
        with with_language("fr"):
            assert moment(at, paris) == "29 mars 2026, 14:05 CEST"
            assert money(Decimal("1234.5"), "EUR") == "1\u202f234,50\xa0€"
            assert number(Decimal("1234.5")) == "1\u202f234,5"
        with with_language("ja"):
            assert moment(at, tokyo) == "2026/03/29 21:05 JST"
            assert moment_date(datetime(2026, 3, 29, 20, 0, tzinfo=UTC), tokyo) == "2026/03/30"
            assert money(Decimal("1234"), "JPY") == "￥1,234"


def test_a_refused_staff_address_is_said_in_the_reader_s_language(client, create_space, login):
    admin = create_space()
    admin.language = "ja"
    db.session.commit()
    login(client, admin)
    data = {"name": "Dup", "email": "not an email", "role": "staff", "password": "long-enough-pw"}
    page = client.submit("/staff/new", data).get_data(as_text=True)
    # Our sentence in Japanese; the validator's own detail stays as it says it.
    assert "有効なメールアドレスではありません" in page and "must have an @-sign" in page

import re

import pytest

from djaboo.extensions import db
from djaboo.secrets_at_rest import decrypt
from tests.settings.conftest import form_data, settings_row

LABELS = [
    "Mail Engine",
    "Email Protocol",
    "Email Encryption",
    "SMTP Host",
    "SMTP Port",
    "Email",
    "SMTP Username",
    "SMTP Password",
    "Email Charset",
    "BCC All Emails To",
    "Email Signature",
    "Predefined Header",
    "Predefined Footer",
]


def test_page_shows_every_field_and_default_wrapper(admin_client):
    html = admin_client.get("/settings/email").get_data(as_text=True)
    for label in LABELS:
        assert f">{label}</label>" in html, label
    for option in (
        ">Standard<",
        ">Alternative<",
        ">SMTP<",
        ">Sendmail<",
        ">Mail<",
        ">SSL<",
        ">TLS<",
        ">None<",
        ">UTF-8<",
        "ISO-2022-JP",
        "Gmail",
        "Amazon SES",
    ):
        assert option in html
    row = settings_row(admin_client.admin.space_id)
    english = row.wrapper("en")
    assert "{companyname}" in english.header_html and english.footer_html
    assert row.charset == "utf-8"


def test_staff_cannot_see_or_change_settings(client, create_space, create_user, login):
    admin = create_space()
    login(client, create_user(admin.space))
    assert client.get("/settings/email").status_code == 403
    response = client.submit(
        "/settings/email", form_data(host="203.0.113.99"), page="/staff/profile"
    )
    assert response.status_code == 403
    assert settings_row(admin.space_id).host == ""


def test_save_all_fields_in_one_go(admin_client):
    response = admin_client.submit(
        "/settings/email",
        form_data(
            engine="alternative",
            encryption="ssl",
            port=465,
            username="ACME\\billing",
            password="p@ss w0rd!",
            charset="iso-8859-15",
            bcc_all="Audit@Acme.example, boss@acme.example",
            signature_html="<p>Bye</p><script>alert(1)</script>",
            header_html='<div onclick="x()">{companyname}</div>',
            footer_html='<a href="javascript:alert(1)">x</a><iframe src="https://e.example"></iframe>',
        ),
    )
    assert response.status_code == 302
    row = settings_row(admin_client.admin.space_id)
    assert (row.engine, row.encryption, row.port, row.username) == (
        "alternative",
        "ssl",
        465,
        "ACME\\billing",
    )
    assert row.charset == "iso-8859-15"
    assert row.bcc_all == "Audit@acme.example, boss@acme.example"
    assert row.wrapper("en").signature_html == "<p>Bye</p>"
    assert row.wrapper("en").header_html == "<div>{companyname}</div>"
    footer = row.wrapper("en").footer_html
    assert "javascript" not in footer and "iframe" not in footer
    assert row.login == "ACME\\billing" and row.from_email == "billing@acme.example"
    assert decrypt(row.password_encrypted) == "p@ss w0rd!"


def test_password_is_never_sent_back_and_not_plaintext_in_the_database(admin_client, app):
    secret = "Sup3r-Secret-Pass"
    admin_client.submit("/settings/email", form_data(password=secret))
    html = admin_client.get("/settings/email").get_data(as_text=True)
    assert secret not in html
    assert "•••• (set)" in html
    assert (
        'type="password" value=""' in html or 'value="' not in html.split('id="password"')[1][:80]
    )
    # a failing save (error page) must not echo it either
    bad = admin_client.submit("/settings/email", form_data(password=secret, port="99999"))
    assert secret not in bad.get_data(as_text=True)
    raw = db.session.execute(db.text("SELECT password_encrypted FROM email_settings")).scalar()
    assert secret not in raw and secret.encode().hex() not in raw
    dump = "\n".join(str(r) for r in db.session.execute(db.text("SELECT * FROM email_settings")))
    assert secret not in dump


def test_empty_password_keeps_the_stored_one(admin_client):
    admin_client.submit("/settings/email", form_data(password="first-password"))
    admin_client.submit("/settings/email", form_data(from_name="Acme Accounts"))
    row = settings_row(admin_client.admin.space_id)
    assert decrypt(row.password_encrypted) == "first-password" and row.from_name == "Acme Accounts"


@pytest.mark.parametrize(
    "change",
    [
        {"host": "203.0.113.77"},
        {"port": "2525"},
        {"username": "someone-else"},
        {"encryption": "ssl", "port": "465"},
    ],
)
def test_changing_the_server_requires_the_password_again(admin_client, change):
    admin_client.submit("/settings/email", form_data(password="first-password"))
    response = admin_client.submit("/settings/email", form_data(**change))
    assert response.status_code == 400
    assert "Re-enter the password" in response.get_data(as_text=True)
    row = settings_row(admin_client.admin.space_id)
    assert row.host == "203.0.113.10" and row.port == 587 and row.protocol == "smtp"
    ok = admin_client.submit("/settings/email", form_data(password="second-password", **change))
    assert ok.status_code == 302


def test_remove_the_stored_password(admin_client):
    admin_client.submit("/settings/email", form_data(password="first-password"))
    admin_client.submit("/settings/email", form_data(clear_password="y", host="203.0.113.11"))
    assert settings_row(admin_client.admin.space_id).password_encrypted == ""


@pytest.mark.parametrize(
    ("encryption", "port", "message"),
    [
        ("ssl", 587, "SSL does not work on port 587"),
        ("tls", 465, "Port 465 expects SSL from the first byte: choose SSL for port 465"),
        ("none", 465, "Port 465 expects SSL: choose SSL for port 465"),
    ],
)
def test_mixed_modes_are_refused_with_the_pairing_that_works(
    admin_client, encryption, port, message
):
    response = admin_client.submit(
        "/settings/email", form_data(encryption=encryption, port=port, host="203.0.113.55")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert 'value="203.0.113.55"' in html  # the form keeps what was typed
    assert settings_row(admin_client.admin.space_id).host == ""


@pytest.mark.parametrize(
    ("encryption", "port"), [("tls", 2525), ("ssl", 8465), ("none", 26), ("tls", 25), ("none", 587)]
)
def test_other_ports_take_any_encryption(admin_client, encryption, port):
    response = admin_client.submit("/settings/email", form_data(encryption=encryption, port=port))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("port", "0", "A port is a number from 1 to 65535."),
        ("port", "65536", "A port is a number from 1 to 65535."),
        ("host", "not a host!", "This is not a valid host name or IP address."),
        ("host", "0x7f.1", "This is not a valid host name or IP address."),
        ("host", "", "Enter the SMTP Host"),
        ("from_email", "billing@", "is not a valid email address"),
        ("from_email", "a@b.example, evil@x.example", "is not a valid email address"),
        ("from_email", '"a@b.example" <evil@x.example>', "is not a valid email address"),
        ("from_name", "Acme\r\nBcc: evil@x.example", "Line breaks are not allowed here."),
        ("username", "user\nX-Evil: 1", "Line breaks are not allowed here."),
        ("bcc_all", "ok@acme.example, not-an-address", "is not a valid email address"),
        ("pinned_sha256", "abc", "64 hexadecimal digits"),
        ("timeout_seconds", "1", "Choose between 5 and 120 seconds."),
        ("host", "169.254.169.254", "link-local address"),
        ("host", "::1", "loopback address"),
    ],
)
def test_bad_input_gets_an_inline_error_and_nothing_is_saved(admin_client, field, value, message):
    response = admin_client.submit("/settings/email", form_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert settings_row(admin_client.admin.space_id).from_email == ""


def test_charset_refuses_what_it_cannot_write_and_names_it(admin_client):
    response = admin_client.submit(
        "/settings/email",
        form_data(charset="iso-8859-1", signature_html="<p>Total 10 € — merci</p>"),
    )
    html = response.get_data(as_text=True)
    assert "These characters cannot be written in ISO-8859-1:" in html
    assert "U+20AC EURO SIGN" in html and "U+2014 EM DASH" in html
    ok = admin_client.submit(
        "/settings/email",
        form_data(charset="iso-8859-15", signature_html="<p>Total 10 € merci</p>"),
    )
    assert ok.status_code == 302


def test_login_in_clear_needs_the_explicit_option(admin_client):
    data = form_data(encryption="none", port=25, password="secret-pass")
    response = admin_client.submit("/settings/email", data)
    assert response.status_code == 400 and "Allow login without encryption" in response.get_data(
        as_text=True
    )
    assert (
        admin_client.submit("/settings/email", {**data, "allow_insecure_auth": "y"}).status_code
        == 302
    )


def test_public_only_policy_refuses_private_hosts(app, make_app, create_space, login):
    strict = make_app(SMTP_HOST_POLICY="public-only")
    client = strict.test_client()
    admin = create_space()
    login(client, admin)
    response = client.submit("/settings/email", form_data(host="192.168.1.20"))
    assert "private network address" in response.get_data(as_text=True)
    default_client = app.test_client()
    login(default_client, admin)
    assert (
        default_client.submit("/settings/email", form_data(host="192.168.1.20")).status_code == 302
    )


def test_sendmail_needs_no_host(admin_client):
    response = admin_client.submit(
        "/settings/email", form_data(protocol="sendmail", host="", port=None)
    )
    assert response.status_code == 302
    assert settings_row(admin_client.admin.space_id).protocol == "sendmail"


def test_csrf_is_required(admin_client):
    response = admin_client.post("/settings/email", data=form_data())
    assert response.status_code == 400
    assert settings_row(admin_client.admin.space_id).from_email == ""


def test_signature_header_and_footer_typed_as_plain_lines_keep_their_line_breaks(admin_client):
    response = admin_client.submit(
        "/settings/email",
        form_data(
            signature_html="Kind regards,\r\nThe Acme team",
            header_html="{companyname}\r\nInvoices & reminders",
            footer_html="Acme Ltd\r\n1 Main Street\r\nSpringfield",
        ),
    )
    assert response.status_code == 302
    row = settings_row(admin_client.admin.space_id)
    assert row.wrapper("en").signature_html == "Kind regards,<br>\nThe Acme team"
    assert row.wrapper("en").header_html == "{companyname}<br>\nInvoices &amp; reminders"
    assert row.wrapper("en").footer_html == "Acme Ltd<br>\n1 Main Street<br>\nSpringfield"
    # HTML is taken as HTML: its line breaks are only layout.
    admin_client.submit("/settings/email", form_data(footer_html="<p>Acme Ltd</p>\r\n<p>x</p>"))
    row = settings_row(admin_client.admin.space_id)
    assert row.wrapper("en").footer_html == "<p>Acme Ltd</p>\n<p>x</p>"


def test_signature_header_and_footer_per_language(admin_client):
    """One set per language, the default language's first; an empty text takes the default
    language's."""
    space = admin_client.admin.space
    space.default_language = "ja"
    db.session.commit()
    html = admin_client.get("/settings/email").get_data(as_text=True)
    order = [html.index(f'id="texts-{code}"') for code in ("ja", "en", "fr")]
    assert order == sorted(order) and re.search(r'id="texts-ja"\s+open', html)
    data = form_data(
        **{"texts_fr-signature_html": "<p>Bien à vous</p>", "texts_fr-footer_html": ""}
    )
    data["texts_ja-footer_html"] = "<p>日本語のフッター</p>"
    assert admin_client.submit("/settings/email", data).status_code == 302
    row = settings_row(space.id)
    assert row.wrapper("fr").signature_html == "<p>Bien à vous</p>"
    french = row.texts_in("fr")
    assert french.signature_html == "<p>Bien à vous</p>"
    assert french.footer_html == "<p>日本語のフッター</p>"  # empty: the default language's
    assert row.texts_in("en").footer_html == "<p>Acme Ltd</p>"  # form_data's, for English


def test_a_language_the_charset_cannot_write_is_a_warning_not_an_error(admin_client):
    response = admin_client.submit("/settings/email", form_data(charset="iso-8859-15"))
    assert response.status_code == 302  # the shipped Japanese texts stay; English is the default
    page = admin_client.get("/settings/email").get_data(as_text=True)
    assert "日本語, Predefined Footer: These characters cannot be written in ISO-8859-15" in page
    assert "Emails in 日本語 cannot be sent with this charset." in page

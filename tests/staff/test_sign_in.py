import pytest

from djaboo.extensions import db
from djaboo.staff.models import LoginFailure, User
from tests.fixtures.factories import DEFAULT_PASSWORD


def test_pages_need_sign_in(client):
    response = client.get("/staff/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_with_the_right_password(client, create_space):
    admin = create_space()
    response = client.submit("/login", {"email": admin.email.upper(), "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert admin.name in page and admin.space.name in page


def test_wrong_password_gets_one_message_for_every_case(client, create_space, create_user):
    admin = create_space()
    inactive = create_user(admin.space, active=False)
    for email, password in [
        (admin.email, "wrong-password"),
        ("nobody@example.com", "x"),
        (inactive.email, DEFAULT_PASSWORD),
    ]:
        response = client.submit("/login", {"email": email, "password": password})
        assert response.status_code == 401
        assert "Email or password is incorrect." in response.get_data(as_text=True)
        assert client.get("/").status_code == 302


def test_sign_in_is_throttled_after_repeated_failures(client, create_space):
    admin = create_space()
    for _ in range(5):
        assert (
            client.submit("/login", {"email": admin.email, "password": "nope"}).status_code == 401
        )
    # Even the right password is refused while throttled: guessing gains nothing.
    response = client.submit("/login", {"email": admin.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.query(LoginFailure).count() == 5


def test_a_success_clears_the_failures(client, create_space):
    admin = create_space()
    for _ in range(4):
        client.submit("/login", {"email": admin.email, "password": "nope"})
    assert (
        client.submit("/login", {"email": admin.email, "password": DEFAULT_PASSWORD}).status_code
        == 302
    )
    assert db.session.query(LoginFailure).filter_by(email=admin.email).count() == 0


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "\\\\\\evil.example",
        "http:evil.example",
        "%2F%2Fevil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(client, create_space, target):
    admin = create_space()
    response = client.submit(
        "/login",
        {"email": admin.email, "password": DEFAULT_PASSWORD},
        query_string={"next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_percent_encoded_next_is_checked_after_decoding(client, create_space):
    admin = create_space()
    response = client.submit(
        "/login?next=%2F%2Fevil.example", {"email": admin.email, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_next_keeps_a_local_path(client, create_space):
    admin = create_space()
    response = client.submit(
        "/login",
        {"email": admin.email, "password": DEFAULT_PASSWORD},
        query_string={"next": "/staff/profile?tab=1"},
    )
    assert response.headers["Location"] == "/staff/profile?tab=1"


def test_post_without_csrf_token_is_refused(client, create_space):
    admin = create_space()
    response = client.post("/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_old_cookie_is_dead_after_logout(client, create_space, login):
    admin = create_space()
    login(client, admin)
    stolen = client.get_cookie("session").value
    assert client.submit("/logout", page="/").status_code == 302
    client.set_cookie("session", stolen)
    assert client.get("/staff/profile").status_code == 302


def test_deactivation_ends_existing_sessions(app, create_space, create_user, login):
    admin = create_space()
    staff = create_user(admin.space)
    staff_client, admin_client = app.test_client(), app.test_client()
    login(staff_client, staff)
    login(admin_client, admin)
    assert staff_client.get("/staff/profile").status_code == 200
    admin_client.submit(
        f"/staff/{staff.id}/edit", {"name": staff.name, "email": staff.email, "role": "staff"}
    )
    assert staff_client.get("/staff/profile").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, staff.id).active is False


def test_security_headers(client):
    headers = client.get("/login").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_error_pages(client, create_space, login):
    login(client, create_space())
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)

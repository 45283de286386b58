import pytest

from djaboo.extensions import db
from djaboo.staff.models import User
from tests.fixtures.factories import DEFAULT_PASSWORD


@pytest.mark.parametrize("url", ["/staff", "/staff/new"])
def test_staff_role_gets_403_on_admin_pages(client, create_space, create_user, login, url):
    admin = create_space()
    login(client, create_user(admin.space))
    assert client.get(url).status_code == 403


def test_staff_role_cannot_post_to_admin_pages(client, create_space, create_user, login):
    admin = create_space()
    staff = create_user(admin.space)
    login(client, staff)
    token_page = "/staff/profile"
    response = client.submit(
        f"/staff/{staff.id}/edit",
        {"name": "x", "email": staff.email, "role": "admin", "active": "y"},
        page=token_page,
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, staff.id).role == "staff"


def test_admin_creates_staff_who_can_sign_in(app, client, create_space, login):
    admin = create_space()
    login(client, admin)
    response = client.submit(
        "/staff/new",
        {
            "name": "Nina New",
            "email": "Nina@Example.com",
            "role": "staff",
            "password": "a-long-password",
        },
    )
    assert response.status_code == 302
    assert "Nina New" in client.get("/staff").get_data(as_text=True)
    other = app.test_client()
    assert (
        other.submit(
            "/login", {"email": "nina@example.com", "password": "a-long-password"}
        ).status_code
        == 302
    )


def test_create_errors_are_inline_and_nothing_is_saved(client, create_space, login):
    admin = create_space()
    login(client, admin)
    response = client.submit(
        "/staff/new", {"name": "Dup", "email": admin.email, "role": "staff", "password": "short"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use at least 10 characters." in html
    response = client.submit(
        "/staff/new",
        {"name": "Dup", "email": "not an email", "role": "staff", "password": "long-enough-pw"},
    )
    html = response.get_data(as_text=True)
    assert "An email address must have an @-sign." in html
    assert 'value="Dup"' in html  # the field keeps what was typed
    response = client.submit(
        "/staff/new",
        {"name": "Dup", "email": admin.email, "role": "staff", "password": "long-enough-pw"},
    )
    assert "already has an account" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1


def test_the_last_admin_cannot_be_removed(client, create_space, login):
    admin = create_space()
    login(client, admin)
    for data in ({"role": "staff", "active": "y"}, {"role": "admin"}):
        response = client.submit(
            f"/staff/{admin.id}/edit", {"name": admin.name, "email": admin.email, **data}
        )
        assert "last active admin" in response.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, admin.id)
    assert user.role == "admin" and user.active


def test_an_admin_can_step_down_when_another_admin_remains(
    client, create_space, create_user, login
):
    admin = create_space()
    create_user(admin.space, role="admin")
    login(client, admin)
    response = client.submit(
        f"/staff/{admin.id}/edit",
        {"name": admin.name, "email": admin.email, "role": "staff", "active": "y"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/staff").status_code == 403


def test_admin_resets_a_password(app, client, create_space, create_user, login):
    admin = create_space()
    staff = create_user(admin.space)
    login(client, admin)
    client.submit(
        f"/staff/{staff.id}/edit",
        {
            "name": staff.name,
            "email": staff.email,
            "role": "staff",
            "active": "y",
            "new_password": "brand-new-password",
        },
    )
    other = app.test_client()
    assert (
        other.submit("/login", {"email": staff.email, "password": DEFAULT_PASSWORD}).status_code
        == 401
    )
    assert (
        other.submit("/login", {"email": staff.email, "password": "brand-new-password"}).status_code
        == 302
    )


def test_another_spaces_user_is_404(client, create_space, login):
    admin_a, admin_b = create_space(), create_space()
    login(client, admin_a)
    assert client.get(f"/staff/{admin_b.id}/edit").status_code == 404
    response = client.submit(
        f"/staff/{admin_b.id}/edit",
        {"name": "hijack", "email": admin_b.email, "role": "staff"},
        page="/staff",
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, admin_b.id).name != "hijack"
    assert admin_b.email not in client.get("/staff").get_data(as_text=True)

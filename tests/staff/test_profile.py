from djaboo.extensions import db
from djaboo.staff.models import User
from tests.fixtures.factories import DEFAULT_PASSWORD

HOSTILE = (
    '<p>Kind regards</p><script>alert(1)</script><img src=x onerror="alert(2)">'
    '<a href="javascript:alert(3)">x</a><iframe src="https://evil.example"></iframe>'
    '<form action="https://evil.example"><input></form><base href="https://evil.example">'
    '<meta http-equiv="refresh" content="0;url=https://evil.example">'
    '<svg onload="alert(4)"></svg><p style="background:url(javascript:alert(5));color:red">'
    'x</p><a href="https://example.com">site</a>'
)


def test_signature_is_sanitized_on_save(client, create_space, login):
    admin = create_space()
    login(client, admin)
    response = client.submit("/staff/profile", {"name": "Ada", "signature_html": HOSTILE})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, admin.id).signature_html
    for bad in (
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "<form",
        "<base",
        "<meta",
        "<svg",
        "onload",
        "url(",
    ):
        assert bad not in stored, bad
    assert "<p>Kind regards</p>" in stored
    assert '<a href="https://example.com" rel="noopener noreferrer">site</a>' in stored
    assert 'style="color:red"' in stored


def test_signature_preview_is_a_sandboxed_frame(client, create_space, login):
    admin = create_space()
    login(client, admin)
    client.submit("/staff/profile", {"name": "Ada", "signature_html": "<b>Ada</b>"})
    html = client.get("/staff/profile").get_data(as_text=True)
    assert (
        '<iframe class="signature-preview" title="Signature preview" sandbox srcdoc="'
        '&lt;b&gt;Ada&lt;/b&gt;"' in html
    )


def test_password_change_needs_the_current_one_and_ends_other_sessions(app, create_space, login):
    admin = create_space()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, admin)
    login(elsewhere, admin)
    wrong = here.submit(
        "/staff/profile/password",
        {
            "pw-current_password": "not-it",
            "pw-new_password": "new-password-123",
            "pw-confirm_password": "new-password-123",
        },
        page="/staff/profile",
    )
    assert "This is not your current password." in wrong.get_data(as_text=True)
    ok = here.submit(
        "/staff/profile/password",
        {
            "pw-current_password": DEFAULT_PASSWORD,
            "pw-new_password": "new-password-123",
            "pw-confirm_password": "new-password-123",
        },
        page="/staff/profile",
    )
    assert ok.status_code == 302
    assert here.get("/staff/profile").status_code == 200
    assert elsewhere.get("/staff/profile").status_code == 302


def test_password_mismatch_is_inline(client, create_space, login):
    login(client, create_space())
    response = client.submit(
        "/staff/profile/password",
        {
            "pw-current_password": DEFAULT_PASSWORD,
            "pw-new_password": "new-password-123",
            "pw-confirm_password": "other-password-123",
        },
        page="/staff/profile",
    )
    assert response.status_code == 400
    assert "The passwords differ." in response.get_data(as_text=True)


def test_signature_typed_as_plain_lines_keeps_its_line_breaks(client, create_space, login):
    admin = create_space()
    login(client, admin)
    typed = "Cheers,\r\nAda <ada@acme.example>\r\n+44 20 7946 0000"
    response = client.submit("/staff/profile", {"name": "Ada", "signature_html": typed})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).signature_html == (
        "Cheers,<br>\nAda &lt;ada@acme.example&gt;<br>\n+44 20 7946 0000"
    )
    html = client.get("/staff/profile").get_data(as_text=True)
    assert 'srcdoc="Cheers,&lt;br&gt;\nAda &amp;lt;ada@acme.example&amp;gt;&lt;br&gt;' in html

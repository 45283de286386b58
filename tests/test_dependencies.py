"""Guards on the libraries and interpreter the security of the app leans on."""

from importlib.metadata import version


def as_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_jinja2_has_the_sandbox_fixes():
    # T03: CVE-2024-56326, CVE-2025-27516. Admin-edited text never goes through Jinja at all
    # (merge fields are a one-pass substitution), but our own page templates do.
    assert as_tuple(version("jinja2")) >= (3, 1, 6)


def test_email_package_refuses_header_injection():
    from email.errors import HeaderWriteError  # present once CVE-2024-6923 is fixed

    assert HeaderWriteError

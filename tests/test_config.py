import pytest

from djaboo import create_app
from djaboo.config import ConfigError
from tests.fixtures.database import TEST_ENCRYPTION_KEY


def test_start_without_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DJABOO_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="No SECRET_KEY is set"):
        create_app(instance_path=str(tmp_path))


@pytest.mark.parametrize("key", ["dev", "short-key", "changeme"])
def test_weak_secret_key_is_refused(tmp_path, key):
    with pytest.raises(ConfigError, match="too short or a well-known placeholder"):
        create_app({"SECRET_KEY": key}, instance_path=str(tmp_path))


def test_instance_config_then_environment(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        'SECRET_KEY = "from-instance-file-0123456789abcdef"\nLOGIN_MAX_FAILURES = 7\n'
        f"ENCRYPTION_KEY = {TEST_ENCRYPTION_KEY!r}\n"
    )
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "from-instance-file-0123456789abcdef"
    assert app.config["LOGIN_MAX_FAILURES"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/djaboo.sqlite3"

    monkeypatch.setenv("DJABOO_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("DJABOO_DATABASE_URL", "postgresql://u@127.0.0.1:5432/x")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["LOGIN_MAX_FAILURES"] == 3
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:5432/x"


def test_instance_path_from_environment(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere"
    monkeypatch.setenv("DJABOO_INSTANCE_PATH", str(target))
    monkeypatch.setenv("DJABOO_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DJABOO_ENCRYPTION_KEY", TEST_ENCRYPTION_KEY)
    app = create_app()
    assert app.instance_path == str(target)
    assert target.is_dir()


def test_start_without_encryption_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DJABOO_ENCRYPTION_KEY", raising=False)
    with pytest.raises(ConfigError, match="No ENCRYPTION_KEY is set"):
        create_app({"SECRET_KEY": "k" * 40}, instance_path=str(tmp_path))
    with pytest.raises(ConfigError, match="not a valid Fernet key"):
        create_app({"SECRET_KEY": "k" * 40, "ENCRYPTION_KEY": "nope"}, instance_path=str(tmp_path))


def test_sendmail_command_from_environment_is_split(tmp_path, monkeypatch):
    monkeypatch.setenv("DJABOO_SENDMAIL_COMMAND", "/usr/bin/msmtp -C '/etc/my msmtp.conf' -t -i")
    app = create_app(
        {"SECRET_KEY": "k" * 40, "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY}, instance_path=str(tmp_path)
    )
    assert app.config["SENDMAIL_COMMAND"] == [
        "/usr/bin/msmtp",
        "-C",
        "/etc/my msmtp.conf",
        "-t",
        "-i",
    ]

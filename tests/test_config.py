import pytest

from djaboo import create_app
from djaboo.config import ConfigError
from djaboo.extensions import db
from tests.fixtures.database import TEST_BASE_URL, TEST_ENCRYPTION_KEY


def test_start_without_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DJABOO_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="No SECRET_KEY is set"):
        create_app(instance_path=str(tmp_path))


@pytest.mark.parametrize("key", ["dev", "short-key", "changeme"])
def test_weak_secret_key_is_refused(tmp_path, key):
    with pytest.raises(ConfigError, match="too short or a well-known placeholder"):
        create_app({"SECRET_KEY": key}, instance_path=str(tmp_path))


def test_instance_config_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DJABOO_BASE_URL", TEST_BASE_URL)
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
    monkeypatch.setenv("DJABOO_BASE_URL", TEST_BASE_URL)
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
    app = _app(tmp_path)
    assert app.config["SENDMAIL_COMMAND"] == [
        "/usr/bin/msmtp",
        "-C",
        "/etc/my msmtp.conf",
        "-t",
        "-i",
    ]


def _app(tmp_path, **config):
    return create_app(
        {
            "SECRET_KEY": "k" * 40,
            "ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
            "BASE_URL": TEST_BASE_URL,
            **config,
        },
        instance_path=str(tmp_path),
    )


def test_database_timeouts_from_environment_reach_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("DJABOO_DATABASE_URL", "postgresql://u@127.0.0.1:5432/x")
    monkeypatch.setenv("DJABOO_DATABASE_CONNECT_TIMEOUT", "7")
    monkeypatch.setenv("DJABOO_DATABASE_STATEMENT_TIMEOUT", "2.5")
    app = _app(tmp_path)
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is False  # replaced by a ping with a deadline
    connect_args = options["connect_args"]
    assert connect_args["connect_timeout"] == 7
    assert connect_args["options"] == "-c statement_timeout=2500"
    assert connect_args["keepalives"] == 1
    assert connect_args["tcp_user_timeout"] == 15_000


def test_operator_engine_options_win(tmp_path):
    app = _app(
        tmp_path,
        DATABASE_URL="postgresql://u@127.0.0.1:5432/x",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 3, "connect_args": {"keepalives_idle": 60}},
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_size"] == 3
    assert options["connect_args"]["keepalives_idle"] == 60
    assert options["connect_args"]["connect_timeout"] == 5  # the default stays


def test_default_database_timeouts_and_sqlite_busy_timeout(tmp_path):
    app = _app(tmp_path)
    assert app.config["DATABASE_CONNECT_TIMEOUT"] == 5
    assert app.config["DATABASE_STATEMENT_TIMEOUT"] == 30
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        db.engine.dispose()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("DATABASE_CONNECT_TIMEOUT", 1, "whole number of seconds from 2 to 300, not 1"),
        ("DATABASE_CONNECT_TIMEOUT", 2.5, "whole number of seconds from 2 to 300"),
        ("DATABASE_CONNECT_TIMEOUT", "5s", "whole number of seconds from 2 to 300, not '5s'"),
        ("DATABASE_CONNECT_TIMEOUT", True, "whole number of seconds"),
        ("DATABASE_STATEMENT_TIMEOUT", -1, "at least 1 \\(or 0 for no limit\\), not -1"),
        ("DATABASE_STATEMENT_TIMEOUT", 0.5, "at least 1 \\(or 0 for no limit\\)"),
        ("DATABASE_STATEMENT_TIMEOUT", "30", "a number of seconds"),
    ],
)
def test_bad_database_timeouts_are_refused(tmp_path, key, value, message):
    with pytest.raises(ConfigError, match=f"{key} must be .*{message}"):
        _app(tmp_path, **{key: value})


def test_no_statement_timeout(tmp_path):
    app = _app(tmp_path, DATABASE_URL="postgresql://u@h/x", DATABASE_STATEMENT_TIMEOUT=0)
    connect_args = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert connect_args["options"] == "-c statement_timeout=0"


@pytest.mark.parametrize("value", [1, 3601, "300", True, None])
def test_bad_claim_leases_are_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="MAIL_CLAIM_LEASE_SECONDS must be a number of seconds"):
        _app(tmp_path, MAIL_CLAIM_LEASE_SECONDS=value)


def test_claim_lease_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DJABOO_MAIL_CLAIM_LEASE_SECONDS", "90")
    assert _app(tmp_path).config["MAIL_CLAIM_LEASE_SECONDS"] == 90
    monkeypatch.delenv("DJABOO_MAIL_CLAIM_LEASE_SECONDS")
    assert _app(tmp_path / "plain").config["MAIL_CLAIM_LEASE_SECONDS"] == 300

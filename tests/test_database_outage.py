"""The database failing is a clear, fast answer, not a hang.

Against a throw-away PostgreSQL cluster that the tests stop, start, freeze (SIGSTOP) and thaw:
pages answer 503 "Database unreachable" within seconds and work again once it is back, with the
same app; the worker waits it out and delivers afterwards; one-shot commands fail in one line.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask_login import current_user, login_required

from djaboo import create_app
from djaboo.database_timeouts import lift_statement_timeout
from djaboo.extensions import db
from tests.fixtures.database import (
    TEST_BASE_URL,
    TEST_ENCRYPTION_KEY,
    TEST_SECRET_KEY,
    FormClient,
    base_config,
)
from tests.fixtures.factories import DEFAULT_PASSWORD
from tests.mail.test_worker import queue, statuses
from tests.settings.conftest import form_data

UNREACHABLE = "The database is not answering. Nothing was saved; try again in a minute."
DJABOO = str(Path(sys.executable).parent / "djaboo")


@pytest.fixture(scope="session")
def database_url(pg_cluster):
    """Every app of this module runs on the cluster the tests may take down."""
    return pg_cluster.url


@pytest.fixture
def cluster(pg_cluster):
    """The cluster, running and thawed again after the test whatever it did."""
    yield pg_cluster
    pg_cluster.thaw()
    if not pg_cluster.running():
        pg_cluster.start()


def timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def assert_unreachable_page(response):
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "<title>Database unreachable · Djaboo Mail</title>" in page
    assert UNREACHABLE in page
    assert response.headers["Retry-After"] == "60"


def test_stopped_database_is_a_503_at_once_and_pages_work_again_after_restart(
    app, client, create_space, login, cluster
):
    admin = create_space()
    login(client, admin)
    assert client.get("/").status_code == 200  # a pooled connection the stop will kill
    anonymous = app.test_client()
    db.session.remove()  # the test's own session: only the requests' ones are under test

    cluster.stop()
    response, seconds = timed_get(client, "/")
    assert_unreachable_page(response)
    assert seconds < 2, seconds  # refused at once: measured about 0.02 s
    response, seconds = timed_get(client, "/login")
    assert_unreachable_page(response)  # the signed-in user cannot be loaded
    assert anonymous.get("/login").status_code == 200  # nothing to load: the form still shows
    response = anonymous.submit("/login", {"email": admin.email, "password": "x"})
    assert_unreachable_page(response)  # signing in needs the database

    cluster.start()
    response = client.get("/")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert admin.email in client.get("/staff/profile").get_data(as_text=True)


def test_frozen_database_is_a_503_within_seconds_and_recovers_after_sigcont(
    app, client, create_space, login, cluster
):
    admin = create_space()
    login(client, admin)
    assert client.get("/").status_code == 200

    cluster.freeze()
    try:
        # The pooled connection's ping gets no answer: the watchdog hangs it up after the
        # connect timeout (5 s by default) instead of waiting forever.
        response, seconds = timed_get(client, "/")
        assert_unreachable_page(response)
        assert 4 < seconds < 8, seconds
        # No pooled connection left: a new one times out (psycopg's connect_timeout).
        response, seconds = timed_get(client, "/login")
        assert_unreachable_page(response)
        assert 4 < seconds < 8, seconds
    finally:
        cluster.thaw()
    response, seconds = timed_get(client, "/")
    assert response.status_code == 200
    assert seconds < 2


def test_a_restart_mid_transaction_costs_that_transaction_only(app, cluster):
    """The connection the restart killed is dropped from the pool, not handed to the next
    user; the same session carries on with a new one."""
    db.session.execute(sa.text("SELECT 1"))  # a transaction is open on a pooled connection
    cluster.stop()
    cluster.start()
    with pytest.raises(sa.exc.OperationalError) as error:
        db.session.execute(sa.text("SELECT 1"))
    assert error.value.connection_invalidated
    db.session.rollback()  # nothing left to fail
    assert db.session.execute(sa.text("SELECT 2")).scalar_one() == 2


def test_keepalives_alone_never_notice_a_frozen_server(cluster):
    """Why the watchdog exists: the frozen server's kernel acknowledges our bytes and keepalive
    probes, so psycopg with keepalives and tcp_user_timeout waits past any bound we set."""
    dsn = cluster.url.replace("postgresql+psycopg", "postgresql")
    connection = psycopg.connect(
        dsn,
        keepalives=1,
        keepalives_idle=1,
        keepalives_interval=1,
        keepalives_count=1,
        tcp_user_timeout=1000,
    )
    cluster.freeze()
    try:
        done = threading.Event()

        def ask():
            with contextlib.suppress(psycopg.OperationalError):
                connection.execute("SELECT 1")
            done.set()

        threading.Thread(target=ask, daemon=True).start()
        assert not done.wait(3)  # three times tcp_user_timeout, and still waiting
    finally:
        cluster.thaw()
    assert done.wait(5)
    connection.close()


def test_database_freezing_mid_statement_is_cut_off_after_the_statement_timeout(
    make_app, create_space, cluster
):
    app = make_app(DATABASE_STATEMENT_TIMEOUT=1)

    @app.route("/freeze-then-query")
    @login_required
    def freeze_then_query():
        name = current_user.name  # the connection is checked out and answering
        cluster.freeze()
        db.session.execute(sa.text("SELECT 1"))
        return name

    with app.app_context():
        email = create_space().email
    client = app.test_client()
    client.submit("/login", {"email": email, "password": DEFAULT_PASSWORD})
    try:
        response, seconds = timed_get(client, "/freeze-then-query")
    finally:
        cluster.thaw()
    assert_unreachable_page(response)
    assert 5 < seconds < 8, seconds  # 1 s statement timeout + 5 s grace for the server
    assert client.get("/").status_code == 200


def test_statement_timeout_is_a_503_and_the_connection_stays_usable(make_app, cluster):
    app = make_app(DATABASE_STATEMENT_TIMEOUT=1)

    @app.route("/slow")
    def slow():
        db.session.execute(sa.text("SELECT pg_sleep(3)"))
        return "done"

    @app.route("/timeout")
    def timeout():
        return db.session.execute(sa.text("SHOW statement_timeout")).scalar_one()

    client = app.test_client()
    response, seconds = timed_get(client, "/slow")
    assert_unreachable_page(response)  # the server cancelled it: QueryCanceled
    assert 0.9 < seconds < 2, seconds
    assert client.get("/timeout").get_data(as_text=True) == "1s"


def test_migrations_run_without_the_statement_timeout(app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar_one() == "30s"
        connection.rollback()
        with connection.begin():
            lift_statement_timeout(connection)
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar_one() == "0"
            connection.exec_driver_sql("SELECT pg_sleep(0.1)")
        # Only for that transaction: the pooled connection keeps the limit for the next user.
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar_one() == "30s"


def test_error_page_after_a_crash_renders_without_the_database(make_app, create_space, cluster):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/crash")
    @login_required
    def crash():
        current_user.name  # noqa: B018  (loaded: the layout would reload it after the rollback)
        cluster.stop()
        raise RuntimeError("a bug")

    with app.app_context():
        email = create_space().email
    client = app.test_client()
    client.submit("/login", {"email": email, "password": DEFAULT_PASSWORD})
    response = client.get("/crash")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def worker_env(url: str, instance: Path) -> dict:
    return {
        **os.environ,
        "DJABOO_SECRET_KEY": TEST_SECRET_KEY,
        "DJABOO_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "DJABOO_BASE_URL": TEST_BASE_URL,
        "DJABOO_DATABASE_URL": url,
        "DJABOO_SMTP_ALLOWED_HOSTS": "127.0.0.1",
        "DJABOO_INSTANCE_PATH": str(instance),
    }


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_worker_waits_for_the_database_and_then_delivers(
    app, client, create_space, login, smtp_server, cluster, tmp_path
):
    admin = create_space()
    server = smtp_server()
    login(client, admin)
    client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    ids = queue(admin.space_id, 1)
    db.session.remove()
    cluster.stop()
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [DJABOO, "mail", "worker", "--interval", "0.5", "--no-reminders"],
            env=worker_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: "attempt 3," in log.read_text(), 15), log.read_text()
        assert process.poll() is None  # still there, waiting
        cluster.start()
        assert wait_for(lambda: server.messages, 15), log.read_text()
        assert statuses(ids) == ["sent"]
    finally:
        process.terminate()
        process.wait(10)
    text = log.read_text()
    assert "database unreachable (attempt 1, next in 0.5s): OperationalError:" in text
    assert "attempt 2, next in 1s" in text
    assert "database answering again after" in text
    assert "Traceback" not in text
    assert server.messages[0].message["Subject"] == "Invoice 0"


def test_reminders_run_fails_in_one_line_while_the_database_is_down(cluster, tmp_path):
    cluster.stop()
    started = time.monotonic()
    result = subprocess.run(
        [DJABOO, "reminders", "run"],
        env=worker_env(cluster.url, tmp_path / "instance"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: The database is not answering (OperationalError:")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert time.monotonic() - started < 10


def test_postgresql_deployment_needs_no_instance_folder(cluster, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    instance = blocker / "instance"  # cannot be created, not even by root
    for key, value in worker_env(cluster.url, instance).items():
        monkeypatch.setenv(key, value)
    app = create_app()
    app.test_client_class = FormClient
    assert app.instance_path == str(instance)
    client = app.test_client()
    assert client.get("/login").status_code == 200
    response = client.submit("/login", {"email": "nobody@example.com", "password": "x"})
    assert response.status_code == 401  # the database answered: no such user
    with app.app_context():
        db.engine.dispose()
    result = subprocess.run(
        [DJABOO, "mail", "worker", "--once"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "email(s) handled." in result.stdout
    assert not instance.exists()


def test_sqlite_in_the_instance_folder_still_creates_it(tmp_path):
    instance = tmp_path / "new" / "instance"
    app = create_app(base_config(None), instance_path=str(instance))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/djaboo.sqlite3"
    assert instance.is_dir()

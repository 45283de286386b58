from djaboo import create_app
from djaboo.instance_setup import ensure_instance_config
from tests.fixtures.database import TEST_BASE_URL


def test_first_run_writes_a_private_config_the_app_accepts(tmp_path, monkeypatch):
    monkeypatch.setenv("DJABOO_BASE_URL", TEST_BASE_URL)  # make run sets it; it is no secret
    assert ensure_instance_config(tmp_path) == ["SECRET_KEY", "ENCRYPTION_KEY"]
    config = tmp_path / "config.py"
    assert config.stat().st_mode & 0o777 == 0o600
    first = config.read_text()
    assert ensure_instance_config(tmp_path) == []
    assert config.read_text() == first  # never regenerated: sessions survive restarts
    app = create_app(instance_path=str(tmp_path))
    assert len(app.config["SECRET_KEY"]) == 64

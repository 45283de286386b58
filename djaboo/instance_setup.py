"""First-run setup of the instance folder: a config.py with freshly generated secrets.

Run as `python -m djaboo.instance_setup [instance_path]` (make run does). It never overwrites a
value that is already set, so it is safe to run on every start.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from djaboo import DEFAULT_INSTANCE_PATH

GENERATED = {
    "SECRET_KEY": lambda: secrets.token_hex(32),
    "ENCRYPTION_KEY": lambda: Fernet.generate_key().decode(),
}


def ensure_instance_config(instance_path: Path) -> list[str]:
    """Create instance_path/config.py or add the generated keys it lacks; return the added keys."""
    instance_path.mkdir(parents=True, exist_ok=True)
    config_file = instance_path / "config.py"
    existing: dict = {}
    if config_file.exists():
        exec(compile(config_file.read_text(), str(config_file), "exec"), existing)  # noqa: S102
    added = [key for key in GENERATED if not existing.get(key)]
    if added:
        lines = (
            []
            if config_file.exists()
            else [
                "# Djaboo Mail instance configuration (generated; keep it secret, keep a backup).",
                "# Any DJABOO_<KEY> environment variable overrides the value here.",
            ]
        )
        lines += [f"{key} = {GENERATED[key]()!r}" for key in added]
        with config_file.open("a") as handle:
            handle.write("\n".join(lines) + "\n")
        config_file.chmod(0o600)
    return added


def main() -> None:
    path = Path(
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("DJABOO_INSTANCE_PATH") or DEFAULT_INSTANCE_PATH
    )
    added = ensure_instance_config(path)
    if added:
        print(f"Wrote {', '.join(added)} to {path / 'config.py'}")


if __name__ == "__main__":
    main()

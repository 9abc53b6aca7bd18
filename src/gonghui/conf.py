"""Environment-driven configuration that must be known before Django settings load.

Kept apart from settings.py so the CLI (and tests) can ask for the data directory or
generate keys without importing Django.
"""

import os
import secrets
from pathlib import Path

CHECKOUT_DIR = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Where the embedded database, uploads and keys live.

    GONGHUI_DATA_DIR wins; otherwise a `var/` folder in the checkout when running from a
    source tree (the demo's home), else ~/.gonghui for an installed package.
    """
    configured = os.environ.get("GONGHUI_DATA_DIR")
    if configured:
        path = Path(configured).expanduser()
    elif (CHECKOUT_DIR / "pyproject.toml").exists():
        path = CHECKOUT_DIR / "var"
    else:
        path = Path.home() / ".gonghui"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keys_dir() -> Path:
    path = data_dir() / "keys"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def read_or_create_secret(name: str, nbytes: int = 48) -> str:
    """A secret kept in the data dir's keys folder, created (0600) on first use.

    Used for the Django secret key and the field-encryption master key when the
    environment does not provide them; never committed, never in the database.
    """
    path = keys_dir() / name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value

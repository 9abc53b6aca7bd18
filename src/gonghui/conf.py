"""Environment-driven configuration that must be known before Django settings load.

Kept apart from settings.py so the CLI (and tests) can ask for the data directory or
generate keys without importing Django.

Everything in the data directory is private to the account gonghui runs as: the database
and the exports hold full ID numbers, the keys decrypt them. Directories are 0700 and files
0600 when gonghui creates them, whatever the umask, and `secure_data_dir` tightens what an
older install left readable (docs/operations.md, "File permissions").
"""

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

CHECKOUT_DIR = Path(__file__).resolve().parents[2]
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

log = logging.getLogger("gonghui.conf")


def restrict_umask() -> None:
    """Make every file and folder this process creates owner-only.

    Called by the entry points (the `gonghui` command, wsgi.py), not on import: the umask
    belongs to the whole process, and a program that merely imports gonghui's modules keeps
    its own. The explicit modes below hold either way; the umask also covers files that
    libraries create for us (SQLite's, xlsxwriter's temporary files, `--out` files).
    """
    os.umask(0o077)


def posix_modes() -> bool:
    # Windows reports made-up mode bits and chmod only toggles read-only; there the
    # profile's ACLs, not these modes, keep other accounts out.
    return os.name == "posix"


def private_dir(path: Path) -> Path:
    """Create `path` (and any missing parent) owner-only, or tighten it if we own it."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        # FileExistsError: another process made it meanwhile; tighten() below still applies.
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR_MODE)
    tighten(path)
    return path


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
    if not path.exists():
        private_dir(path)
    return path


def keys_dir() -> Path:
    return private_dir(data_dir() / "keys")


def read_or_create_secret(name: str, nbytes: int = 48) -> str:
    """A secret kept in the data dir's keys folder, created (0600) on first use.

    Used for the Django secret key and the field-encryption master key when the
    environment does not provide them; never committed, never in the database.
    """
    path = keys_dir() / name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def create_private_file(path: Path) -> Path:
    """Create an empty owner-only file unless it exists.

    A writer that later opens it with "w" truncates it and keeps the mode, so the file is
    never readable by others, not even for the moment between creating and chmod-ing it.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    return path


def loose_mode(path: Path) -> int | None:
    """The permission bits of `path` if group or others have any access, else None."""
    if not posix_modes():
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    return mode if mode & 0o077 else None


def tighten(path: Path) -> bool:
    """Take group and others' access away from `path` if we own it; True if it is private now."""
    mode = loose_mode(path)
    if mode is None:
        return True
    try:
        if path.stat().st_uid != os.geteuid():
            return False  # someone else's: reported by the gonghui.W001-W003 system checks
        path.chmod(mode & 0o700)
    except OSError:
        return False
    log.warning("tightened permissions of %s from %04o to %04o (owner only)", path, mode, mode & 0o700)
    return True


def sqlite_file(database: dict) -> Path | None:
    """The file of a Django database settings dict, if it is a SQLite database on disk."""
    name = str(database.get("NAME") or "")
    if not database.get("ENGINE", "").endswith("sqlite3") or name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name)


def sqlite_files(sqlite_path: Path | None) -> list[Path]:
    if sqlite_path is None:
        return []
    return [sqlite_path] + [sqlite_path.with_name(sqlite_path.name + s) for s in SQLITE_COMPANIONS]


def private_paths(root: Path, sqlite_path: Path | None = None) -> list[tuple[Path, str]]:
    """The data dir's private parts that exist, as (path, "dir" | "key" | "database")."""
    found: list[tuple[Path, str]] = []
    for folder in (root, root / "keys", root / "work", root / "uploads"):
        if folder.is_dir():
            found.append((folder, "dir"))
    if (root / "work").is_dir():
        found += [(p, "dir") for p in sorted((root / "work").iterdir()) if p.is_dir()]
    if (root / "keys").is_dir():
        found += [(p, "key") for p in sorted((root / "keys").iterdir()) if p.is_file()]
    found += [(p, "database") for p in sqlite_files(sqlite_path) if p.exists()]
    return found


def secure_data_dir(root: Path, *, sqlite_path: Path | None = None) -> list[Path]:
    """Make the data dir private at start; returns the paths left open to others.

    Creates the SQLite file (empty, 0600) before SQLite first opens it: SQLite creates a
    database 0644 minus the umask and gives its -wal and -shm files the database's own mode,
    so a private database file keeps the whole set private. A pre-existing file from an older
    install is tightened the same way, along with the files left in work/.
    """
    if sqlite_path is not None and sqlite_path.parent.is_dir():
        create_private_file(sqlite_path)
    left = [path for path, _kind in private_paths(root, sqlite_path) if not tighten(path)]
    work = root / "work"
    if work.is_dir():
        for folder in work.iterdir():
            if folder.is_dir():
                for leftover in folder.iterdir():
                    tighten(leftover)
    return left

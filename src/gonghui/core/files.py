"""Temporary files: uploads waiting for confirmation, and generated exports."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings

_TOKEN = re.compile(r"^[a-f0-9]{32}$")
KEEP_SECONDS = 24 * 3600


def work_dir(kind: str) -> Path:
    path = Path(settings.DATA_DIR) / "work" / kind
    path.mkdir(parents=True, exist_ok=True)
    _sweep(path)
    return path


def _sweep(path: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in path.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


def stash_upload(upload, *, request=None) -> str:
    """Keep an uploaded file until the user confirms the import; returns its token."""
    suffix = Path(upload.name or "").suffix.lower()[:8]
    if not re.fullmatch(r"\.[a-z0-9]{1,7}", suffix or ".x"):
        suffix = ""
    token = secrets.token_hex(16)
    dest = work_dir("uploads") / f"{token}{suffix}"
    with dest.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    if request is not None:
        allowed = request.session.get("upload_tokens", [])[-20:]
        request.session["upload_tokens"] = allowed + [token]
    return token


def stashed_path(token: str, *, request=None) -> Path | None:
    """The stashed file for a token this session uploaded (None if unknown)."""
    if not _TOKEN.match(token or ""):
        return None
    if request is not None and token not in request.session.get("upload_tokens", []):
        return None
    matches = list(work_dir("uploads").glob(f"{token}*"))
    return matches[0] if matches else None


def export_path(stem: str, suffix: str = ".xlsx") -> Path:
    return work_dir("exports") / f"{secrets.token_hex(8)}-{re.sub(r'[^A-Za-z0-9_-]', '', stem)[:40]}{suffix}"

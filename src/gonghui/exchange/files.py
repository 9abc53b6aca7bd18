"""Temporary files: uploads waiting for confirmation, and generated exports.

Both hold personal data (full ID numbers), so work/ and its folders are owner-only (0700),
an export is created 0600 before anything is written to it, and a download removes its
file as it is sent (`send_and_delete`). The sweep only catches what a crash left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

from gonghui import conf

_TOKEN = re.compile(r"^[a-f0-9]{32}$")
KEEP_SECONDS = 24 * 3600
# An export lives for the request that writes and sends it; anything older was orphaned
# by an error between the two.
EXPORT_KEEP_SECONDS = 3600


def work_dir(kind: str, *, keep_seconds: int = KEEP_SECONDS) -> Path:
    work = conf.private_dir(Path(settings.DATA_DIR) / "work")
    path = conf.private_dir(work / kind)
    _sweep(path, keep_seconds)
    return path


def _sweep(path: Path, keep_seconds: int = KEEP_SECONDS) -> None:
    cutoff = time.time() - keep_seconds
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
    dest = conf.create_private_file(work_dir("uploads") / f"{token}{suffix}")
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
    """A new, empty, owner-only file in work/exports for a generated download.

    Created here rather than by the writer so that it is 0600 whatever the umask: xlsxwriter
    opens it with "wb", which keeps the mode of an existing file.
    """
    name = f"{secrets.token_hex(8)}-{re.sub(r'[^A-Za-z0-9_-]', '', stem)[:40]}{suffix}"
    return conf.create_private_file(work_dir("exports", keep_seconds=EXPORT_KEEP_SECONDS) / name)


class DisposableFileResponse(FileResponse):
    """A download of a file generated for this one request: the file is removed when the
    response is closed (after the last byte is sent, or when the client goes away)."""

    def __init__(self, path: Path, **kwargs):
        self.disposable_path = path
        super().__init__(path.open("rb"), **kwargs)

    def close(self) -> None:
        try:
            super().close()
        finally:
            _discard(self.disposable_path)


def _discard(path: Path) -> None:
    # OSError: e.g. Windows while another handle is open; the sweep gets it later.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def send_and_delete(path: Path | str, filename: str) -> FileResponse:
    """Send a generated file as an attachment named `filename`, leaving nothing on disk."""
    response = DisposableFileResponse(Path(path), as_attachment=True, filename=filename)
    if os.name == "posix":
        # The open handle keeps the content readable for the response; removing the name
        # now means no copy survives a send that never finishes or a killed process.
        _discard(Path(path))
    return response


def discard_upload(token: str) -> None:
    """Remove a stashed upload (its import has ended, or it can never be imported)."""
    if not _TOKEN.match(token or ""):
        return
    for path in work_dir("uploads").glob(f"{token}*"):
        with contextlib.suppress(OSError):
            path.unlink()

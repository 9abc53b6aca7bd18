"""Security issue 10, item 4: personal data on disk is private and short-lived.

The data directory, its keys, the SQLite database (with -wal and -shm) and work/ are
owner-only (0700 folders, 0600 files) from the moment gonghui creates them, whatever the
umask; an older install's looser modes are tightened at start; what gonghui cannot tighten
(someone else's file) is reported by `gonghui check --deploy` (gonghui.W001-W003). Every
generated download leaves nothing in work/exports once sent, and uploads Django spools to
disk land in the private work/spool.

The tests run under umask 022 (the common default) so that they prove the explicit modes,
not a umask that happens to be strict.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import call_command

from gonghui import conf
from gonghui.access.actor import Actor
from gonghui.assistance.services import batch_create
from gonghui.assistance.tests.factories import household
from gonghui.core import checks
from gonghui.exchange import files
from gonghui.members import sheets as member_sheets
from gonghui.members.services import member_create
from gonghui.testing.members import make_id

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows uses the profile's ACLs")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def common_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def data_dir(tmp_path, settings):
    """A fresh data dir for this test (not yet created), so work/exports starts empty."""
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def exports(data_dir: Path) -> list[str]:
    folder = data_dir / "work" / "exports"
    return sorted(os.listdir(folder)) if folder.exists() else []


# --- a gonghui process starting on a data dir ---------------------------------------------

START = """
import json, os, stat, sys
os.umask(0o022)
import django
django.setup()
from django.db import connection
with connection.cursor() as c:  # a write, so SQLite creates its -wal and -shm files
    c.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    c.execute("INSERT INTO probe VALUES (1)")
    root = sys.argv[1]
    modes = {}
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            path = os.path.join(folder, name)
            modes[os.path.relpath(path, root)] = stat.S_IMODE(os.stat(path).st_mode)
    modes["."] = stat.S_IMODE(os.stat(root).st_mode)
print(json.dumps(modes))
"""


def start_gonghui(root: Path) -> tuple[dict[str, int], str]:
    """Start Django with the real settings on `root` (not through the `gonghui` command, so
    the process keeps umask 022) and return every path's mode seen while it runs."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGHUI_SECRET_KEY", "GONGHUI_FIELD_KEY")}
    env.update({"GONGHUI_DATA_DIR": str(root), "DJANGO_SETTINGS_MODULE": "gonghui.settings"})
    result = subprocess.run([sys.executable, "-c", START, str(root)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


PRIVATE = {
    ".": 0o700, "keys": 0o700, "keys/secret_key": 0o600, "keys/field_key": 0o600,
    "gonghui.sqlite3": 0o600, "gonghui.sqlite3-wal": 0o600, "gonghui.sqlite3-shm": 0o600,
    "work": 0o700, "work/spool": 0o700,
}


def test_a_new_data_dir_is_private_from_the_start(tmp_path):
    modes, _log = start_gonghui(tmp_path / "new")
    assert {path: modes.get(path) for path in PRIVATE} == PRIVATE


def test_an_older_installs_data_dir_is_tightened_at_start_and_logged(tmp_path):
    root = tmp_path / "old"
    (root / "keys").mkdir(parents=True)
    (root / "work" / "exports").mkdir(parents=True)
    for name in ("keys/secret_key", "keys/field_key"):
        (root / name).write_text("x" * 64 + "\n")
    for name in ("gonghui.sqlite3", "work/exports/left-over.xlsx"):
        (root / name).touch()
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    modes, log = start_gonghui(root)

    assert {path: modes.get(path) for path in PRIVATE} == PRIVATE
    assert modes["work/exports"] == 0o700 and modes["work/exports/left-over.xlsx"] == 0o600
    assert f"tightened permissions of {root / 'gonghui.sqlite3'} from 0644 to 0600" in log
    assert f"tightened permissions of {root} from 0755 to 0700" in log


# --- the system check ----------------------------------------------------------------------


def loose_data_dir(root: Path) -> Path:
    (root / "keys").mkdir(parents=True)
    (root / "work" / "exports").mkdir(parents=True)
    (root / "keys" / "field_key").write_text("k\n")
    (root / "gonghui.sqlite3").touch()
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def deploy_check() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", "--deploy", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_deploy_reports_a_data_dir_open_to_other_accounts(data_dir):
    loose_data_dir(data_dir)
    report = deploy_check()
    for folder in (data_dir, data_dir / "keys", data_dir / "work", data_dir / "work" / "exports"):
        assert f"{folder}: (gonghui.W001) 数据目录或其中的文件夹的权限为 drwxr-xr-x（0755），本机其他账号可以访问。" in report
    assert f"{data_dir / 'keys' / 'field_key'}: (gonghui.W002) 密钥文件的权限为 -rw-r--r--（0644）" in report
    assert f"`chmod 600 {data_dir / 'keys' / 'field_key'}`" in report

    assert conf.secure_data_dir(data_dir, sqlite_path=data_dir / "gonghui.sqlite3") == []
    assert "gonghui.W0" not in deploy_check()


def test_the_check_reports_the_database_file(tmp_path):
    root = loose_data_dir(tmp_path / "data")
    database = root / "gonghui.sqlite3"
    warnings = checks.permission_warnings(root, database)
    assert [w.obj for w in warnings if w.id == "gonghui.W003"] == [str(database)]
    assert "数据库文件的权限为 -rw-r--r--（0644）" in next(w.msg for w in warnings if w.id == "gonghui.W003")

    conf.secure_data_dir(root, sqlite_path=database)
    assert checks.permission_warnings(root, database) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="giving a file to another account needs root")
def test_someone_elses_file_is_left_alone_and_reported(tmp_path):
    root = loose_data_dir(tmp_path / "data")
    key = root / "keys" / "field_key"
    os.chown(key, 65534, 65534)

    assert conf.secure_data_dir(root, sqlite_path=root / "gonghui.sqlite3") == [key]
    assert mode(key) == 0o644 and mode(root / "keys") == 0o700
    (warning,) = checks.permission_warnings(root, root / "gonghui.sqlite3")
    assert warning.id == "gonghui.W002" and "它不属于运行 gonghui 的账号（所有者 uid 65534）" in warning.msg


# --- exports: owner-only while they exist, gone once sent ---------------------------------


def test_exports_are_written_owner_only_in_owner_only_folders(db, data_dir):
    (data_dir / "work" / "exports").mkdir(parents=True)
    for folder in (data_dir / "work", data_dir / "work" / "exports"):
        folder.chmod(0o755)  # an older install's folders are tightened as they are used

    path = member_sheets.members_template()

    assert path.parent == data_dir / "work" / "exports" and path.stat().st_size > 0
    assert mode(path) == 0o600
    assert mode(data_dir / "work" / "exports") == mode(data_dir / "work") == 0o700


@pytest.fixture
def downloads(tree, personas):
    """(user, url) of every download of a generated file, with personal data where it has any."""
    op = Actor.system()
    member_create(actor=op, org=tree.grassroots, name="张三", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    home = household(tree.grassroots, name="困难户")
    batch = batch_create(actor=op, org=tree.grassroots, title="送温暖", on=dt.date(2025, 1, 20), occasion="new_year",
                         households=[home], cash=500, funding="own")
    chair = personas.grassroots_chair
    return [
        (chair, "/members/export.xlsx"), (chair, "/members/template.xlsx"),
        (chair, f"/orgs/{tree.grassroots.pk}/export.xlsx"), (chair, "/orgs/template.xlsx"),
        (chair, "/benefits/export.xlsx"), (chair, "/benefits/template.xlsx"),
        (chair, f"/assistance/batches/{batch.pk}/payments.xlsx"),
        (chair, "/imports/donations/template.xlsx"), (chair, "/imports/hardship/template.xlsx"),
        (chair, "/summary/stats.xlsx?org=G1&period=2025&subtree=on"),
    ]


def test_every_download_leaves_nothing_in_work_exports(login, data_dir, downloads):
    for user, url in downloads:
        response = login(user).get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment"), url
        # Reading to the end closes the response (the test client's wrapper does it without
        # the request_finished handler that would close the test's database connection).
        body = b"".join(response.streaming_content)
        assert body.startswith(b"PK") and len(body) == int(response["Content-Length"]), url  # the whole .xlsx
        assert exports(data_dir) == [], url


def test_a_download_removes_its_file_even_when_it_is_never_read(db, data_dir):
    # (db: closing a response ends the request, which checks the connection)
    path = files.export_path("unread")
    path.write_bytes(b"PK personal data")
    files.send_and_delete(path, "x.xlsx").close()
    assert exports(data_dir) == []


def test_the_response_itself_removes_its_file_when_closed(db, data_dir):
    # Where the name cannot go while the file is open (Windows), closing does it.
    path = files.export_path("late")
    path.write_bytes(b"PK personal data")
    response = files.DisposableFileResponse(path, as_attachment=True, filename="x.xlsx")
    assert path.exists()
    assert b"".join(response.streaming_content) == b"PK personal data"
    response.close()
    assert not path.exists()


# --- uploads -----------------------------------------------------------------------------


def test_a_large_upload_is_spooled_into_the_private_work_folder():
    upload = TemporaryUploadedFile("名册.xlsx", "application/octet-stream", 0, None)
    try:
        spooled = Path(upload.temporary_file_path())
        assert spooled.parent == Path(django_settings.DATA_DIR) / "work" / "spool"
        assert mode(spooled) == 0o600 and mode(spooled.parent) == 0o700
    finally:
        upload.close()


def test_stored_uploads_are_owner_only():
    name = default_storage.save("probe/roster.xlsx", ContentFile(b"PK"))
    try:
        path = Path(default_storage.path(name))
        assert mode(path) == 0o600 and mode(path.parent) == 0o700
    finally:
        default_storage.delete(name)
        Path(default_storage.path("probe")).rmdir()

"""Background imports: a job row, a django-tasks task that runs the registered importer
with a progress callback, and the error report a finished job keeps."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks import task

from gonghui.exchange.models import ImportJob

log = logging.getLogger(__name__)
MAX_KEPT_ERRORS = 5000
INTERRUPTED = "导入进程意外中断（可能是文件异常，或服务曾经重启），未写入任何数据。请重新上传文件再试；如再次出现，请联系管理员。"


def job_create(*, actor, kind: str, org, token: str, filename: str, mode: str, dry_run: bool) -> ImportJob:
    job = ImportJob.objects.create(
        kind=kind, org=org, org_path=org.path, created_by=actor.user, grant_id=actor.grant_id, filename=filename[:200],
        token=token, mode=mode, dry_run=dry_run,
    )
    # The worker must see the committed row.
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
    return job


@task()
def run_import_job(job_id: int) -> None:
    from gonghui.access.actor import Actor
    from gonghui.exchange.files import stashed_path
    from gonghui.exchange.registry import EXCHANGES

    jobs_recover()  # a worker that died before this one left its jobs running
    job = ImportJob.objects.select_related("org").get(pk=job_id)
    if job.state != ImportJob.State.QUEUED:
        return
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING, runner=runner_id())
    # Through the job's own foreign key: this layer does not import the accounts app.
    grant = ImportJob.objects.select_related("grant__user", "grant__org").get(pk=job.pk).grant
    try:
        if grant is None:
            raise PermissionError("提交导入的角色已被撤销。")
        actor = Actor.for_grant(grant, ip="task", source="web")
        path = stashed_path(job.token)
        if path is None:
            raise FileNotFoundError("上传的文件已过期，请重新上传。")
        with _ProgressWriter(job) as progress:
            report = EXCHANGES[job.kind].importer(actor=actor, path=path, org=job.org, mode=job.mode,
                                                   dry_run=job.dry_run, progress=progress, filename=job.filename)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.DONE, progress=100, total=getattr(report, "total", 0), created=report.created,
            updated=report.updated, unchanged=report.unchanged, rejected=report.rejected, written=report.written,
            errors=[list(e) for e in report.errors[:MAX_KEPT_ERRORS]], error_count=len(report.errors),
            warnings=[list(w) for w in getattr(report, "warnings", [])[:MAX_KEPT_ERRORS]],
            file_error=report.file_error, finished_at=timezone.now(),
        )
    except Exception as exc:  # the job page must say what happened, whatever it was
        log.exception("import job %s failed", job_id)
        message = str(exc) if isinstance(exc, PermissionError | FileNotFoundError) else "导入过程中出错，未写入任何数据。请稍后重试或联系管理员。"
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, file_error=message, finished_at=timezone.now())
    finally:
        _discard_upload_after(job_id)


def _discard_upload_after(job_id: int) -> None:
    """The uploaded file holds personal data: it goes once nothing can use it any more —
    after an import that wrote, or a job that failed or could not read the file. A check,
    and an all-or-nothing import refused for bad rows, keep it for 确认导入 or for the
    retry with the valid rows only (until the work folder's sweep)."""
    from gonghui.exchange.files import discard_upload

    job = ImportJob.objects.filter(pk=job_id).only("token", "dry_run", "state", "written", "file_error").first()
    if job is not None and (job.written or job.file_error or job.state == ImportJob.State.FAILED):
        discard_upload(job.token)


def runner_id(pid: int | None = None) -> str:
    """Who runs a job: this host and process, so a job left running by a process that is
    gone can be told from one still at work."""
    return f"{socket.gethostname()[:40]}:{pid or os.getpid()}"


def _alive_windows(pid: int) -> bool:
    # os.kill(pid, 0) is CTRL_C_EVENT on Windows: it would interrupt, not ask.
    import ctypes

    synchronize, wait_timeout = 0x00100000, 0x00000102
    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(synchronize, False, pid)
    if not handle:
        return False
    try:
        return kernel32.WaitForSingleObject(handle, 0) == wait_timeout
    finally:
        kernel32.CloseHandle(handle)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge, and not our worker
    except OSError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        # A recycled pid belongs to another program: the worker is gone all the same.
        try:
            return b"gonghui" in cmdline.read_bytes() or pid == os.getpid()
        except OSError:
            return False
    return True


def jobs_recover(*, dead_pid: int | None = None) -> int:
    """Mark FAILED, with a Chinese reason, the jobs that a process of this host left
    running when it died (`dead_pid`: the one a supervisor just saw die; otherwise every
    runner of this host whose process is gone). Their transaction died with the process,
    so nothing of them was written. Returns how many were recovered."""
    host = runner_id(1).rsplit(":", 1)[0] + ":"
    running = ImportJob.objects.filter(state=ImportJob.State.RUNNING, runner__startswith=host)
    stuck = []
    for job_id, runner in running.values_list("id", "runner"):
        pid = runner.rsplit(":", 1)[1]
        if not pid.isdigit():
            continue
        if (dead_pid is not None and int(pid) == dead_pid) or (dead_pid is None and not _alive(int(pid))):
            stuck.append(job_id)
    if not stuck:
        return 0
    n = ImportJob.objects.filter(pk__in=stuck, state=ImportJob.State.RUNNING).update(
        state=ImportJob.State.FAILED, file_error=INTERRUPTED, finished_at=timezone.now()
    )
    _fail_task_rows(stuck)
    for job_id in stuck:
        _discard_upload_after(job_id)
    log.warning("recovered %s import job(s) left running by a dead worker: %s", n, stuck)
    return n


def _fail_task_rows(job_ids: list[int]) -> None:
    """The task queue's own rows of those jobs, so its admin does not show them running."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another task backend
        return
    wanted = set(job_ids)
    for row in DBTaskResult.objects.filter(status="RUNNING", task_path__endswith="run_import_job"):
        args = (row.args_kwargs or {}).get("args") or []
        if args and args[0] in wanted:
            DBTaskResult.objects.filter(pk=row.pk).update(status="FAILED", finished_at=timezone.now())


class _ProgressWriter:
    """A job's progress, written where the job page sees it at once.

    Importers write in one transaction, the roster import on PostgreSQL for nearly all of
    its run: an update on the import's own connection would only show at COMMIT. On
    PostgreSQL it therefore goes through a second connection of its own (autocommit). SQLite
    has one writer at a time, so there it stays on the import's connection: what an
    importer reports outside its transaction (all of its checking) shows at once, what it
    reports inside shows at COMMIT. The bar is only a display: if the second connection
    fails, the import goes on and the bar waits for the result.
    """

    def __init__(self, job: ImportJob):
        self.job, self.last = job, -1
        self.side = connection.copy() if connection.vendor == "postgresql" else None
        self.broken = False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.side is not None:
            self.side.close()

    def __call__(self, done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        if percent < self.last + 2 or self.broken:
            return
        self.last = percent
        if self.side is None:
            ImportJob.objects.filter(pk=self.job.pk).update(progress=min(percent, 99), total=total)
            return
        q = self.side.ops.quote_name
        try:
            with self.side.cursor() as cursor:
                # Names from model metadata; the values are bound parameters.
                cursor.execute(
                    f"UPDATE {q(ImportJob._meta.db_table)} SET {q('progress')} = %s, {q('total')} = %s WHERE {q('id')} = %s",  # noqa: S608
                    [min(percent, 99), total, self.job.pk],
                )
        except DatabaseError:
            log.warning("import job %s: progress not written", self.job.pk, exc_info=True)
            self.broken = True


def error_report(job: ImportJob, path) -> None:
    from gonghui.exchange.sheets import XlsxWriter

    out = XlsxWriter(path)
    ws = out.book.add_worksheet("错误清单")
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 80)
    ws.write_string(0, 0, "行号", out.header)
    ws.write_string(0, 1, "错误说明", out.header)
    for i, (row, message) in enumerate(job.errors, start=1):
        ws.write_number(i, 0, row)
        ws.write_string(i, 1, message)
    if job.error_count > len(job.errors):
        ws.write_string(len(job.errors) + 1, 1, f"……另有{job.error_count - len(job.errors)}条错误未列出。")
    out.close()

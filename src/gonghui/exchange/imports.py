"""The web import flow every spreadsheet kind shares: an upload becomes a background check
(a dry-run `ImportJob`), the check is confirmed as a second job on the same stashed file,
and a finished job offers its errors as an .xlsx.

The generic pages (exchange/views.py, `/imports/<kind>/`) and the roster's own pages
(members/views.py) are thin layers over these helpers.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404

from gonghui.access.scope import ORG_NOT_IN_SCOPE, get_scoped_or_404, org_by_code
from gonghui.exchange import files
from gonghui.exchange.jobs import error_report, job_create
from gonghui.exchange.models import ImportJob
from gonghui.exchange.uploads import upload_refusal

NOT_IN_SCOPE = ORG_NOT_IN_SCOPE
CANNOT_CONFIRM = "该文件不能再导入，请重新上传。"
IMPORTING = "这个文件正在导入，请稍候在“我最近的导入”中查看结果。"


def _in_scope(actor):
    qs = ImportJob.objects.select_related("org")
    if not actor.is_operator:
        qs = qs.filter(org_path__startswith=actor.org.path)
    return qs


def job_get(actor, kind: str, job_id: int) -> ImportJob:
    """A job of `kind` in the actor's subtree, else 404 (the same answer for a missing job,
    one of another union and one of another kind)."""
    job = get_scoped_or_404(_in_scope(actor), actor, pk=job_id)
    if job.kind != kind:
        raise Http404("记录不存在或不在您的管辖范围内。")
    return job


def recent_jobs(request, kind: str, n: int = 10):
    """This user's latest jobs of `kind` within the working union's subtree."""
    return _in_scope(request.actor).filter(kind=kind, created_by=request.user).order_by("-id")[:n]


def job_start(request, kind: str) -> ImportJob | None:
    """The upload form posted: stash the file and queue a check (dry run) of it into the
    union named by `org_code` (the working union by default). None, with a Chinese
    message flashed, when the union or the file is missing."""
    actor = request.actor
    try:
        org = org_by_code(actor, (request.POST.get("org_code") or "").strip() or actor.org.code)
    except Http404:
        messages.error(request, NOT_IN_SCOPE)
        return None
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, upload_refusal(request) or "请选择要导入的文件。")
        return None
    token = files.stash_upload(upload, request=request)
    return job_create(actor=actor, kind=kind, org=org, token=token, filename=upload.name or "", mode="all", dry_run=True)


def job_confirm(request, checked: ImportJob) -> ImportJob | None:
    """确认导入 on a finished check: a second job on the same file, writing all rows
    (default) or only the valid ones; or 只导入正确的行 on an all-or-nothing import refused
    for bad rows: the same file again, valid rows only. None, with a message flashed, when
    the job cannot be confirmed (still running, an import that wrote or failed, its file
    expired) or another import of the file is still queued or running (a second click)."""
    if checked.refused_for_rows:
        mode = "valid" if checked.retry_rows else ""
    elif checked.finished and checked.dry_run:
        mode = "valid" if request.POST.get("mode") == "valid" else "all"
    else:
        mode = ""
    if not mode or files.stashed_path(checked.token) is None:
        messages.error(request, CANNOT_CONFIRM)
        return None
    busy = (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
    if ImportJob.objects.filter(token=checked.token, dry_run=False, state__in=busy).exists():
        messages.error(request, IMPORTING)
        return None
    return job_create(actor=request.actor, kind=checked.kind, org=checked.org, token=checked.token,
                      filename=checked.filename, mode=mode, dry_run=False)


def errors_download(job: ImportJob) -> FileResponse:
    path = files.export_path(f"errors-{job.pk}")
    error_report(job, path)
    return files.send_and_delete(path, f"导入错误清单-{job.pk}.xlsx")

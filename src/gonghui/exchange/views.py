"""The generic import pages, one set for every kind a module registers for the web."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.exchange import files, imports
from gonghui.web.http import is_htmx, staff_view

# --- spreadsheet imports --------------------------------------------------------------------
# One set of pages for every registered kind the web imports (Exchange.web_import): the
# module's own permission (Exchange.import_perm) guards each, and a job is found only
# within the working union's subtree and only under its own kind.


def _exchange(request, kind: str):
    from gonghui.exchange.registry import EXCHANGES

    exchange = EXCHANGES.get(kind)
    if exchange is None or not exchange.web_import:
        raise Http404("没有这种导入。")
    request.actor.require(exchange.import_perm)
    return exchange


@staff_view()
def import_start(request, kind):
    exchange = _exchange(request, kind)
    if request.method == "POST":
        job = imports.job_start(request, kind)
        if job is not None:
            return redirect("exchange:import_job", kind=kind, job_id=job.pk)
    return render(request, "exchange/import.html", {"exchange": exchange, "recent": imports.recent_jobs(request, kind)})


@staff_view()
def import_template(request, kind):
    exchange = _exchange(request, kind)
    path = exchange.template(files.export_path(f"{kind}-template"))
    return files.send_and_delete(path, f"{exchange.label}导入模板.xlsx")


@staff_view()
def import_job(request, kind, job_id):
    exchange = _exchange(request, kind)
    job = imports.job_get(request.actor, kind, job_id)
    template_name = "exchange/_job.html" if is_htmx(request) else "exchange/import_job.html"
    return render(request, template_name, {"exchange": exchange, "job": job})


@require_POST
@staff_view()
def import_confirm(request, kind, job_id):
    _exchange(request, kind)
    job = imports.job_confirm(request, imports.job_get(request.actor, kind, job_id))
    if job is None:
        return redirect("exchange:import", kind=kind)
    return redirect("exchange:import_job", kind=kind, job_id=job.pk)


@staff_view()
def import_errors(request, kind, job_id):
    _exchange(request, kind)
    return imports.errors_download(imports.job_get(request.actor, kind, job_id))

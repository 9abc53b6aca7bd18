from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from gonghui.core import files, imports
from gonghui.core.http import is_htmx, staff_view, wants_json
from gonghui.core.params import BadRequestParam
from gonghui.orgs.selectors import org_subtree_figures


@staff_view()
def dashboard(request):
    actor = request.actor
    if not actor.can("org.view"):
        # A member lands on their own page; the stub is left for an account that no
        # member record is linked to. Never the subtree's figures.
        from gonghui.members.selectors import member_of_user

        if member_of_user(request.user) is not None:
            return redirect("members:me")
        return render(request, "core/member_home.html")
    figures = org_subtree_figures(actor, actor.org)
    return render(
        request,
        "core/dashboard.html",
        {
            "figures": figures,
            "chart_levels": figures["by_level"],
            "chart_kinds": figures["by_kind"],
            "panels": dashboard_panels(request),
        },
    )


# Later modules append callables (request) -> dict | None describing an extra panel with
# their own key figures; the dashboard renders whatever they return.
DASHBOARD_PANELS: list = []


def dashboard_panels(request) -> list[dict]:
    return [panel for panel in (fn(request) for fn in DASHBOARD_PANELS) if panel]


# --- spreadsheet imports --------------------------------------------------------------------
# One set of pages for every registered kind the web imports (Exchange.web_import): the
# module's own permission (Exchange.import_perm) guards each, and a job is found only
# within the working union's subtree and only under its own kind.


def _exchange(request, kind: str):
    from gonghui.core.exchange import EXCHANGES

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
            return redirect("core:import_job", kind=kind, job_id=job.pk)
    return render(request, "core/import.html", {"exchange": exchange, "recent": imports.recent_jobs(request, kind)})


@staff_view()
def import_template(request, kind):
    exchange = _exchange(request, kind)
    path = exchange.template(files.export_path(f"{kind}-template"))
    return files.send_and_delete(path, f"{exchange.label}导入模板.xlsx")


@staff_view()
def import_job(request, kind, job_id):
    exchange = _exchange(request, kind)
    job = imports.job_get(request.actor, kind, job_id)
    template_name = "core/_job.html" if is_htmx(request) else "core/import_job.html"
    return render(request, template_name, {"exchange": exchange, "job": job})


@require_POST
@staff_view()
def import_confirm(request, kind, job_id):
    _exchange(request, kind)
    job = imports.job_confirm(request, imports.job_get(request.actor, kind, job_id))
    if job is None:
        return redirect("core:import", kind=kind)
    return redirect("core:import_job", kind=kind, job_id=job.pk)


@staff_view()
def import_errors(request, kind, job_id):
    _exchange(request, kind)
    return imports.errors_download(imports.job_get(request.actor, kind, job_id))


# --- errors ---------------------------------------------------------------------------------


@requires_csrf_token
def bad_request(request, exception):
    """handler400. A parameter refused at the edge (core/params.py) is raised from a view,
    after every middleware has run, so its page can show the Chinese message inside the
    usual layout; any other 400 (a host or upload limit, raised before the user is known)
    keeps Django's context-free page."""
    if not isinstance(exception, BadRequestParam):
        return defaults.bad_request(request, exception)
    if wants_json(request):
        return JsonResponse({"detail": exception.message}, status=400)
    return render(request, "400.html", {"message": exception.message}, status=400)

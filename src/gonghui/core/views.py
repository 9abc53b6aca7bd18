from django.shortcuts import render

from gonghui.core.http import staff_view
from gonghui.orgs.selectors import org_subtree_figures


@staff_view()
def dashboard(request):
    actor = request.actor
    if not actor.can("org.view"):
        # A member's login sees their own union and account, never the subtree's figures.
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

from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from gonghui.web import dashboard as dashboard_registry
from gonghui.web.http import staff_view, wants_json
from gonghui.web.params import BadRequestParam


@staff_view()
def dashboard(request):
    if not request.actor.can("org.view"):
        # A member lands on their own page; the stub is left for an account that no
        # member record is linked to. Never the subtree's figures.
        return dashboard_registry.member_landing(request) or render(request, "web/member_home.html")
    return render(request, "web/dashboard.html", {"panels": dashboard_registry.panels(request), "links": dashboard_registry.links(request.actor)})


# --- errors ---------------------------------------------------------------------------------


@requires_csrf_token
def bad_request(request, exception):
    """handler400. A parameter refused at the edge (web/params.py) is raised from a view,
    after every middleware has run, so its page can show the Chinese message inside the
    usual layout; any other 400 (a host or upload limit, raised before the user is known)
    keeps Django's context-free page."""
    if not isinstance(exception, BadRequestParam):
        return defaults.bad_request(request, exception)
    if wants_json(request):
        return JsonResponse({"detail": exception.message}, status=400)
    return render(request, "400.html", {"message": exception.message}, status=400)

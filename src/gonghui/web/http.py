"""Request helpers and the decorators every staff view uses."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render


def client_ip(request) -> str:
    if settings.GONGHUI_CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.GONGHUI_CLIENT_IP_HEADER, "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def readiness_problem(request) -> str:
    """Why this logged-in user may not work yet ('' when ready): no working union, a
    password that must be changed, or an administrator's missing second factor."""
    from gonghui.access.permissions import ROLES_REQUIRING_TOTP

    if request.user.must_change_password:
        return "password"
    actor = getattr(request, "actor", None)
    if actor is None:
        return "no_role"
    if actor.role in ROLES_REQUIRING_TOTP and not request.user.totp_enabled:
        return "totp"
    return ""


def staff_view(perm: str | None = None):
    """Login, a working union, a second factor where the role needs one, then `perm`.

    The denial itself is raised as PermissionDenied, so it lands on the Chinese 403 page
    and in the audit trail (DenialAuditMiddleware).
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            problem = readiness_problem(request)
            if problem == "password":
                return redirect("accounts:password_change")
            if problem == "no_role":
                return render(request, "web/no_role.html", status=403)
            if problem == "totp":
                return redirect("accounts:totp_setup")
            if perm:
                request.actor.require(perm)
            return view(request, *args, **kwargs)

        wrapper.required_perm = perm
        return wrapper

    return decorate


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_json(request) -> bool:
    """An htmx swap, the API or a script asking for JSON gets an error as `{"detail": ...}`
    (the API's own shape), not a page."""
    accept = request.headers.get("Accept", "")
    return is_htmx(request) or request.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def flash_service(request, call, success: str) -> bool:
    """Run one service call for a POST action: its Chinese refusal, or `success`, is
    flashed for the next page. True when the service succeeded."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    try:
        call()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False
    messages.success(request, success)
    return True

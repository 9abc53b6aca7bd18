"""The JSON API (OpenAPI at /api/docs). Each app contributes a router; every route
authenticates by session and goes through the same selectors and services as the web."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import SessionAuth

from gonghui.core.services import error_text


class ActorSessionAuth(SessionAuth):
    """A logged-in session with a working union; the route then uses request.actor."""

    def authenticate(self, request, key):
        from gonghui.core.http import readiness_problem

        user = super().authenticate(request, key)
        if user is None or readiness_problem(request):
            return None
        return user


api = NinjaAPI(title="gonghui 工会平台 API", version="1", auth=ActorSessionAuth(), urls_namespace="api")


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": error_text(exc), "errors": detail}, status=422)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    from gonghui.audit.services import audit_denial

    if request.actor is not None and not getattr(exc, "audited", False):
        audit_denial(actor=request.actor, action="permission.denied", object_id=request.path[:128], message=str(exc))
    return api.create_response(request, {"detail": str(exc) or "没有权限。"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "记录不存在或不在您的管辖范围内。"}, status=404)




def _add_module_routers() -> None:
    """Each gonghui domain app with an api module (a `router`) at /api/<app label>."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("gonghui.") and find_spec(f"{config.name}.api"):
            api.add_router(f"/{config.label}", import_module(f"{config.name}.api").router)


_add_module_routers()

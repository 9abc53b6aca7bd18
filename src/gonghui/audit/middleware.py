from django.core.exceptions import PermissionDenied

from gonghui.audit.services import audit_denial


class DenialAuditMiddleware:
    """Records permission denials raised by views (services record their own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and not getattr(exception, "audited", False):
            actor = getattr(request, "actor", None)
            if actor is not None:
                audit_denial(actor=actor, action="permission.denied", object_id=request.path[:128], message=str(exception))
        return None

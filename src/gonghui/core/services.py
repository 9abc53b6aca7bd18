"""The shape every write takes: `@audited("noun.verb")` around a keyword-only service.

The decorator runs the service in a transaction. If the service fails with a validation
error, a permission denial or a 404, the transaction is rolled back and a failure event
is recorded, once, by the outermost service (an import that calls a service per row
records its own summary instead).
"""

from __future__ import annotations

import contextvars
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

_depth = contextvars.ContextVar("gonghui_service_depth", default=0)


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "；".join(f"{'、'.join(m for m in msgs)}" for msgs in exc.message_dict.values())
        return "；".join(exc.messages)
    return str(exc)


def audited(action: str, *, object_type: str = ""):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, actor, **kwargs):
            token = _depth.set(_depth.get() + 1)
            try:
                with transaction.atomic():
                    return fn(*args, actor=actor, **kwargs)
            except (ValidationError, PermissionDenied, Http404) as exc:
                if _depth.get() == 1:
                    from gonghui.audit.services import audit_record

                    audit_record(
                        actor=actor,
                        action=action,
                        object_type=object_type,
                        result="failure",
                        message=error_text(exc),
                    )
                    exc.audited = True
                raise
            finally:
                _depth.reset(token)

        wrapper.audit_action = action
        return wrapper

    return decorate

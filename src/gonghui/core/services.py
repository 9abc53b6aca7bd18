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

# The audit trail belongs to the audit app, a domain app above this layer: it hands its
# writer over in AppConfig.ready(), so neither core nor access imports it.
_audit_writer: list = []


def register_audit_writer(writer) -> None:
    """`writer(*, actor, action, object_type, object_id, message)` appends a failure event."""
    _audit_writer[:] = [writer]


def audit_failure(*, actor, action: str, object_type: str = "", object_id: str = "", message: str = "") -> None:
    """Record a refused or failed action. Without a writer the app is misconfigured: a
    denial must never pass unrecorded, so this fails loudly instead."""
    if not _audit_writer:
        raise RuntimeError("gonghui.audit is not installed: no audit writer registered")
    _audit_writer[0](actor=actor, action=action, object_type=object_type, object_id=object_id, message=message)


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
                    audit_failure(actor=actor, action=action, object_type=object_type, message=error_text(exc))
                    exc.audited = True
                raise
            finally:
                _depth.reset(token)

        wrapper.audit_action = action
        return wrapper

    return decorate

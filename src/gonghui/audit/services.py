"""Writing and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.audit.models import AuditEvent, AuditHead
from gonghui.core.actor import Actor

GENESIS = "0" * 64
MASK = "******"


def _plain(value):
    """JSON-safe, canonical representation of a changed value."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def field_changes(before: dict, after: dict, *, sensitive: frozenset[str] = frozenset()) -> dict:
    """{field: [old, new]} for the fields whose value differs; sensitive ones masked."""
    out = {}
    for name in sorted(set(before) | set(after)):
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old != new:
            out[name] = [MASK if old not in (None, "") else old, MASK] if name in sensitive else [old, new]
    return out


def snapshot(instance, fields) -> dict:
    return {f: getattr(instance, f) for f in fields}


def _digest(values: dict) -> str:
    canonical = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_fields(ev: AuditEvent) -> dict:
    return {
        "seq": ev.seq,
        "ts": ev.ts.astimezone(dt.UTC).isoformat(),
        "user": ev.user_id,
        "username": ev.username,
        "ip": ev.ip,
        "source": ev.source,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "org": ev.org_id,
        "result": ev.result,
        "changes": ev.changes,
        "message": ev.message,
        "prev_hash": ev.prev_hash,
    }


def compute_hash(ev: AuditEvent) -> str:
    return _digest(event_fields(ev))


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    org=None,
    changes: dict | None = None,
    result: str = AuditEvent.Result.SUCCESS,
    message: str = "",
) -> AuditEvent:
    """Append one event to the chain (inside the caller's transaction, if any)."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        if org is None:
            org = obj if obj._meta.label == "orgs.Org" else getattr(obj, "org", None)
    if org is None:
        org = actor.org
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        ev = AuditEvent(
            seq=head.last_seq + 1,
            ts=timezone.now(),
            user=actor.user if actor.user is not None and actor.user.pk else None,
            username=actor.label,
            ip=(actor.ip or "")[:64],
            source=actor.source,
            action=action,
            object_type=object_type[:64],
            object_id=str(object_id)[:128],
            org=org,
            result=result,
            changes=_plain(changes or {}),
            message=message[:2000],
            prev_hash=head.last_hash,
        )
        ev.hash = compute_hash(ev)
        ev.save(force_insert=True)
        head.last_seq, head.last_hash = ev.seq, ev.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return ev


def audit_denial(*, actor: Actor, action: str, object_type: str = "", object_id: str = "", message: str = ""):
    return audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        result=AuditEvent.Result.FAILURE,
        message=message,
    )


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    head_hash: str = ""


def audit_verify(*, chunk: int = 5000) -> VerifyResult:
    """Walk the chain from the start; report the first event where it breaks."""
    expected_seq, expected_prev, checked = 1, GENESIS, 0
    for ev in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk):
        if ev.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"第{expected_seq}条审计记录缺失（已被删除）。")
        if ev.prev_hash != expected_prev:
            return VerifyResult(False, checked, ev.seq, f"第{ev.seq}条审计记录与前一条的链接不符（前一条被改动或删除）。")
        if compute_hash(ev) != ev.hash:
            return VerifyResult(False, checked, ev.seq, f"第{ev.seq}条审计记录的内容被篡改。")
        expected_seq, expected_prev, checked = ev.seq + 1, ev.hash, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return VerifyResult(False, checked, expected_seq, f"第{expected_seq}条之后的审计记录缺失（链尾被删除）。")
    return VerifyResult(True, checked, head_hash=expected_prev)

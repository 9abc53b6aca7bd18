"""Writing and verifying the audit chain.

Hash schemes (`AuditEvent.scheme`): 1 = SHA-256 of the canonical JSON, what every event
written before the keyed chain carries; 2 = HMAC-SHA256 of the same JSON plus the scheme,
under a key derived from the field-encryption master key. Only scheme 2 is written now.
A chain is valid only as legacy events followed by keyed ones, ending in a keyed one: the
first keyed event covers the legacy head, and nobody without the key can turn keyed rows
back into legacy ones without leaving an unkeyed row after a keyed one or an unkeyed tail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.audit.models import AuditEvent, AuditHead, Scheme

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


# Changing either constant (or the canonical JSON) makes every keyed event already
# written fail verification: they are part of the stored chain's format.
CHAIN_KEY_SALT = b"gonghui-field-v1"  # core/crypto.py's salt: one HKDF family per master key
CHAIN_KEY_INFO = b"gonghui audit chain v1"


@lru_cache(maxsize=4)
def _derive_chain_key(master: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=CHAIN_KEY_SALT, info=CHAIN_KEY_INFO).derive(master.encode())


def chain_key() -> bytes:
    """The audit chain's HMAC key: from the field key, so it is backed up with it and never
    stored in the database; HKDF keeps it independent of the encryption and index keys."""
    return _derive_chain_key(settings.FIELD_ENCRYPTION_KEY)


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


def _canonical(ev: AuditEvent) -> bytes:
    values = event_fields(ev)
    if ev.scheme != Scheme.SHA256:
        # Legacy hashes were computed without it; keyed ones bind their scheme too.
        values["scheme"] = int(ev.scheme)
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _hash(ev: AuditEvent, key: bytes) -> str:
    if ev.scheme == Scheme.HMAC_SHA256:
        return hmac.digest(key, _canonical(ev), "sha256").hex()
    if ev.scheme == Scheme.SHA256:
        return hashlib.sha256(_canonical(ev)).hexdigest()
    raise ValueError(f"unknown audit hash scheme {ev.scheme!r}")


def compute_hash(ev: AuditEvent) -> str:
    """The hash `ev` must carry under its own scheme (with this installation's key)."""
    return _hash(ev, chain_key())


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
    return _append(
        Scheme.HMAC_SHA256,
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
    )


def _append(scheme: int, **fields) -> AuditEvent:
    """Lock the head, chain one event to it. `scheme` is a parameter only so that the
    benchmark (and tests standing in for a database from before the key) can write the
    legacy form through the same path; the application writes keyed events only."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        ev = AuditEvent(seq=head.last_seq + 1, ts=timezone.now(), prev_hash=head.last_hash, scheme=scheme, **fields)
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
    legacy: int = 0  # events checked with plain SHA-256 (written before the keyed chain)
    keyed: int = 0  # events checked with HMAC-SHA256 under this installation's key
    keyed_from: int | None = None  # seq of the first keyed event


KEY_HINT = "校验所用的字段加密主密钥（GONGHUI_FIELD_KEY 或数据目录下的 keys/field_key）"


def audit_verify(*, chunk: int = 5000) -> VerifyResult:
    """Walk the chain from the start; report the first event where it breaks."""
    key = chain_key()
    expected_seq, expected_prev = 1, GENESIS
    legacy = keyed = 0
    keyed_from = last_scheme = None

    def broken(seq, reason):
        return VerifyResult(False, legacy + keyed, seq, reason, legacy=legacy, keyed=keyed, keyed_from=keyed_from)

    for ev in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk):
        if ev.seq != expected_seq:
            return broken(expected_seq, f"第{expected_seq}条审计记录缺失（已被删除）。")
        if ev.prev_hash != expected_prev:
            return broken(ev.seq, f"第{ev.seq}条审计记录与前一条的链接不符（前一条被改动或删除）。")
        if ev.scheme not in Scheme.values:
            return broken(ev.seq, f"第{ev.seq}条审计记录的哈希方式（{ev.scheme}）无法识别，记录被篡改。")
        if ev.scheme == Scheme.SHA256 and keyed_from is not None:
            # The downgrade an attacker without the key would need: re-hash rows in the old form.
            return broken(
                ev.seq,
                f"第{ev.seq}条审计记录是无密钥的旧式哈希，但审计链自第{keyed_from}条起已改用带密钥的哈希："
                "此后不可能再出现旧式记录，该记录被伪造。",
            )
        if _hash(ev, key) != ev.hash:
            if ev.scheme == Scheme.HMAC_SHA256 and keyed == 0:
                # No keyed event has matched yet, so this key has not been shown to be the
                # one the chain was written with.
                return broken(
                    ev.seq,
                    f"第{ev.seq}条审计记录（第一条带密钥的记录）校验不通过：很可能是{KEY_HINT}"
                    "与写入该数据库时的不同，请换用原密钥再校验；若密钥无误，则该记录被篡改。",
                )
            return broken(ev.seq, f"第{ev.seq}条审计记录的内容被篡改。")
        if ev.scheme == Scheme.HMAC_SHA256:
            keyed += 1
            keyed_from = keyed_from or ev.seq
        else:
            legacy += 1
        expected_seq, expected_prev, last_scheme = ev.seq + 1, ev.hash, ev.scheme
    if last_scheme == Scheme.SHA256:
        # Every chain this version has touched ends in a keyed event (the upgrade appends
        # one, migration 0004), so an unkeyed tail means keyed rows were rewritten or removed.
        return broken(
            expected_seq - 1,
            f"审计链以无密钥的旧式记录（第{expected_seq - 1}条）结尾，但升级后的审计链必须以带密钥的记录结尾："
            "带密钥的记录被改写成旧式或被删除。",
        )
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return broken(expected_seq, f"第{expected_seq}条之后的审计记录缺失（链尾被删除）。")
    return VerifyResult(True, legacy + keyed, head_hash=expected_prev, legacy=legacy, keyed=keyed, keyed_from=keyed_from)

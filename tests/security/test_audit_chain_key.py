"""Security issue 10: the audit chain is keyed, so whoever can write the database but does
not hold the field key cannot rewrite history and re-hash it into a chain that verifies.

The attacker here lifts the append-only guard (as the table's owner, or anyone who can write
the SQLite file, can), rewrites rows and recomputes every later hash with what they have:
plain SHA-256 of the documented canonical JSON. Legacy events (scheme 1) stand for a database
written before the key; audit/tests/test_migrations.py upgrades a real one.
"""

import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.management import call_command
from django.db import connection

from gonghui.access.actor import Actor
from gonghui.audit.migrations import _triggers
from gonghui.audit.models import AuditEvent, AuditHead, Scheme
from gonghui.audit.services import _append, audit_record, audit_verify, event_fields

FIELD_KEY = "test-field-key-for-the-audit-chain"


@pytest.fixture
def field_key(settings):
    settings.FIELD_ENCRYPTION_KEY = FIELD_KEY
    return settings


def _sha256(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _legacy(n):
    """Events as the code before the keyed chain wrote them."""
    actor = Actor.system(source="cli")
    fields = dict(username=actor.label, ip=actor.ip, source=actor.source, result="success")
    return [_append(Scheme.SHA256, action="legacy.write", object_id=str(i), changes={"n": [None, i]}, **fields) for i in range(n)]


def _keyed(n):
    actor = Actor.system(source="cli")
    return [audit_record(actor=actor, action="test.write", object_id=str(i), message=f"第{i}次") for i in range(n)]


@pytest.fixture
def mixed(db, field_key):
    """Seq 1–3 legacy, 4–6 keyed: an upgraded installation."""
    return _legacy(3) + _keyed(3)


def _forge_from(seq, *, message="伪造的说明", scheme=None):
    """Rewrite event `seq`'s message and re-hash it and every later event with plain
    SHA-256 (keeping each row's scheme unless `scheme` is given), then fix the head."""
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    with connection.cursor() as cursor:
        _triggers.remove(cursor, connection.vendor)
        for ev in rows:
            if ev.seq == seq:
                ev.message = message
            ev.prev_hash = prev
            if scheme is not None:
                ev.scheme = scheme
            values = event_fields(ev)
            if ev.scheme != Scheme.SHA256:
                values["scheme"] = ev.scheme  # the keyed format, hashed without the key
            ev.hash = prev = _sha256(values)
            cursor.execute(
                "UPDATE audit_auditevent SET message = %s, prev_hash = %s, hash = %s, scheme = %s WHERE seq = %s",
                [ev.message, ev.prev_hash, ev.hash, ev.scheme, ev.seq],
            )
        _triggers.install(cursor, connection.vendor)
    AuditHead.objects.filter(pk=1).update(last_seq=rows[-1].seq, last_hash=prev)


def _cli_fails(capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    return capsys.readouterr().err


def test_new_events_are_hmac_sha256_under_a_key_derived_from_the_field_key(db, field_key):
    ev = audit_record(actor=Actor.system(source="cli"), action="test.write", message="说明")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gonghui-field-v1", info=b"gonghui audit chain v1").derive(
        FIELD_KEY.encode()
    )
    stored = AuditEvent.objects.get(seq=ev.seq)
    canonical = json.dumps({**event_fields(stored), "scheme": 2}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert stored.scheme == Scheme.HMAC_SHA256
    assert stored.hash == hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
    assert stored.hash != _sha256(event_fields(stored))
    assert key.hex() not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_a_legacy_then_keyed_chain_verifies_and_says_how(mixed, capsys):
    result = audit_verify()
    assert result.ok and (result.checked, result.legacy, result.keyed, result.keyed_from) == (6, 3, 3, 4)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "共校验 6 条" in out
    assert "第1–3条 3 条用无密钥的 SHA-256" in out and "第4–6条 3 条用带密钥的 HMAC-SHA256" in out


def test_rewriting_and_rehashing_with_plain_sha256_is_caught(mixed, capsys):
    _forge_from(5)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 5 and "篡改" in result.reason
    assert "第5条审计记录的内容被篡改" in _cli_fails(capsys)


def test_rewriting_the_first_keyed_event_is_caught(mixed):
    _forge_from(4)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 4 and "篡改" in result.reason


def test_rewriting_the_legacy_part_is_caught_by_the_first_keyed_event(mixed):
    _forge_from(2)  # legacy 2–3 then verify as SHA-256 again; the keyed event 4 cannot
    result = audit_verify()
    assert not result.ok and result.broken_seq == 4


def test_a_keyed_row_downgraded_to_the_legacy_scheme_is_caught(mixed, capsys):
    _forge_from(5, scheme=Scheme.SHA256)  # 5 and 6 become valid-looking SHA-256 rows
    result = audit_verify()
    assert not result.ok and result.broken_seq == 5
    assert "自第4条起已改用带密钥的哈希" in result.reason and "伪造" in result.reason
    assert "伪造" in _cli_fails(capsys)


def test_every_keyed_row_downgraded_is_caught_by_the_unkeyed_tail(mixed, capsys):
    _forge_from(4, scheme=Scheme.SHA256)  # no keyed row left: a chain of the old kind
    result = audit_verify()
    assert not result.ok and result.broken_seq == 6 and "必须以带密钥的记录结尾" in result.reason
    assert "结尾" in _cli_fails(capsys)


def test_an_unknown_scheme_is_refused(mixed):
    with connection.cursor() as cursor:
        _triggers.remove(cursor, connection.vendor)
        cursor.execute("UPDATE audit_auditevent SET scheme = 3 WHERE seq = 5")
        _triggers.install(cursor, connection.vendor)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 5 and "无法识别" in result.reason


def test_a_different_field_key_fails_and_says_the_key_may_be_wrong(mixed, settings, capsys):
    settings.FIELD_ENCRYPTION_KEY = "another-installations-field-key"
    result = audit_verify()
    assert not result.ok and result.broken_seq == 4 and result.legacy == 3
    assert "密钥" in result.reason and "GONGHUI_FIELD_KEY" in result.reason
    err = _cli_fails(capsys)
    assert "很可能是校验所用的字段加密主密钥" in err and "keys/field_key" in err
    settings.FIELD_ENCRYPTION_KEY = FIELD_KEY
    assert audit_verify().ok

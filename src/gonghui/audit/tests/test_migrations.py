"""Audit migration 0004 on a database written before the keyed chain."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.audit.models import AuditEvent, Scheme
from gonghui.audit.registry import action_label
from gonghui.audit.services import GENESIS, audit_record, audit_verify, event_fields

# AFTER is the audit app's newest migration: 0004 and whatever state-only ones follow it.
BEFORE = ("audit", "0003_append_only_always")
AFTER = next(node for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes() if node[0] == "audit")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state(target).apps


def _write_as_before(apps, n):
    """Events and head as the code before 0004 wrote them (no scheme, plain SHA-256)."""
    Event, Head = apps.get_model("audit", "AuditEvent"), apps.get_model("audit", "AuditHead")
    prev = GENESIS
    for seq in range(1, n + 1):
        ev = Event(seq=seq, ts=timezone.now(), username="命令行", ip="cli", source="cli", action="old.write",
                   result="success", changes={"n": [None, seq]}, message="旧记录", prev_hash=prev)
        canonical = json.dumps(event_fields(ev), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        ev.hash = prev = hashlib.sha256(canonical.encode()).hexdigest()
        ev.save(force_insert=True)
    Head.objects.update_or_create(pk=1, defaults={"last_seq": n, "last_hash": prev})


def _guard_refuses(sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_an_old_chain_is_kept_sealed_by_one_keyed_event_and_stays_append_only(capsys):
    try:
        old = _migrate(BEFORE)
        _write_as_before(old, 3)
        _guard_refuses("UPDATE audit_auditevent SET message = 'x'")  # reversing 0004 kept the guard
        with pytest.raises(SystemExit):
            call_command("audit", "verify")
        assert "尚未升级" in capsys.readouterr().err

        _migrate(AFTER)
        events = list(AuditEvent.objects.order_by("seq"))
        assert [e.scheme for e in events] == [Scheme.SHA256] * 3 + [Scheme.HMAC_SHA256]
        assert events[3].action == "audit.keyed" and events[3].prev_hash == events[2].hash
        assert action_label("audit.keyed") == "审计链启用带密钥的哈希"
        result = audit_verify()
        assert result.ok and (result.legacy, result.keyed, result.keyed_from) == (3, 1, 4)
        call_command("audit", "verify")
        assert "第1–3条 3 条用无密钥的 SHA-256" in (out := capsys.readouterr().out) and "第4条 1 条用带密钥" in out

        # Adding the column rewrote no row and dropped no trigger.
        _guard_refuses("UPDATE audit_auditevent SET message = 'x'")
        _guard_refuses("DELETE FROM audit_auditevent WHERE seq = 1")
        if connection.vendor == "postgresql":  # a writer that predates the column fails there
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO audit_auditevent (seq, ts, username, ip, source, action, object_type, object_id,"
                    " result, changes, message, prev_hash, hash) VALUES (99, now(), '', '', 'cli', 'x', '', '',"
                    " 'success', '{}', '', '', '')"
                )

        audit_record(actor=Actor.system(source="cli"), action="new.write")
        assert AuditEvent.objects.get(seq=5).scheme == Scheme.HMAC_SHA256
        assert audit_verify().ok
    finally:
        _migrate(AFTER)


@pytest.mark.django_db(transaction=True)
def test_an_empty_chain_gets_no_sealing_event():
    try:
        _migrate(BEFORE)
        _migrate(AFTER)
        assert not AuditEvent.objects.exists()
    finally:
        _migrate(AFTER)

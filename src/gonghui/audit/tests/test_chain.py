import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gonghui.access.actor import Actor
from gonghui.audit.models import AuditEvent
from gonghui.audit.services import audit_record, audit_verify


@pytest.fixture
def chain(db):
    actor = Actor.system(source="cli")
    return [audit_record(actor=actor, action="test.write", object_id=str(i), changes={"n": [None, i]}) for i in range(5)]


def _unguarded(sql, params=()):
    """Run SQL with the append-only triggers lifted (inside the test's transaction)."""
    from gonghui.audit.migrations._triggers import install, remove

    with connection.cursor() as cursor:
        remove(cursor, connection.vendor)
        cursor.execute(sql, params)
        install(cursor, connection.vendor)


def test_it_verifies_an_intact_chain(chain):
    result = audit_verify()
    assert result.ok and result.checked == 5


def test_it_finds_an_altered_row(chain):
    _unguarded("UPDATE audit_auditevent SET message = %s WHERE seq = %s", ["改过了", chain[2].seq])
    result = audit_verify()
    assert not result.ok and result.broken_seq == chain[2].seq and "篡改" in result.reason


def test_it_finds_a_deleted_row(chain):
    _unguarded("DELETE FROM audit_auditevent WHERE seq = %s", [chain[1].seq])
    result = audit_verify()
    assert not result.ok and result.broken_seq == chain[1].seq and "缺失" in result.reason


def test_it_finds_a_deleted_tail(chain):
    _unguarded("DELETE FROM audit_auditevent WHERE seq = %s", [chain[-1].seq])
    result = audit_verify()
    assert not result.ok and "链尾" in result.reason


def test_it_finds_a_rehashed_row_through_the_next_link(chain):
    from gonghui.audit.services import compute_hash

    forged = AuditEvent.objects.get(seq=chain[2].seq)
    forged.message = "伪造"
    _unguarded("UPDATE audit_auditevent SET message = %s, hash = %s WHERE seq = %s", ["伪造", compute_hash(forged), forged.seq])
    result = audit_verify()
    assert not result.ok and result.broken_seq == chain[3].seq


@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET message = 'x'", "DELETE FROM audit_auditevent"])
def test_it_is_append_only_in_the_database(chain, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 5


def test_it_refuses_orm_deletes_too(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=chain[0].seq).delete()


def test_the_cli_exits_non_zero_on_a_broken_chain(chain, capsys):
    call_command("audit", "verify")
    assert "完整" in capsys.readouterr().out
    _unguarded("DELETE FROM audit_auditevent WHERE seq = %s", [chain[0].seq])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert "校验失败" in capsys.readouterr().err


def test_it_never_writes_sensitive_values_in_clear():
    from gonghui.audit.services import field_changes

    changes = field_changes({"id_number": "110105194912310021", "name": "甲"}, {"id_number": "110105194912310039", "name": "乙"}, sensitive=frozenset({"id_number"}))
    assert changes == {"id_number": ["******", "******"], "name": ["甲", "乙"]}

"""set_wise_references: foreign keys checked once per referenced row in bulk writes.

PostgreSQL only (on SQLite the block runs unchanged); the CI database role is a
superuser, so it may set session_replication_role.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from gonghui.access.actor import Actor
from gonghui.audit.models import AuditEvent
from gonghui.audit.services import audit_record
from gonghui.core.db import ReferenceGone, set_wise_references
from gonghui.orgs.models import Org

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row triggers")


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def test_it_turns_row_triggers_off_inside_and_back_on_after(tree):
    with transaction.atomic():
        with set_wise_references() as references:
            assert references is not None and _role() == "replica"
            references.require(Org, [tree.grassroots.pk, tree.branch.pk])
            references.require(Org, [tree.grassroots.pk])  # already locked: no second query
        assert _role() == "origin"


def test_it_puts_back_the_setting_it_found(tree):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = local")
        with set_wise_references():
            assert _role() == "replica"
        assert _role() == "local"


@pytest.mark.django_db(transaction=True)  # (other tests run inside the test's transaction)
def test_outside_a_transaction_it_does_nothing(tree):
    with set_wise_references() as references:
        assert references is None


def test_it_refuses_a_referenced_row_that_is_gone_before_anything_is_written(tree):
    with pytest.raises(ReferenceGone) as gone, transaction.atomic(), set_wise_references() as references:
        references.require(Org, [tree.grassroots.pk, 987654321])
    assert gone.value.ids == {987654321} and _role() == "origin"


def test_an_error_inside_rolls_the_setting_back_with_the_savepoint(tree):
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic(), set_wise_references():
            1 / 0  # noqa: B018
        assert _role() == "origin"


def test_it_leaves_the_triggers_on_for_a_role_without_the_privilege(tree):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE gonghui_test_plain NOLOGIN")  # rolled back with the test
        cursor.execute("GRANT SELECT ON orgs_org TO gonghui_test_plain")
        cursor.execute("SET LOCAL ROLE gonghui_test_plain")
        with set_wise_references() as references:
            assert references is None and _role() == "origin"


def test_the_audit_guard_still_fires_with_the_triggers_off(tree):
    audit_record(actor=Actor.system(source="cli"), action="test.guard", object_type="x", message="guarded")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), set_wise_references() as references:
        assert references is not None
        AuditEvent.objects.filter(action="test.guard").update(message="changed")


@pytest.mark.django_db(transaction=True)
def test_the_referenced_rows_stay_locked_until_the_transaction_ends(tree):
    other = connection.copy()
    try:
        with transaction.atomic():
            with set_wise_references() as references:
                references.require(Org, [tree.grassroots.pk])
            # Another session cannot delete the union or change its key meanwhile.
            with pytest.raises(DatabaseError, match="lock"), other.cursor() as cursor:
                cursor.execute("SELECT id FROM orgs_org WHERE id = %s FOR UPDATE NOWAIT", [tree.grassroots.pk])
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM orgs_org WHERE id = %s FOR UPDATE NOWAIT", [tree.grassroots.pk])
            assert cursor.fetchone() == (tree.grassroots.pk,)
    finally:
        other.close()

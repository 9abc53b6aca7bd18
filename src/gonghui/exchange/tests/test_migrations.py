"""ImportJob moved from core to exchange: the rows of a database from before stay where
they are and are read by the new model (state-only migrations, same table)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gonghui.exchange.models import ImportJob

BEFORE = ("core", "0004_verbose_names")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_an_import_job_from_before_the_move_survives_it(tree, personas):
    executor = _migrate([BEFORE, ("exchange", None)])  # as before: core owns ImportJob
    try:
        old = executor.loader.project_state([BEFORE]).apps.get_model("core", "ImportJob")
        assert old._meta.db_table == "core_importjob"
        job = old.objects.create(kind="members", org_id=tree.grassroots.pk, org_path=tree.grassroots.path,
                                 filename="会员.xlsx", token="t" * 32, state="done", total=3, created=3)
    finally:
        executor = _migrate(executor.loader.graph.leaf_nodes())
    moved = ImportJob.objects.get(pk=job.pk)
    assert (moved.kind, moved.org_id, moved.filename, moved.total) == ("members", tree.grassroots.pk, "会员.xlsx", 3)
    assert ImportJob._meta.db_table == "core_importjob"
    with connection.cursor() as cursor:  # no second table was made
        assert "exchange_importjob" not in connection.introspection.table_names(cursor)

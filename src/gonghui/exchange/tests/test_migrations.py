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


@pytest.mark.django_db(transaction=True)
def test_an_import_task_queued_by_the_previous_version_is_repointed():
    from django_tasks_db.models import DBTaskResult

    executor = _migrate([("exchange", "0001_initial")])
    try:
        # the task queue's table is untouched by going back: write the old path into it
        row = DBTaskResult.objects.create(task_path="gonghui.core.jobs.run_import_job", args_kwargs={"args": [7], "kwargs": {}},
                                 queue_name="default", backend_name="default", priority=0, status="READY")
        other = DBTaskResult.objects.create(task_path="somewhere.else", args_kwargs={"args": [], "kwargs": {}},
                                   queue_name="default", backend_name="default", priority=0, status="READY")
    finally:
        executor = _migrate(executor.loader.graph.leaf_nodes())
    assert DBTaskResult.objects.get(pk=row.pk).task_path == "gonghui.exchange.jobs.run_import_job"
    assert DBTaskResult.objects.get(pk=other.pk).task_path == "somewhere.else"
    DBTaskResult.objects.filter(pk__in=[row.pk, other.pk]).delete()

"""A background import's progress reaches the job page while the import is running."""

import pytest
from django.db import connection, transaction

from gonghui.exchange.jobs import _ProgressWriter
from gonghui.exchange.models import ImportJob


def _job(org) -> ImportJob:
    return ImportJob.objects.create(kind="members", org=org, org_path=org.path, filename="名册.xlsx", token="0" * 32,
                                    state=ImportJob.State.RUNNING, dry_run=False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer; its importers check outside the transaction")
@pytest.mark.django_db(transaction=True)
def test_it_shows_progress_while_the_import_transaction_is_still_open(tree):
    job = _job(tree.grassroots)
    page = connection.copy()  # what the job page's request would see
    try:
        with transaction.atomic(), _ProgressWriter(job) as progress:
            progress(40, 200)
            with page.cursor() as cursor:
                cursor.execute("SELECT progress, total FROM core_importjob WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (20, 200)
    finally:
        page.close()


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the writer's own connection must see the job
def test_it_writes_every_second_percent_and_stops_short_of_done(tree):
    job = _job(tree.grassroots)
    with _ProgressWriter(job) as progress:
        progress(1, 100)
        assert ImportJob.objects.get(pk=job.pk).progress == 1
        progress(2, 100)  # under two points more: not written
        assert ImportJob.objects.get(pk=job.pk).progress == 1
        progress(100, 100)  # 100 is the finished job's, set with its result
        assert ImportJob.objects.get(pk=job.pk).progress == 99


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the second connection is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_failing_progress_connection_does_not_stop_the_import(tree, caplog):
    job = _job(tree.grassroots)
    with _ProgressWriter(job) as progress:
        progress.side.settings_dict = {**progress.side.settings_dict, "NAME": "gonghui_no_such_database"}
        progress(10, 100)  # cannot connect: logged, not raised
        progress(50, 100)  # and not tried again
    assert progress.broken and "progress not written" in caplog.text
    assert ImportJob.objects.get(pk=job.pk).progress == 0

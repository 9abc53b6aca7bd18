"""The migration that encrypts illness text, run on real rows in both directions."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from gonghui.benefits.models import BenefitRecord
from gonghui.benefits.tests.conftest import YEAR, D
from gonghui.core import crypto

BEFORE, AFTER = ("benefits", "0002_shipped_rulesets"), ("benefits", "0003_encrypt_illness")
LATEST = next(node for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes() if node[0] == "benefits")


def _raw(pk, columns="illness, illness_index"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM benefits_benefitrecord WHERE id = %s", [pk])  # noqa: S608 (fixed column names)
        return cursor.fetchone()


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_existing_illness_text_is_encrypted_and_indexed(tree, anhui, chair, add_member):
    from gonghui.benefits import services

    member = add_member()
    record = services.benefit_create(actor=chair, member=member, kind="hospital", on=dt.date(YEAR, 2, 1), form="cash",
                                     amount=D(800), illness="阑尾炎 手术")
    try:
        _migrate(BEFORE)  # as a database from before the change: illness in clear
        before = _raw(record.pk, "illness")[0]  # no illness_index column before 0003
        assert before == "阑尾炎 手术"
        _migrate(AFTER)
        stored, index = _raw(record.pk)
        assert stored.startswith(crypto.PREFIX) and "阑尾炎" not in stored
        assert crypto.decrypt(stored) == "阑尾炎 手术"
        assert index == crypto.blind_index("阑尾炎手术", purpose="illness")
        assert BenefitRecord.objects.get(pk=record.pk).illness == "阑尾炎 手术"
    finally:
        _migrate(LATEST)

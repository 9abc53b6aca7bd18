"""The roster import works through the file in chunks; on PostgreSQL each chunk is
written while the next is checked. Chunks of two rows here, so every case crosses
several chunk boundaries."""

import datetime as dt
import sys
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from gonghui.audit.models import AuditEvent
from gonghui.core.db import ReferenceGone, SetWiseReferences
from gonghui.members import sheets
from gonghui.members.models import Member, MembershipEvent, MemberSpell
from gonghui.members.sheets import members_import
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the streaming write is PostgreSQL's")


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(sheets, "CHUNK_ROWS", 2)


@pytest.fixture
def chair(personas):
    return actor_of(personas.grassroots_chair)


def person(name, **extra):
    row = {"姓名": name, "身份证号": make_id(), "入会时间": dt.date(2020, 5, 1), "会员证号": f"K{name}"}
    row.update(extra)
    return row


def counts():
    return Member.objects.count(), MembershipEvent.objects.count(), MemberSpell.objects.count()


def test_it_imports_every_chunk_with_events_and_spells(tree, chair, tmp_path):
    switch_interval = sys.getswitchinterval()
    rows = [person(f"会员{i}", 所属工会编码="B1" if i % 3 == 0 else "") for i in range(7)]
    seen = []
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots,
                            progress=lambda done, total: seen.append(done))
    assert report.ok and report.written and report.created == 7 and counts() == (7, 7, 7)
    assert Member.objects.filter(org=tree.branch).count() == 3
    assert seen == sorted(seen) and seen[-1] == 7
    # The worker thread is gone: the connection is this thread's alone again.
    assert not connection.allow_thread_sharing and sys.getswitchinterval() == switch_interval
    again = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7) and counts() == (7, 7, 7)


def test_a_bad_row_after_chunks_were_written_still_means_nothing_is_written(tree, chair, tmp_path):
    rows = [person(f"会员{i}") for i in range(5)] + [person("坏", 入会时间="2020-13-01")] + [person("后来")]
    path = write_roster(tmp_path / "r.xlsx", rows)
    report = members_import(actor=chair, path=path, org=tree.grassroots)
    assert not report.written and (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert report.errors == [(7, report.errors[0][1])] and "入会时间" in report.errors[0][1]
    assert counts() == (0, 0, 0)
    assert AuditEvent.objects.get(action="member.import").result == "failure"
    valid = members_import(actor=chair, path=path, org=tree.grassroots, mode="valid")
    assert valid.written and valid.created == 6 and counts() == (6, 6, 6)


def test_a_member_of_another_union_in_a_late_chunk_stops_the_import(tree, personas, chair, tmp_path):
    from gonghui.members.services import member_create

    number = make_id()
    member_create(actor=actor_of(personas.outsider), org=tree.sibling_grassroots, name="王五", id_number=number,
                  joined_on=dt.date(2021, 1, 1))
    rows = [person(f"会员{i}") for i in range(5)] + [person("王五", 身份证号=number)]
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert not report.written and [r for r, _ in report.errors] == [7] and "其他工会" in report.errors[0][1]
    assert counts() == (1, 1, 1)  # 王五's own record only


def test_a_card_number_taken_in_an_earlier_chunk_of_the_file_is_a_duplicate(tree, chair, tmp_path):
    rows = [person("甲"), person("乙"), person("丙"), person("丁", 会员证号="K甲")]
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert [r for r, _ in report.errors] == [5] and "与第2行重复" in report.errors[0][1] and counts() == (0, 0, 0)


@pg_only
def test_with_per_row_foreign_key_checks_it_writes_the_same(tree, chair, tmp_path, monkeypatch):
    @contextmanager
    def not_allowed():
        yield None

    monkeypatch.setattr(sheets, "set_wise_references", not_allowed)
    rows = [person(f"会员{i}") for i in range(5)]
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert report.written and report.created == 5 and counts() == (5, 5, 5)


@pg_only
def test_a_union_deleted_before_the_write_leaves_nothing_and_says_so(tree, chair, tmp_path, monkeypatch):
    def gone(self, model, ids):
        raise ReferenceGone(model, set(ids))

    monkeypatch.setattr(SetWiseReferences, "require", gone)
    rows = [person("甲"), person("乙"), person("丙")]
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert not report.written and "被删除" in report.file_error and counts() == (0, 0, 0)
    assert AuditEvent.objects.get(action="member.import").result == "failure"


def test_someone_registered_meanwhile_leaves_nothing_and_says_so(tree, chair, tmp_path, monkeypatch):
    from gonghui.members.services import member_create

    number = make_id()
    # As if another session registered 王五 after the file was matched against the platform.
    monkeypatch.setattr(sheets, "_where_in", lambda qs, column, values: [])
    member_create(actor=chair, org=tree.grassroots, name="王五", id_number=number, joined_on=dt.date(2021, 1, 1))
    rows = [person("甲"), person("乙"), person("王五", 身份证号=number)]
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert not report.written and "另有操作登记" in report.file_error and counts() == (1, 1, 1)
    assert AuditEvent.objects.get(action="member.import").result == "failure"


def test_the_audit_message_counts_the_rejected_rows(tree, chair, tmp_path):
    rows = [person("甲"), person("乙"), person("坏", 入会时间="2020-13-01"), person("丁")]
    path = write_roster(tmp_path / "r.xlsx", rows)
    members_import(actor=chair, path=path, org=tree.grassroots)
    members_import(actor=chair, path=path, org=tree.grassroots, mode="valid")
    failed, done = AuditEvent.objects.filter(action="member.import").order_by("seq")
    assert failed.message == "有1行错误，未导入任何数据"
    assert done.message.startswith("新建3，更新0，未变0，拒绝1")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_only_the_unions_the_rows_point_at_are_locked(tree, chair, tmp_path):
    other = connection.copy()
    try:
        with transaction.atomic():
            rows = [person("甲"), person("乙")]  # all at the grassroots union, none at its branch
            assert members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots).written
            with other.cursor() as cursor:
                cursor.execute("SELECT id FROM orgs_org WHERE id = %s FOR UPDATE NOWAIT", [tree.branch.pk])
                with pytest.raises(DatabaseError, match="lock"):
                    cursor.execute("SELECT id FROM orgs_org WHERE id = %s FOR UPDATE NOWAIT", [tree.grassroots.pk])
    finally:
        other.close()


@pg_only
def test_the_platform_lookup_takes_values_with_any_character(tree, chair, tmp_path):
    members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", [person("甲")]), org=tree.grassroots)
    card = Member.objects.get().card_no
    # The unit separator joins the values into one parameter, so a value holding it
    # goes as an array instead.
    found = sheets._where_in(Member.objects.all(), "card_no", [card, "X\x1fY"])
    assert [m.card_no for m in found] == [card]
    assert [m.card_no for m in sheets._where_in(Member.objects.all(), "card_no", [card, "Z"])] == [card]


def test_the_gil_switch_interval_comes_back_when_the_last_streaming_import_ends():
    before = sys.getswitchinterval()
    first, second = sheets._ShortSwitchInterval(), sheets._ShortSwitchInterval()
    first.__enter__()
    second.__enter__()
    assert sys.getswitchinterval() == pytest.approx(sheets.SWITCH_INTERVAL)
    first.__exit__()
    assert sys.getswitchinterval() == pytest.approx(sheets.SWITCH_INTERVAL)
    second.__exit__()
    assert sys.getswitchinterval() == before

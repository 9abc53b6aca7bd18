"""Regression tests for the review findings: exact member matching, the audited import
write (a duplicate key is "unchanged", never an IntegrityError), bounded queries, and
batch-line parsing kept out of the views."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.donations import selectors, services, sheets, views
from gonghui.donations.models import Donation, DonorKind
from gonghui.donations.sheets import HEADERS, donations_import
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster

TODAY = dt.date.today()


@pytest.fixture
def chair(personas):
    return actor_of(personas.grassroots_chair)


@pytest.fixture
def drive(tree, chair):
    return services.drive_create(actor=chair, org=tree.grassroots, name="金秋助学捐款", purpose="助学",
                                 starts_on=TODAY - dt.timedelta(days=5), ends_on=TODAY + dt.timedelta(days=5))


def _member(chair, org, name):
    number = make_id()
    return member_create(actor=chair, org=org, name=name, id_number=number, joined_on=dt.date(2020, 1, 1)), number


# 1. exact name or ID number only -------------------------------------------------------------

def test_a_name_prefix_is_not_a_member_match(tree, chair, drive):
    zhang, number = _member(chair, tree.grassroots, "张三")
    with pytest.raises(ValidationError) as exc:
        selectors.member_for_drive(chair, drive, "张")
    assert "找不到会员“张”" in exc.value.messages[0] and "完整姓名" in exc.value.messages[0]
    assert selectors.member_for_drive(chair, drive, "张三") == zhang
    assert selectors.member_for_drive(chair, drive, number) == zhang


def test_a_shared_name_asks_for_the_id_number(tree, chair, drive):
    a, number = _member(chair, tree.grassroots, "李四")
    _member(chair, tree.branch, "李四")
    with pytest.raises(ValidationError) as exc:
        selectors.member_for_drive(chair, drive, "李四")
    assert "有2名会员都叫“李四”" in exc.value.messages[0] and "身份证号" in exc.value.messages[0]
    assert selectors.member_for_drive(chair, drive, number) == a


def test_a_bad_or_unknown_id_number_is_explained_in_chinese(tree, chair, drive):
    _member(chair, tree.grassroots, "王五")
    with pytest.raises(ValidationError) as exc:
        selectors.member_for_drive(chair, drive, "11010519900307001")
    assert "身份证号应为18位" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        selectors.member_for_drive(chair, drive, make_id())
    assert "找不到该身份证号的会员" in exc.value.messages[0]


def test_the_batch_page_does_not_record_a_prefix(tree, chair, drive, personas, login):
    _member(chair, tree.grassroots, "张三")
    client = login(personas.grassroots_chair)
    data = {"on": TODAY.isoformat(), "method": "cash", "default_amount": "50", "lines": "张"}
    text = client.post(f"/donations/{drive.pk}/batch/", data).content.decode()
    assert "第1行" in text and "找不到会员" in text and not Donation.objects.exists()


# 2. the import writes through an audited service ---------------------------------------------

def _rows(drive, numbers):
    return [{"捐款活动": drive.name, "会员身份证号": n, "金额": "100", "捐款日期": TODAY.isoformat()} for n in numbers]


def test_the_import_write_is_audited_and_a_duplicate_key_is_unchanged(tree, chair, drive):
    from gonghui.audit.models import AuditEvent

    values = services.clean_donation(drive, actor=chair, kind=DonorKind.UNIT, name="临江机械厂", amount="10", on=TODAY)
    assert services.donation_import_write.audit_action == "donation.import"
    assert services.donation_import_write(actor=chair, org=tree.grassroots, rows=[(2, values, "k" * 64)]) == (1, 0)
    # a concurrent import wrote the same key first: no IntegrityError, counted as unchanged
    assert services.donation_import_write(actor=chair, org=tree.grassroots, rows=[(2, values, "k" * 64)]) == (0, 1)
    assert Donation.objects.count() == 1
    assert AuditEvent.objects.filter(action="donation.import", result="success").count() == 2


def test_a_concurrent_import_reports_unchanged_rows(tree, chair, drive, tmp_path, monkeypatch):
    rows = [{"捐款活动": drive.name, "单位或个人名称": f"单位{i}", "金额": "100", "捐款日期": TODAY.isoformat()} for i in range(2)]
    path = write_roster(tmp_path / "d.xlsx", rows, HEADERS)
    assert donations_import(actor=chair, path=path, org=tree.grassroots).created == 2
    monkeypatch.setattr(sheets, "_existing_keys", lambda keys: set())  # as if the other import committed late
    report = donations_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.written and (report.created, report.unchanged) == (0, 2)
    assert Donation.objects.count() == 2


def test_a_drive_closed_before_the_write_is_refused_in_chinese(tree, chair, drive):
    values = services.clean_donation(drive, actor=chair, kind=DonorKind.UNIT, name="临江机械厂", amount="10", on=TODAY)
    services.drive_close(actor=chair, drive=drive)
    with pytest.raises(ValidationError) as exc:
        services.donation_import_write(actor=chair, org=tree.grassroots, rows=[(2, values, "k" * 64)])
    assert "已结束" in exc.value.messages[0] and not Donation.objects.exists()


# 3. bounded queries ----------------------------------------------------------------------------

def _count(ctx, needle):
    return sum(1 for q in ctx.captured_queries if needle in q["sql"])


def test_batch_lines_resolve_all_members_in_one_query(tree, chair, drive):
    names = [f"会员{i}" for i in range(6)]
    for name in names:
        _member(chair, tree.grassroots, name)
    with CaptureQueriesContext(connection) as ctx:
        entries, problems = services.batch_entries(actor=chair, drive=drive, text="\n".join(names), default_amount="20")
    assert not problems and len(entries) == 6
    assert _count(ctx, '"members_member"') == 1
    with CaptureQueriesContext(connection) as ctx:
        services.donation_batch(actor=chair, drive=drive, entries=entries, on=TODAY)
    same_day_checks = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
                       and '"donations_donation"' in q["sql"]]
    assert len(same_day_checks) == 1 and _count(ctx, '"members_member"') == 0
    with pytest.raises(ValidationError):  # the preloaded same-day check still refuses a repeat
        services.donation_batch(actor=chair, drive=drive, entries=entries[:1], on=TODAY)


def test_the_import_reads_members_and_keys_in_one_query_each(tree, chair, drive, tmp_path):
    numbers = [_member(chair, tree.branch, f"会员{i}")[1] for i in range(5)]
    path = write_roster(tmp_path / "d.xlsx", _rows(drive, numbers), HEADERS)
    with CaptureQueriesContext(connection) as ctx:
        report = donations_import(actor=chair, path=path, org=tree.grassroots)
    assert report.created == 5
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert sum('"members_member"' in s for s in selects) == 1
    assert sum('"import_key" IN' in s for s in selects) == 1


def test_the_bare_records_page_shows_the_current_year_only(tree, chair, personas, login):
    old = dt.date(TODAY.year - 1, 12, 31)
    drive = services.drive_create(actor=chair, org=tree.grassroots, name="跨年捐款", purpose="助困",
                                  starts_on=dt.date(TODAY.year - 1, 12, 1), ends_on=TODAY)
    services.donation_record(actor=chair, drive=drive, kind="unit", name="去年单位", amount=Decimal("777"), on=old)
    client = login(personas.grassroots_chair)
    bare = client.get("/donations/records/").content.decode()
    assert "去年单位" not in bare and "本年度" in bare
    assert "去年单位" in client.get(f"/donations/records/?start={old.isoformat()}").content.decode()
    assert "去年单位" in client.get(f"/donations/records/?drive={drive.pk}").content.decode()
    assert selectors.records_start(drive=None, month="", start=None, end=None, today=dt.date(2025, 6, 1)) == (dt.date(2025, 1, 1), True)


# 4. batch-line parsing lives in services ------------------------------------------------------

def test_batch_line_parsing_is_a_service_not_a_view(tree, chair, drive):
    assert not hasattr(views, "parse_lines")
    zhang, _ = _member(chair, tree.grassroots, "张三")
    text = "张三\n单位：临江机械厂 2000元\n\n个人:热心市民\u300088.8 匿名 捐助\n单位：无金额"
    entries, problems = services.batch_entries(actor=chair, drive=drive, text=text, default_amount="")
    assert problems == ["第1行：请填写金额，或填写统一金额。", "第5行：请填写金额，或填写统一金额。"]
    assert entries == [
        {"label": "第2行", "amount": "2000", "note": "", "kind": DonorKind.UNIT, "name": "临江机械厂"},
        {"label": "第4行", "amount": "88.8", "note": "匿名 捐助", "kind": DonorKind.PERSON, "name": "热心市民"},
    ]
    entries, problems = services.batch_entries(actor=chair, drive=drive, text="张三", default_amount="50")
    assert not problems and entries[0]["member"] == zhang and entries[0]["amount"] == "50"

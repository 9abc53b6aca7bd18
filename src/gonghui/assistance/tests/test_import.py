import datetime as dt

import pytest

from gonghui.assistance import sheets
from gonghui.assistance.models import AssistanceRecord, Household
from gonghui.assistance.tests.factories import SYSTEM, member
from gonghui.testing.factories import actor_of
from gonghui.testing.members import write_roster

H = [c.header for c in sheets.HARDSHIP_COLUMNS]
R = [c.header for c in sheets.RECORD_COLUMNS]


def hardship_row(m, **kw):
    return {"户主身份证号": m.id_number, "户主姓名": m.name, "申请日期": "2025-01-05", "致困原因": "疾病、子女上学", "家庭人口": 3,
            "家庭年收入": 24000, "刚性支出": 6000, **kw}


def test_it_imports_archives_idempotently(tree, tmp_path):
    people = [member(tree.grassroots, f"困难{i}") for i in range(3)]
    path = write_roster(tmp_path / "h.xlsx", [hardship_row(m) for m in people], H)
    report = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (report.created, report.errors) == (3, [])
    assert Household.objects.get(head=people[0]).cause_list == ["illness", "schooling"]
    again = sheets.hardship_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Household.objects.count() == 3


def test_a_dry_run_counts_what_the_import_would_do_and_writes_nothing(tree, tmp_path):
    from gonghui.audit.models import AuditEvent

    people = [member(tree.grassroots, f"困难{i}") for i in range(3)]
    archives = write_roster(tmp_path / "h.xlsx", [hardship_row(m) for m in people], H)
    records = write_roster(tmp_path / "a.xlsx", [{"受助人身份证号": m.id_number, "日期": "2025-01-20", "帮扶类型": "元旦春节送温暖",
                                                  "现金": 500, "资金来源": "本级经费"} for m in people], R)
    events = AuditEvent.objects.count()
    for importer, path in ((sheets.hardship_import, archives), (sheets.assistance_import, records)):
        dry = importer(actor=SYSTEM, path=path, org=tree.grassroots, dry_run=True)
        assert (dry.created, dry.updated, dry.unchanged, dry.written) == (3, 0, 0, False)
    assert not Household.objects.exists() and not AssistanceRecord.objects.exists()
    assert AuditEvent.objects.count() == events  # the rehearsal's audit events are rolled back too
    sheets.hardship_import(actor=SYSTEM, path=archives, org=tree.grassroots)
    again = sheets.hardship_import(actor=SYSTEM, path=archives, org=tree.grassroots, dry_run=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.parametrize(("change", "message"), [
    ({"家庭人口": 0}, "家庭人口"), ({"致困原因": "贫穷"}, "致困原因"), ({"户主身份证号": "110105199003070018"}, "校验"),
    ({"户主姓名": "别人"}, "姓名"), ({"申请日期": "明天"}, "日期"), ({"家庭年收入": "很多"}, "年收入"),
])
def test_it_writes_nothing_from_a_file_with_a_bad_row(tree, tmp_path, change, message):
    people = [member(tree.grassroots, f"困难{i}") for i in range(3)]
    rows = [hardship_row(m) for m in people]
    rows[2].update(change)
    report = sheets.hardship_import(actor=SYSTEM, path=write_roster(tmp_path / "h.xlsx", rows, H), org=tree.grassroots)
    assert report.errors and report.errors[0][0] == 4, report.errors
    assert not report.written and not Household.objects.exists()


def test_it_refuses_people_of_another_union(tree, tmp_path, personas):
    stranger = member(tree.sibling_grassroots, "外人")
    report = sheets.hardship_import(actor=actor_of(personas.grassroots_chair), org=tree.grassroots,
                                    path=write_roster(tmp_path / "h.xlsx", [hardship_row(stranger)], H))
    assert "找不到" in report.errors[0][1] and not Household.objects.exists()


@pytest.mark.parametrize("content", [b"", b"not a spreadsheet", b"PK\x03\x04broken"])
def test_it_reports_unreadable_files(tree, tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    report = sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert report.file_error and not AssistanceRecord.objects.exists()


def test_it_imports_assistance_records_by_id_number_idempotently(tree, tmp_path):
    people = [member(tree.grassroots, f"受助{i}") for i in range(4)]
    rows = [{"受助人身份证号": m.id_number, "日期": "2025-01-20", "帮扶类型": "元旦春节送温暖", "现金": 500, "资金来源": "本级经费"} for m in people]
    path = write_roster(tmp_path / "a.xlsx", rows, R)
    assert sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots).created == 4
    again = sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (again.created, again.unchanged) == (0, 4)
    rows[1]["现金"] = -1
    report = sheets.assistance_import(actor=SYSTEM, path=write_roster(tmp_path / "b.xlsx", rows, R), org=tree.grassroots)
    assert report.errors and AssistanceRecord.objects.count() == 4


def test_it_exports_and_templates_through_the_exchange_registry(tree, tmp_path, personas):
    from gonghui.assistance.tests.factories import household
    from gonghui.audit.models import AuditEvent
    from gonghui.exchange.registry import EXCHANGES

    household(tree.grassroots, health="机密病情")
    for kind in ("hardship", "assistance"):
        ex = EXCHANGES[kind]
        assert ex.template(tmp_path / f"{kind}-t.xlsx").exists()
        assert ex.exporter(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, path=tmp_path / f"{kind}.xlsx",
                           subtree=True, start=dt.date(2020, 1, 1), end=None).exists()
    assert AuditEvent.objects.filter(action="hardship.export").exists()


# --- batches in the assistance import -----------------------------------------------------


def batch_rows(people, **kw):
    return [{"受助人身份证号": h.head.id_number, "日期": "2025-01-20", "帮扶类型": "元旦春节送温暖", "现金": 500,
             "资金来源": "本级经费", "批次名称": "2025年春节送温暖", **kw} for h in people]


def test_it_imports_a_batch_once(tree, tmp_path):
    from gonghui.assistance.models import AssistanceBatch
    from gonghui.assistance.tests.factories import household

    homes = [household(tree.grassroots, name=f"批次{i}") for i in range(3)]
    loose = member(tree.grassroots, "散户")
    rows = batch_rows(homes) + [{"受助人身份证号": loose.id_number, "日期": "2025-01-21", "帮扶类型": "元旦春节送温暖", "现金": 200,
                                 "资金来源": "本级经费"}]
    path = write_roster(tmp_path / "a.xlsx", rows, R)
    report = sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (report.created, report.errors) == (4, [])
    batch = AssistanceBatch.objects.get()
    assert batch.title == "2025年春节送温暖" and batch.records.count() == 3
    assert {r.household_id for r in batch.records.all()} == {h.pk for h in homes}
    again = sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (again.created, again.unchanged, again.errors) == (0, 4, [])
    assert AssistanceBatch.objects.count() == 1 and AssistanceRecord.objects.count() == 4


@pytest.mark.parametrize(("change", "message"), [
    ({"现金": 300}, "不一致"), ({"资金来源": "上级补助"}, "不一致"), ({"日期": "2025-01-21"}, "不一致"),
    ({"受助人身份证号": "110105199003070018"}, "校验"),
])
def test_it_refuses_a_batch_whose_rows_disagree(tree, tmp_path, change, message):
    from gonghui.assistance.models import AssistanceBatch
    from gonghui.assistance.tests.factories import household

    homes = [household(tree.grassroots, name=f"批次{i}") for i in range(3)]
    rows = batch_rows(homes)
    rows[2].update(change)
    path = write_roster(tmp_path / "a.xlsx", rows, R)
    report = sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert any(n == 4 and message in e for n, e in report.errors), report.errors
    assert not report.written and not AssistanceBatch.objects.exists() and not AssistanceRecord.objects.exists()
    valid = sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots, mode="valid")
    assert valid.created == 0 and not AssistanceBatch.objects.exists()  # a batch is all or nothing


def test_it_refuses_batch_rows_without_a_managed_archive_and_additions_to_a_batch(tree, tmp_path):
    from gonghui.assistance.models import AssistanceBatch
    from gonghui.assistance.tests.factories import household

    homes = [household(tree.grassroots, name=f"批次{i}") for i in range(2)]
    applied = household(tree.grassroots, name="待审", status="applied")
    report = sheets.assistance_import(actor=SYSTEM, org=tree.grassroots,
                                      path=write_roster(tmp_path / "a.xlsx", batch_rows([*homes, applied]), R))
    assert any(n == 4 and "不在帮扶范围" in e for n, e in report.errors) and not AssistanceBatch.objects.exists()
    assert sheets.assistance_import(actor=SYSTEM, org=tree.grassroots,
                                    path=write_roster(tmp_path / "b.xlsx", batch_rows(homes[:1]), R)).created == 1
    more = sheets.assistance_import(actor=SYSTEM, org=tree.grassroots, path=write_roster(tmp_path / "c.xlsx", batch_rows(homes), R))
    assert any(n == 3 and "追加" in e for n, e in more.errors) and AssistanceRecord.objects.count() == 1


def test_assistance_export_imports_back_unchanged(tree, tmp_path, personas):
    from gonghui.assistance import services
    from gonghui.assistance.tests.factories import household

    homes = [household(tree.grassroots, name=f"批次{i}") for i in range(2)]
    services.batch_create(actor=SYSTEM, org=tree.grassroots, title="助学", on=dt.date(2025, 3, 1), occasion="school",
                          households=homes, funding="own", cash=800, goods=[{"item": "书包", "quantity": 1, "value": 100}])
    loose = member(tree.grassroots, "散户")
    services.record_create(actor=SYSTEM, member=loose, on=dt.date(2025, 3, 2), occasion="school", funding="own", cash=300)
    path = sheets.assistance_export(actor=SYSTEM, org=tree.grassroots, path=tmp_path / "out.xlsx")
    report = sheets.assistance_import(actor=SYSTEM, path=path, org=tree.grassroots)
    assert (report.created, report.unchanged, report.errors) == (0, 3, [])
    assert AssistanceRecord.objects.count() == 3
    masked = sheets.assistance_export(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, path=tmp_path / "m.xlsx")
    assert masked.exists()


def test_the_assistance_template_explains_batches(tmp_path):
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(sheets.assistance_template(tmp_path / "t.xlsx")))
    assert "批次名称" in wb.get_sheet_by_index(0).to_python()[0]
    assert any("批次" in str(c) for row in wb.get_sheet_by_name("填写说明").to_python() for c in row)

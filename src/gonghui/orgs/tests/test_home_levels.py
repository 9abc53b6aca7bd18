"""The dated history of a union's 职工之家 level: conferrals with date, body and document
number, edited through audited services; `Org.home_level` is derived from the latest; the
org page, the orgs sheets and the summary's organization part use it."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
import xlsxwriter
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.audit.models import AuditEvent
from gonghui.orgs import selectors, services
from gonghui.orgs.models import HomeLevel, HomeLevelAward, Org
from gonghui.orgs.sheets import HEADERS, HOME_COLUMNS, HOME_SHEET, orgs_export, orgs_import
from gonghui.testing.factories import actor_of

pytestmark = pytest.mark.django_db

D = dt.date


def confer(org, actor, level=HomeLevel.CITY, on=D(2025, 6, 18), body="杭州市总工会", number="杭工〔2025〕18号"):
    return services.home_level_add(actor=actor, org=org, level=level, conferred_on=on, conferred_by=body, document_no=number)


def test_it_keeps_the_current_level_as_the_latest_conferral(tree, personas):
    chair = actor_of(personas.street_chair)
    confer(tree.grassroots, chair, level=HomeLevel.DISTRICT, on=D(2021, 12, 10), body="滨江区总工会")
    confer(tree.grassroots, chair, level=HomeLevel.CITY, on=D(2025, 6, 18))
    tree.grassroots.refresh_from_db()
    assert tree.grassroots.home_level == HomeLevel.CITY
    # a conferral entered late but dated earlier does not replace the current level
    confer(tree.grassroots, chair, level=HomeLevel.DISTRICT, on=D(2023, 5, 1), body="滨江区总工会")
    tree.grassroots.refresh_from_db()
    assert tree.grassroots.home_level == HomeLevel.CITY
    latest = HomeLevelAward.objects.get(org=tree.grassroots, level=HomeLevel.CITY)
    services.home_level_remove(actor=chair, award=latest)
    tree.grassroots.refresh_from_db()
    assert tree.grassroots.home_level == HomeLevel.DISTRICT
    actions = list(AuditEvent.objects.filter(action__startswith="org.home_level").values_list("action", flat=True))
    assert actions == ["org.home_level.add"] * 3 + ["org.home_level.remove"]


@pytest.mark.parametrize("kwargs, field, message", [
    ({"on": D.today() + dt.timedelta(days=1)}, "conferred_on", "评定日期不能晚于今天。"),
    ({"on": None}, "conferred_on", "请填写评定日期。"),
    ({"body": "  "}, "conferred_by", "请填写评定机关，如“滨江区总工会”。"),
    ({"level": HomeLevel.NONE}, "level", "请选择评定的职工之家等级。"),
    ({"level": "galactic"}, "level", "请选择评定的职工之家等级。"),
    ({"number": "号" * 61}, "document_no", "文号不能超过60个字。"),
])
def test_it_refuses_bad_input_and_writes_nothing(tree, personas, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        confer(tree.grassroots, actor_of(personas.street_chair), **kwargs)
    assert exc.value.message_dict[field] == [message]
    assert not HomeLevelAward.objects.exists()
    tree.grassroots.refresh_from_db()
    assert tree.grassroots.home_level == HomeLevel.NONE


def test_it_refuses_a_date_before_the_union_was_founded_and_a_duplicate(tree, personas):
    chair = actor_of(personas.street_chair)
    services.org_update(actor=chair, org=tree.grassroots, founded_on=D(2010, 3, 1))
    with pytest.raises(ValidationError) as exc:
        confer(tree.grassroots, chair, on=D(2009, 1, 1))
    assert "不能早于工会成立日期" in exc.value.message_dict["conferred_on"][0]
    confer(tree.grassroots, chair)
    with pytest.raises(ValidationError) as exc:
        confer(tree.grassroots, chair)
    assert "已登记" in exc.value.message_dict["conferred_on"][0]


def test_another_union_cannot_confer_or_read(tree, personas):
    with pytest.raises(PermissionDenied):
        confer(tree.grassroots, actor_of(personas.outsider))
    award = confer(tree.grassroots, actor_of(personas.street_chair))
    assert list(selectors.home_levels_of(actor_of(personas.outsider), tree.grassroots)) == []
    with pytest.raises(Http404):
        selectors.home_level_award_get(actor_of(personas.outsider), tree.grassroots, award.pk)
    with pytest.raises(PermissionDenied):
        services.home_level_remove(actor=actor_of(personas.branch_lead), award=award)


def test_the_level_cannot_be_changed_outside_the_history(tree, personas):
    chair = actor_of(personas.street_chair)
    with pytest.raises(ValidationError) as exc:
        services.org_update(actor=chair, org=tree.grassroots, home_level=HomeLevel.PROVINCE)
    assert "评定记录" in exc.value.message_dict["home_level"][0]
    services.org_update(actor=chair, org=tree.grassroots, home_level=HomeLevel.NONE, address="江滨路1号")  # repeating it is fine


def test_the_org_page_shows_and_edits_the_history(tree, personas, login):
    client = login(personas.street_chair)
    url = f"/orgs/{tree.grassroots.pk}/home-levels/"
    tomorrow = (D.today() + dt.timedelta(days=1)).isoformat()
    refused = client.post(url, {"action": "add", "level": "city", "conferred_on": tomorrow, "conferred_by": "市总工会"}, follow=True)
    assert "评定日期不能晚于今天。" in refused.content.decode() and not HomeLevelAward.objects.exists()
    client.post(url, {"action": "add", "level": "city", "conferred_on": "2025-06-18", "conferred_by": "杭州市总工会",
                      "document_no": "杭工〔2025〕18号"})
    page = client.get(f"/orgs/{tree.grassroots.pk}/").content.decode()
    assert "市级模范职工之家" in page and "杭工〔2025〕18号" in page and "2025年6月18日" in page
    award = HomeLevelAward.objects.get()
    assert login(personas.outsider).post(url, {"action": "remove", "award": award.pk}).status_code == 404
    assert HomeLevelAward.objects.exists()
    client = login(personas.street_chair)
    removed = client.post(url, {"action": "remove", "award": award.pk}, follow=True)
    assert "已删除该评定记录。" in removed.content.decode(), removed.content.decode()[-3000:]
    assert not HomeLevelAward.objects.exists() and Org.objects.get(pk=tree.grassroots.pk).home_level == HomeLevel.NONE


def test_the_data_migration_makes_one_row_per_union_with_a_level(tree):
    Org.objects.filter(pk=tree.grassroots.pk).update(home_level=HomeLevel.CITY)
    Org.objects.filter(pk=tree.branch.pk).update(home_level=HomeLevel.DISTRICT)
    migration = import_module("gonghui.orgs.migrations.0004_home_level_history_from_current")
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice: still one row each
    rows = {a.org_id: a for a in HomeLevelAward.objects.all()}
    assert set(rows) == {tree.grassroots.pk, tree.branch.pk}
    assert rows[tree.grassroots.pk].level == HomeLevel.CITY and rows[tree.grassroots.pk].date_unknown
    migration.backwards(apps, None)
    assert not HomeLevelAward.objects.exists()


def _workbook(path, org_rows, home_rows):
    book = xlsxwriter.Workbook(str(path))
    for name, headers, rows in (("数据", HEADERS, org_rows), (HOME_SHEET, [c.header for c in HOME_COLUMNS], home_rows)):
        ws = book.add_worksheet(name)
        for i, h in enumerate(headers):
            ws.write_string(0, i, h)
        for r, row in enumerate(rows, start=1):
            for c, h in enumerate(headers):
                if row.get(h) is not None:
                    ws.write(r, c, row[h])
    book.close()
    return path


def test_the_orgs_sheets_import_and_export_the_history(tree, personas, tmp_path):
    chair = actor_of(personas.street_chair)
    home = [{"工会编码": "G1", "评定等级": "区县级模范职工之家", "评定日期": "2021-12-10", "评定机关": "滨江区总工会"},
            {"工会编码": "G1", "评定等级": "市级模范职工之家", "评定日期": "2025-06-18", "评定机关": "杭州市总工会", "文号": "杭工〔2025〕18号"}]
    orgs = [{"工会编码": "G1", "工会名称": tree.grassroots.name, "类型": "企业工会", "上级工会编码": "S1", "职工人数": 300,
             "职工之家等级": "市级模范职工之家"}]
    report = orgs_import(actor=chair, path=_workbook(tmp_path / "in.xlsx", orgs, home))
    assert report.errors == [] and report.written
    assert Org.objects.get(pk=tree.grassroots.pk).home_level == HomeLevel.CITY and HomeLevelAward.objects.count() == 2
    out = orgs_export(actor=chair, root=tree.street, path=tmp_path / "out.xlsx")
    again = orgs_import(actor=chair, path=out)
    assert again.errors == [] and again.created == 0 and HomeLevelAward.objects.count() == 2


def test_the_import_refuses_a_level_without_its_conferral_and_a_future_date(tree, personas, tmp_path):
    chair = actor_of(personas.street_chair)
    orgs = [{"工会编码": "G1", "工会名称": tree.grassroots.name, "类型": "企业工会", "上级工会编码": "S1", "职工人数": 300,
             "职工之家等级": "省级模范职工之家"}]
    home = [{"工会编码": "G1", "评定等级": "市级模范职工之家", "评定日期": "2999-06-18", "评定机关": "杭州市总工会"},
            {"工会编码": "G2", "评定等级": "市级模范职工之家", "评定日期": "2024-06-18", "评定机关": "杭州市总工会"}]
    report = orgs_import(actor=chair, path=_workbook(tmp_path / "bad.xlsx", orgs, home))
    messages = " ".join(m for _, m in report.errors)
    assert "与评定记录不一致" in messages and "评定日期不能晚于今天" in messages and "找不到工会编码“G2”" in messages
    assert not report.written and not HomeLevelAward.objects.exists()
    assert Org.objects.get(pk=tree.grassroots.pk).home_level == HomeLevel.NONE


def test_the_summary_states_a_level_gained_in_the_period(tree, personas, tmp_path):
    from gonghui.summary.tests.conftest import summary_text

    chair = actor_of(personas.street_chair)
    confer(tree.grassroots, chair, level=HomeLevel.DISTRICT, on=D(2022, 12, 10), body="滨江区总工会")
    confer(tree.grassroots, chair, level=HomeLevel.CITY, on=D(2025, 6, 18))
    text = summary_text(tmp_path, "G1", "2025")
    assert "2025年6月，本会被评为市级模范职工之家。" in text
    assert "区县级模范职工之家" not in text  # conferred in 2022, outside the period
    assert "本会被评为" not in summary_text(tmp_path, "G1", "2024", name="2024.md")
    street = summary_text(tmp_path, "S1", "2025", subtree=True, name="street.md")
    assert "所属工会中有1个被评为模范职工之家" in street


def test_the_summary_never_dates_a_migrated_level(tree, tmp_path):
    from gonghui.summary.tests.conftest import summary_text

    HomeLevelAward.objects.create(org=tree.grassroots, level=HomeLevel.CITY, conferred_on=D(2025, 3, 1), conferred_by="（原有等级，评定机关待补录）",
                                  date_unknown=True)
    assert "被评为" not in summary_text(tmp_path, "G1", "2025")


# --- review fixes ------------------------------------------------------------------------------


def test_it_refuses_a_conferral_for_an_inactive_union(tree, personas, tmp_path):
    chair = actor_of(personas.street_chair)
    Org.objects.filter(pk=tree.branch.pk).update(is_active=False)
    tree.branch.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        confer(tree.branch, chair)
    assert exc.value.message_dict["org"] == [f"“{tree.branch.name}”已停用，不能登记职工之家评定。"]
    orgs = [{"工会编码": "G1", "工会名称": tree.grassroots.name, "类型": "企业工会", "上级工会编码": "S1", "职工人数": 300}]
    home = [{"工会编码": tree.branch.code, "评定等级": "市级模范职工之家", "评定日期": "2025-06-18", "评定机关": "杭州市总工会"}]
    report = orgs_import(actor=chair, path=_workbook(tmp_path / "in.xlsx", orgs, home))
    assert any("已停用，不能登记职工之家评定" in m for _, m in report.errors), (report.file_error, report.errors)
    assert not HomeLevelAward.objects.exists()


def test_it_answers_a_concurrent_duplicate_conferral_in_chinese(tree, personas, monkeypatch):
    chair = actor_of(personas.street_chair)
    checked = services.clean_home_level(org=tree.grassroots, level=HomeLevel.CITY, conferred_on=D(2025, 6, 18),
                                        conferred_by="杭州市总工会")
    # the other request wrote the same conferral after this one's check had passed
    HomeLevelAward.objects.create(org=tree.grassroots, **checked)
    monkeypatch.setattr(services, "clean_home_level", lambda **kw: dict(checked))
    with pytest.raises(ValidationError) as exc:
        confer(tree.grassroots, chair)
    assert exc.value.message_dict["conferred_on"] == ["2025年6月18日的“市级模范职工之家”评定已登记。"]
    assert HomeLevelAward.objects.count() == 1


def test_it_shows_no_made_up_date_for_a_migrated_level(tree, personas, login):
    HomeLevelAward.objects.create(org=tree.grassroots, level=HomeLevel.CITY, conferred_on=D(2024, 3, 1),
                                  conferred_by="（原有等级，评定机关待补录）", date_unknown=True)
    Org.objects.filter(pk=tree.grassroots.pk).update(home_level=HomeLevel.CITY)
    page = login(personas.street_chair).get(f"/orgs/{tree.grassroots.pk}/").content.decode()
    header = page.split('data-testid="home-level">', 1)[1].split("</dd>", 1)[0]
    assert "日期待核实" in header and "2024年3月1日" not in header


def test_it_imports_conferrals_with_a_bounded_number_of_lookups(tree, personas, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chair = actor_of(personas.street_chair)
    orgs = [{"工会编码": "G1", "工会名称": tree.grassroots.name, "类型": "企业工会", "上级工会编码": "S1", "职工人数": 300}]

    def reimport(n):
        home = [{"工会编码": "G1", "评定等级": "区县级模范职工之家", "评定日期": f"20{10 + i}-12-10", "评定机关": "滨江区总工会"}
                for i in range(n)]
        path = _workbook(tmp_path / f"in{n}.xlsx", orgs, home)
        orgs_import(actor=chair, path=path)
        with CaptureQueriesContext(connection) as queries:
            report = orgs_import(actor=chair, path=path)
        assert report.errors == [] and report.unchanged == n + 1
        return len(queries)

    # rows already on file cost no query each (it was an org lookup and an exists() per row)
    assert reimport(2) == reimport(8)
    assert HomeLevelAward.objects.count() == 8

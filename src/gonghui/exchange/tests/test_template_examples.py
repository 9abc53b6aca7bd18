"""The example in an import template never becomes a record (issue 11).

Every registered kind's template keeps its data sheets empty below the header and shows
the example on the 填写说明 sheet. Copies of older templates, whose second row was the
example, still circulate: every importer refuses a row equal to the example with a
Chinese note, and imports the same row once one cell differs — so the example row is
refused for being the example, not for some other fault. The world below is set up so
that each kind's example would otherwise import (its member, its drive, its parent union).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from python_calamine import CalamineWorkbook

from gonghui.access.actor import Actor
from gonghui.assistance import sheets as assistance_sheets
from gonghui.assistance.models import AssistanceRecord, FamilyMember, Household
from gonghui.benefits import sheets as benefits_sheets
from gonghui.benefits.models import BenefitRecord, RuleSet
from gonghui.benefits.services import ruleset_choose
from gonghui.donations import services as donation_services
from gonghui.donations import sheets as donations_sheets
from gonghui.donations.models import Donation
from gonghui.exchange.models import ImportJob
from gonghui.exchange.registry import EXCHANGES
from gonghui.exchange.sheets import EXAMPLE_ROW, Column, XlsxWriter
from gonghui.members import sheets as member_sheets
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.orgs import sheets as org_sheets
from gonghui.orgs.models import HomeLevelAward, Kind, Org
from gonghui.testing.factories import OrgFactory

SYSTEM = Actor.system()
HEADER_ONLY = "文件中只有表头，没有数据行。"


@dataclass
class World:
    org: Org  # the union the import goes into
    count: Callable[[], int]  # records of the kind
    sheets: list[tuple[str, list[Column]]]  # the template's data sheets, in order
    changes: list[dict]  # per sheet: one cell that turns the example into a real row


def _example_member(tree) -> Member:
    return member_create(actor=SYSTEM, org=tree.grassroots, name="张三", id_number=assistance_sheets.EXAMPLE_ID,
                         joined_on=dt.date(2015, 5, 1))


def _orgs(tree) -> World:
    OrgFactory(parent=tree.district, code="JN-JD-01", name="示例街道工会", kind=Kind.STREET, employee_count=0)
    return World(tree.district, lambda: Org.objects.count() + HomeLevelAward.objects.count(),
                 [("数据", org_sheets.COLUMNS), (org_sheets.HOME_SHEET, org_sheets.HOME_COLUMNS)],
                 [{"address": "临江路1号"}, {"document_no": "杭工〔2025〕19号"}])


def _members(tree) -> World:
    return World(tree.grassroots, Member.objects.count, [("数据", member_sheets.COLUMNS)], [{"remarks": "新会员"}])


def _hardship(tree) -> World:
    _example_member(tree)
    return World(tree.grassroots, lambda: Household.objects.count() + FamilyMember.objects.count(),
                 [(assistance_sheets.HARDSHIP_SHEET, assistance_sheets.HARDSHIP_COLUMNS),
                  (assistance_sheets.FAMILY_SHEET, assistance_sheets.FAMILY_COLUMNS)],
                 [{"situation": "长期患病"}, {"health": "高血压"}])


def _assistance(tree) -> World:
    _example_member(tree)
    return World(tree.grassroots, AssistanceRecord.objects.count, [("数据", assistance_sheets.RECORD_COLUMNS)],
                 [{"handled_by": "王芳"}])


def _benefits(tree) -> World:
    ruleset_choose(actor=SYSTEM, org=tree.district, ruleset=RuleSet.objects.get(name="安徽2025标准"))
    _example_member(tree)
    return World(tree.grassroots, BenefitRecord.objects.count, [("会员慰问", benefits_sheets.COLUMNS)], [{"goods": "月饼"}])


def _donations(tree) -> World:
    _example_member(tree)
    donation_services.drive_create(actor=SYSTEM, org=tree.grassroots, name="抗震救灾爱心捐款", purpose="灾区",
                                   starts_on=dt.date(2025, 5, 1), ends_on=dt.date(2025, 5, 31))
    return World(tree.grassroots, Donation.objects.count, [("数据", donations_sheets.COLUMNS)], [{"note": "爱心"}])


def _activities(tree) -> World:
    from gonghui.activities.models import Activity
    from gonghui.activities.sheets import ACTIVITY_COLUMNS

    return World(tree.grassroots, Activity.objects.count, [("活动", ACTIVITY_COLUMNS)], [{"place": "职工之家"}])


def _attendance(tree) -> World:
    from django.utils import timezone

    from gonghui.activities.models import Activity, ActivityKind, Registration, Status
    from gonghui.activities.services import activity_create
    from gonghui.activities.sheets_attendance import ATTENDANCE_COLUMNS

    _example_member(tree)
    start = timezone.now() - dt.timedelta(days=2)
    held = activity_create(actor=SYSTEM, org=tree.grassroots, kind=ActivityKind.objects.get(code="sports"), title="职工趣味运动会",
                           starts_at=start, ends_at=start + dt.timedelta(hours=2), status=Status.DONE)
    Activity.objects.filter(pk=held.pk).update(code="HD0000042")  # the example's 活动编号
    return World(tree.grassroots, Registration.objects.count, [("参加人员", ATTENDANCE_COLUMNS)], [{"affiliation": "一车间"}])


WORLDS = {"orgs": _orgs, "members": _members, "hardship": _hardship, "assistance": _assistance, "benefits": _benefits,
          "donations": _donations, "activities": _activities, "attendance": _attendance}


def test_every_kind_that_imports_is_covered_here():
    assert {kind for kind, exchange in EXCHANGES.items() if exchange.importer} == set(WORLDS)


@pytest.fixture(params=sorted(WORLDS))
def kind(request) -> str:
    return request.param


@pytest.fixture
def world(kind, tree) -> World:
    return WORLDS[kind](tree)


def old_copy(path, world: World, *, changed: bool = False):
    """A copy of an older template: the example as the second row of each data sheet
    (with one cell changed when `changed`)."""
    out = XlsxWriter(path)
    for (name, columns), change in zip(world.sheets, world.changes, strict=True):
        ws = out.sheet(name, columns)
        out.write_row(ws, 1, columns, {c.key: c.example for c in columns} | (change if changed else {}))
    out.close()
    return path


def run(kind, world, path, mode):
    return EXCHANGES[kind].importer(actor=SYSTEM, path=path, org=world.org, mode=mode, dry_run=False)


def test_a_row_equal_to_the_example_is_refused_in_every_mode(kind, world, tmp_path):
    path = old_copy(tmp_path / "旧模板.xlsx", world)
    before = world.count()
    for mode in ("all", "valid"):
        report = run(kind, world, path, mode)
        assert world.count() == before, mode
        assert report.created == report.updated == 0 and not report.file_error
        assert report.rejected == len(world.sheets)  # each sheet's example row
        assert sum(EXAMPLE_ROW in message for _, message in report.errors) == len(world.sheets)
        assert all(row == 2 for row, _ in report.errors)


def test_the_same_row_with_one_cell_changed_imports(kind, world, tmp_path):
    """The example itself is a valid row: it is refused only for being the example."""
    before = world.count()
    report = run(kind, world, old_copy(tmp_path / "改过的.xlsx", world, changed=True), "all")
    assert report.ok and report.written and report.errors == []
    assert world.count() == before + len(world.sheets)


def test_the_template_has_no_example_row_and_shows_the_example_in_its_instructions(kind, world, tmp_path):
    book = CalamineWorkbook.from_path(str(EXCHANGES[kind].template(tmp_path / "t.xlsx")))
    assert book.sheet_names == [name for name, _ in world.sheets] + ["填写说明"]
    for name, columns in world.sheets:
        rows = book.get_sheet_by_name(name).to_python()
        assert [c.rstrip("*") for c in rows[0]] == [c.header for c in columns]
        assert all(cell == "" for row in rows[1:] for cell in row), name
    instructions = book.get_sheet_by_name("填写说明").to_python()
    shown = {}
    for row in instructions:
        if row[1] in ("必填", "选填"):
            shown.setdefault(row[0], []).append(row[2])
    heads = [row for row in instructions if row[0] == "列名"]
    assert heads and all(row[:4] == ["列名", "是否必填", "示例", "说明"] for row in heads)
    for _, columns in world.sheets:
        for c in columns:
            assert str(c.example) in shown[c.header], c.header


def test_the_downloaded_template_imported_unchanged_imports_nothing_and_says_why(kind, world, personas, login, tmp_path,
                                                                                   django_capture_on_commit_callbacks):
    exchange = EXCHANGES[kind]
    client = login(personas.district_admin)
    pages = ("/members/template.xlsx", "/members/import/") if kind == "members" else (
        f"/imports/{kind}/template.xlsx", f"/imports/{kind}/")
    download = client.get(pages[0])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    path = tmp_path / f"{exchange.label}导入模板.xlsx"
    path.write_bytes(b"".join(download.streaming_content))
    before = world.count()
    with open(path, "rb") as fh, django_capture_on_commit_callbacks(execute=True):
        client.post(pages[1], {"file": fh, "org_code": world.org.code})
    check = ImportJob.objects.get()
    assert (check.state, check.file_error, check.created, check.updated) == ("done", HEADER_ONLY, 0, 0)
    page = client.get(f"{pages[1]}{check.pk}/").content.decode()
    assert HEADER_ONLY in page and "确认导入" not in page
    assert world.count() == before

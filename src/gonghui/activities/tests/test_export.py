"""The `activities` and `attendance` exports: the import's columns (so a file comes back
unchanged), read-only figures, ID numbers masked unless a role that may see them asks,
scope, and an audit event each time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from gonghui.access.permissions import Role
from gonghui.activities import attendance, services
from gonghui.activities.models import Activity, CheckIn, Registration, Status
from gonghui.activities.sheets import activities_export, activities_import
from gonghui.activities.sheets_attendance import attendance_export, attendance_import
from gonghui.activities.tests.conftest import hours_from_now
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import actor_of, staff


def cells(path) -> list[list[str]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [[str(int(c)) if isinstance(c, float) and c.is_integer() else str(c) for c in r] for r in rows]


def column(path, header) -> list[str]:
    table = cells(path)
    i = [h.rstrip("*") for h in table[0]].index(header)
    return [r[i] for r in table[1:]]


@pytest.fixture
def training(tree, chair, people, make_activity):
    """A two-session training with a quiz: 张伟 at both sessions (score 88), 李芳 at the
    first only, 王一 signed up and absent, a resident at both; one more on the waiting list
    of a coming activity."""
    t = make_activity(code="training", title="安全生产培训班", starts=-50, length=2, status=Status.RUNNING, is_training=True,
                      quiz_name="安全知识考试", quiz_pass=60, place="会议室")
    second = services.session_add(actor=chair, activity=t, starts_at=hours_from_now(-26), ends_at=hours_from_now(-24), hours=2)
    first = t.sessions.get(seq=1)
    zhang = attendance.registration_add(actor=chair, activity=t, member=people.man)
    li = attendance.registration_add(actor=chair, activity=t, member=people.woman)
    attendance.registration_add(actor=chair, activity=t, member=people.others[0])
    for session in (first, second):
        attendance.checkin_record(actor=chair, session=session, registration=zhang)
        attendance.checkin_record(actor=chair, session=session, name="周大妈")
    attendance.checkin_record(actor=chair, session=first, registration=li)
    attendance.score_record(actor=chair, registration=zhang, score="88")
    coming = make_activity(title="周末郊游", starts=48, status=Status.OPEN, capacity=1)
    attendance.registration_add(actor=chair, activity=coming, member=people.others[1])
    attendance.registration_add(actor=chair, activity=coming, member=people.others[2])
    return t


def test_the_activities_export_reimports_unchanged_and_shows_the_figures(tree, chair, training, tmp_path):
    path = activities_export(actor=chair, org=tree.grassroots, path=tmp_path / "a.xlsx")
    assert column(path, "活动名称") == ["安全生产培训班", "周末郊游"]
    assert column(path, "报名人数（仅供查看）") == ["4", "1"]
    assert column(path, "签到人数（仅供查看）") == ["3", "0"]
    assert column(path, "人次（仅供查看）") == ["5", "0"]
    assert column(path, "学时")[0] == "4"  # two sessions of 2 hours each
    assert column(path, "活动编号")[0] == training.code and column(path, "状态") == ["进行中", "报名中"]
    before = list(Activity.objects.order_by("id").values())
    report = activities_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.written and (report.created, report.updated, report.unchanged) == (0, 0, 2), report.errors
    assert list(Activity.objects.order_by("id").values()) == before
    event = AuditEvent.objects.filter(action="activity.export").get()
    assert "导出2项活动" in event.message and event.org_id == tree.grassroots.pk


def test_the_attendance_export_masks_ids_and_reimports_unchanged(tree, chair, people, training, tmp_path):
    path = attendance_export(actor=chair, org=tree.grassroots, path=tmp_path / "p.xlsx")
    table = cells(path)
    flat = " ".join(" ".join(r) for r in table)
    for m in (people.man, people.woman):
        assert m.id_number not in flat and m.id_masked in flat
    names = column(path, "姓名")
    assert sorted(names) == sorted(["张伟", "李芳", "王一", "周大妈", "王二", "王三"])
    assert column(path, "场次")[names.index("李芳")] == "1"  # at the first session only
    assert column(path, "场次")[names.index("张伟")] == "" and column(path, "签到")[names.index("张伟")] == "是"
    assert column(path, "签到")[names.index("王一")] == "否"
    assert column(path, "成绩")[names.index("张伟")] == "88"
    assert column(path, "报名状态（仅供查看）")[names.index("王三")] == "候补"
    counts = Registration.objects.count(), CheckIn.objects.count()
    statuses = dict(Registration.objects.values_list("name", "status"))
    report = attendance_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.written and (report.created, report.updated, report.unchanged) == (0, 0, 6), report.errors
    assert (Registration.objects.count(), CheckIn.objects.count()) == counts
    assert dict(Registration.objects.values_list("name", "status")) == statuses
    event = AuditEvent.objects.get(action="attendance.export")
    assert "导出6条参加记录" in event.message and "身份证号已遮蔽" in event.message


def test_full_ids_only_for_a_role_that_may_reveal_them(tree, chair, people, training, tmp_path):
    officer = actor_of(staff(tree.grassroots, Role.OFFICER, username="ganshi"))
    with pytest.raises(PermissionDenied):
        attendance_export(actor=officer, org=tree.grassroots, path=tmp_path / "x.xlsx", reveal=True)
    path = attendance_export(actor=chair, org=tree.grassroots, path=tmp_path / "full.xlsx", reveal=True)
    assert people.man.id_number in column(path, "身份证号")
    assert "含完整身份证号" in AuditEvent.objects.get(action="attendance.export").message
    report = attendance_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.unchanged == 6


def test_one_activity_and_a_period(tree, chair, training, tmp_path):
    path = attendance_export(actor=chair, org=None, activity=training, path=tmp_path / "one.xlsx")
    assert set(column(path, "活动名称")) == {"安全生产培训班"}
    today = dt.date.today()
    path = activities_export(actor=chair, org=tree.grassroots, path=tmp_path / "p.xlsx", start=today + dt.timedelta(days=1),
                             end=today + dt.timedelta(days=3))
    assert column(path, "活动名称") == ["周末郊游"]
    path = activities_export(actor=chair, org=tree.branch, path=tmp_path / "s.xlsx", subtree=False)
    assert column(path, "活动名称") == []


def test_another_union_cannot_export(tree, personas, training, tmp_path):
    outsider = actor_of(personas.outsider)
    for export in (activities_export, attendance_export):
        with pytest.raises(PermissionDenied):
            export(actor=outsider, org=tree.grassroots, path=tmp_path / "x.xlsx")
    with pytest.raises(PermissionDenied):
        attendance_export(actor=outsider, org=None, activity=training, path=tmp_path / "x.xlsx")
    # their own union exports without a trace of ours
    path = attendance_export(actor=outsider, org=tree.sibling_street, path=tmp_path / "own.xlsx")
    assert column(path, "姓名") == []
    with pytest.raises(CommandError):
        call_command("export", "attendance", "--org", "G1", "--out", str(tmp_path / "y.xlsx"), "--as", "outsider")


def test_the_cli_exports_both_kinds(tree, training, tmp_path):
    call_command("export", "activities", "--org", "G1", "--out", str(tmp_path / "a.xlsx"), "--as", "grassroots_chair")
    call_command("export", "attendance", "--org", "S1", "--subtree", "--out", str(tmp_path / "p.xlsx"))
    assert column(tmp_path / "a.xlsx", "活动名称") == ["安全生产培训班", "周末郊游"]
    assert len(column(tmp_path / "p.xlsx", "姓名")) == 6

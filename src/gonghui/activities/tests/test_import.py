"""The `activities` and `attendance` imports: template → fill → import, every refusal in
Chinese, all-or-nothing, valid rows only, dry runs, idempotent re-imports, scope, the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.activities import services
from gonghui.activities.models import (
    Activity,
    CheckIn,
    Method,
    Partner,
    Registration,
    RegStatus,
    Source,
    Status,
    Target,
)
from gonghui.activities.sheets import ACTIVITY_COLUMNS, activities_import, activities_template, parse_when
from gonghui.activities.sheets_attendance import ATTENDANCE_COLUMNS, attendance_import, attendance_template
from gonghui.activities.tests.conftest import hours_from_now, kind
from gonghui.audit.models import AuditEvent
from gonghui.exchange.registry import EXCHANGES
from gonghui.exchange.sheets import CellError
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster

HEADERS = [c.header for c in ATTENDANCE_COLUMNS]
ACTIVITY_HEADERS = [c.header for c in ACTIVITY_COLUMNS]


def sheet(tmp_path, rows, headers=HEADERS, name="a.xlsx"):
    return write_roster(tmp_path / name, rows, headers)


def template_headers(path) -> list[str]:
    first = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0]
    return [str(h).rstrip("*") for h in first]


def member(actor, org, name, *, female=False, joined=dt.date(2020, 1, 1)):
    number = make_id(male=not female)
    return member_create(actor=actor, org=org, name=name, id_number=number, joined_on=joined), number


@pytest.fixture
def held(make_activity):
    """A sports day that took place yesterday (one session), with a quiz."""
    return make_activity(title="职工趣味运动会", starts=-26, length=3, status=Status.DONE, quiz_name="安全知识答卷", quiz_pass=60)


@pytest.fixture
def roster(tree, chair):
    zhang, zhang_id = member(chair, tree.grassroots, "张伟")
    li, li_id = member(chair, tree.branch, "李芳", female=True)
    return {"张伟": (zhang, zhang_id), "李芳": (li, li_id)}


def row(activity, name, number="", **extra):
    return {"活动编号": activity.code, "身份证号": number, "姓名": name, **extra}


# --- the round trip ------------------------------------------------------------------------------


def test_it_imports_activities_then_their_attendance_from_the_templates(tree, chair, roster, tmp_path):
    activities_template(tmp_path / "t1.xlsx")
    attendance_template(tmp_path / "t2.xlsx")
    a_headers = template_headers(tmp_path / "t1.xlsx")
    assert a_headers == ACTIVITY_HEADERS
    last_week = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    path = sheet(tmp_path, [
        {"活动类型": "培训讲座", "活动名称": "女职工权益保护讲座", "开始时间": f"{last_week} 14:00", "结束时间": f"{last_week} 16:30",
         "地点": "工会活动室", "参加对象": "女职工", "名额": 60, "费用": "1,200", "经费来源": "工会经费", "培训班": "是",
         "学时": "2.5", "答卷名称": "妇女权益保障法知识答卷", "及格分": "60", "合作单位": "市妇联、市第一人民医院"},
        {"组织工会编码": "B1", "活动类型": "health", "活动名称": "健康义诊", "开始时间": last_week, "其他受益人数": 80,
         "合作单位": "市第一人民医院"},
    ], a_headers, name="acts.xlsx")
    report = activities_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.written and report.created == 2, report.errors
    lecture = Activity.objects.get(title="女职工权益保护讲座")
    clinic = Activity.objects.get(title="健康义诊")
    assert lecture.status == Status.DONE and lecture.is_training and lecture.target == Target.WOMEN and lecture.capacity == 60
    assert lecture.cost == Decimal("1200") and lecture.quiz_pass == Decimal("60") and lecture.sessions.get().hours == Decimal("2.5")
    local = timezone.localtime(lecture.starts_at)
    assert (local.hour, local.minute) == (14, 0)
    assert clinic.org == tree.branch and clinic.beneficiaries == 80
    clinic_start, clinic_end = timezone.localtime(clinic.starts_at), timezone.localtime(clinic.ends_at)
    assert (clinic_start.hour, clinic_end.hour, clinic_end.minute) == (0, 23, 59)
    # One partner directory entry each, the hospital reused by the second row.
    assert sorted(Partner.objects.values_list("name", flat=True)) == ["市妇联", "市第一人民医院"]
    assert sorted(p.name for p in lecture.partners.all()) == ["市妇联", "市第一人民医院"]

    li, li_id = roster["李芳"]
    headers = template_headers(tmp_path / "t2.xlsx")
    assert headers == HEADERS
    path = sheet(tmp_path, [
        {"活动编号": lecture.code, "身份证号": li_id, "姓名": "李芳", "成绩": "92"},
        {"活动名称": "女职工权益保护讲座", "开始日期": last_week, "姓名": "赵敏", "单位/身份": "社区居民", "性别": "女", "成绩": "55"},
        {"活动编号": clinic.code.lower(), "姓名": "钱大爷", "单位/身份": "辖区居民"},
    ], headers, name="people.xlsx")
    members_before = Member.objects.count()
    report = attendance_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.written and report.created == 3, report.errors
    assert Member.objects.count() == members_before  # non-members are never made members
    reg = Registration.objects.get(activity=lecture, member=li)
    assert reg.status == RegStatus.REGISTERED and reg.source == Source.IMPORT and reg.score == Decimal("92") and reg.passed
    guest = Registration.objects.get(activity=lecture, name="赵敏")
    assert guest.member is None and guest.gender == "F" and guest.affiliation == "社区居民" and guest.passed is False
    assert guest.unit == tree.grassroots and guest.unit_path == tree.grassroots.path
    checkins = CheckIn.objects.filter(activity=lecture)
    assert checkins.count() == 2 and {c.method for c in checkins} == {Method.IMPORT}
    # The check-in is dated when the session took place, not when it was imported.
    assert all(c.at == lecture.sessions.get().starts_at for c in checkins)
    assert CheckIn.objects.filter(activity=clinic).count() == 1
    assert reg.unit == tree.branch  # figures by branch follow the member's union
    events = AuditEvent.objects.filter(action="attendance.import")
    assert events.count() == 1 and events.get().result == "success" and "签到3人次" in events.get().message
    assert not AuditEvent.objects.filter(action__in=("registration.add", "checkin.record")).exists()


def test_it_changes_nothing_when_the_same_files_come_again(tree, chair, roster, held, tmp_path):
    zhang, zhang_id = roster["张伟"]
    path = sheet(tmp_path, [row(held, "张伟", zhang_id, 成绩="88"), row(held, "钱大爷")])
    first = attendance_import(actor=chair, path=path, org=tree.grassroots)
    assert first.written and first.created == 2
    counts = Registration.objects.count(), CheckIn.objects.count()
    again = attendance_import(actor=chair, path=path, org=tree.grassroots)
    assert again.written and again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (Registration.objects.count(), CheckIn.objects.count()) == counts

    acts = sheet(tmp_path, [{"活动类型": "文体活动", "活动名称": "拔河比赛", "开始时间": "2025-05-01 09:00", "结束时间": "2025-05-01 11:00"}],
                 ACTIVITY_HEADERS, name="acts.xlsx")
    assert activities_import(actor=chair, path=acts, org=tree.grassroots).created == 1
    again = activities_import(actor=chair, path=acts, org=tree.grassroots)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1) and again.written
    assert Activity.objects.filter(title="拔河比赛").count() == 1


def test_a_later_file_adds_sessions_scores_and_takes_up_a_cancelled_place(tree, chair, roster, make_activity, tmp_path):
    zhang, zhang_id = roster["张伟"]
    training = make_activity(code="training", title="职工代表培训班", starts=-72, length=2, status=Status.RUNNING,
                             is_training=True, quiz_name="结业考试")
    services.session_add(actor=chair, activity=training, starts_at=hours_from_now(-48), ends_at=hours_from_now(-46), hours=2)
    services.session_add(actor=chair, activity=training, starts_at=hours_from_now(-24), ends_at=hours_from_now(-22), hours=2)
    first = attendance_import(actor=chair, org=tree.grassroots, path=sheet(tmp_path, [
        {**row(training, "张伟", zhang_id), "场次": 1}], name="1.xlsx"))
    assert first.created == 1 and CheckIn.objects.count() == 1
    reg = Registration.objects.get()
    Registration.objects.filter(pk=reg.pk).update(status=RegStatus.CANCELLED)  # cancelled meanwhile (no check-in rule here)
    second = attendance_import(actor=chair, org=tree.grassroots, path=sheet(tmp_path, [
        {**row(training, "张伟", zhang_id), "成绩": "78.5"}], name="2.xlsx"))
    assert second.ok and (second.created, second.updated) == (0, 1)
    reg.refresh_from_db()
    assert reg.status == RegStatus.REGISTERED and reg.score == Decimal("78.5") and reg.cancelled_at is None
    assert sorted(CheckIn.objects.values_list("session__seq", flat=True)) == [1, 2, 3]


# --- refusals ---------------------------------------------------------------------------------------


@pytest.fixture
def cases(tree, chair, personas, roster, held, make_activity):
    """The activities and people each bad row needs."""
    other_actor = actor_of(personas.outsider)
    stranger, stranger_id = member(other_actor, tree.sibling_grassroots, "孙强")
    branch_day = make_activity(title="一车间读书会", starts=-30, status=Status.DONE, target=Target.BRANCH, target_org=tree.branch)
    future = make_activity(title="明日登山", starts=48, status=Status.OPEN)
    cancelled = make_activity(title="取消的活动", starts=24, status=Status.OPEN)
    services.activity_set_status(actor=chair, activity=cancelled, status=Status.CANCELLED, reason="天气原因")
    planned = make_activity(title="计划中的活动", starts=24, status=Status.PLANNED)
    twin_start = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=3), dt.time(10)))
    for n in range(2):
        services.activity_create(actor=chair, org=tree.grassroots, kind=kind("reading"), title="读书分享会",
                                 starts_at=twin_start + dt.timedelta(hours=n), ends_at=twin_start + dt.timedelta(hours=n + 1),
                                 status=Status.DONE)
    no_quiz = make_activity(title="没有答卷的活动", starts=-30, status=Status.DONE)
    return {"held": held, "branch_day": branch_day, "future": future, "cancelled": cancelled, "planned": planned,
            "twin_day": timezone.localtime(twin_start).date().isoformat(), "no_quiz": no_quiz,
            "stranger_id": stranger_id, **{k: v[1] for k, v in roster.items()}}


def bad_row(case: str, c: dict) -> tuple[list[dict], str]:
    held = c["held"]
    good = row(held, "张伟", c["张伟"])
    return {
        "unknown activity": ([good, {"活动编号": "HD9999999", "姓名": "钱大爷"}], "找不到活动编号“HD9999999”"),
        "unknown title": ([good, {"活动名称": "不存在的活动", "开始日期": "2025-01-01", "姓名": "钱大爷"}], "找不到2025-01-01开始的活动"),
        "ambiguous title and date": ([good, {"活动名称": "读书分享会", "开始日期": c["twin_day"], "姓名": "钱大爷"}], "请填写活动编号"),
        "title without date": ([good, {"活动名称": "读书分享会", "姓名": "钱大爷"}], "同时填写活动名称和开始日期"),
        "bad check digit": ([good, row(held, "李芳", c["李芳"][:-1] + ("0" if c["李芳"][-1] != "0" else "1"))], "校验位不符"),
        "unknown member": ([good, row(held, "周六", make_id())], "找不到该身份证号的会员"),
        "member of another union": ([good, row(held, "孙强", c["stranger_id"])], "找不到该身份证号的会员"),
        "name differs from the roster": ([good, row(held, "张三", c["张伟"])], "姓名与会员名册不一致（名册中为“张伟”）"),
        "branch-only activity": ([good, row(c["branch_day"], "张伟", c["张伟"])], "张伟：该活动只面向“一车间分会”的会员"),
        "future session": ([good, {**row(c["future"], "张伟", c["张伟"]), "签到": "是"}], "第1场尚未开始，不能签到"),
        "cancelled activity": ([good, row(c["cancelled"], "张伟", c["张伟"])], "已取消，不能导入参加人员"),
        "planned activity": ([good, row(c["planned"], "张伟", c["张伟"])], "还在计划中"),
        "duplicate row": ([good, dict(good)], "与第2行重复"),
        "missing session": ([good, {**row(held, "李芳", c["李芳"]), "场次": 3}], "没有第3场"),
        "score without a quiz": ([good, {**row(c["no_quiz"], "张伟", c["张伟"]), "成绩": "90"}], "该活动没有设置答卷或考试"),
        "score out of range": ([good, {**row(held, "李芳", c["李芳"]), "成绩": "1001"}], "成绩应在0到1000之间"),
        "two scores for one person": ([good | {"成绩": "80"}, {**row(held, "张伟", c["张伟"]), "场次": 1, "成绩": "70"}],
                                      "第1场与第2行重复"),
        "bad yes/no": ([good, {**row(held, "李芳", c["李芳"]), "签到": "也许"}], "应填“是”或“否”"),
        "formula": ([good, {**row(held, "=HYPERLINK(1)")}], "公式"),
        "no name": ([good, {"活动编号": held.code, "单位/身份": "社区"}], "“姓名”不能为空"),
        "masked ID not on the list": ([good, row(held, "李芳", c["李芳"][:6] + "********" + c["李芳"][-4:])], "身份证号已遮蔽"),
    }[case]


@pytest.mark.parametrize("case", [
    "unknown activity", "unknown title", "ambiguous title and date", "title without date", "bad check digit", "unknown member",
    "member of another union", "name differs from the roster", "branch-only activity", "future session", "cancelled activity",
    "planned activity", "duplicate row", "missing session", "score without a quiz", "score out of range",
    "two scores for one person", "bad yes/no", "formula", "no name", "masked ID not on the list",
])
def test_a_bad_row_is_explained_in_chinese_and_nothing_is_written(tree, chair, cases, tmp_path, case):
    rows, fragment = bad_row(case, cases)
    report = attendance_import(actor=chair, path=sheet(tmp_path, rows), org=tree.grassroots)
    assert not report.written and report.rejected == 1, report.errors
    assert [n for n, _ in report.errors] == [3] and any(fragment in m for _, m in report.errors), report.errors
    assert not Registration.objects.exists() and not CheckIn.objects.exists()
    event = AuditEvent.objects.filter(action="attendance.import").get()
    assert event.result == "failure" and "有1行错误" in event.message


def test_a_member_outside_the_chosen_union_is_refused(tree, personas, chair, roster, make_activity, tmp_path):
    """The district's administrator sees both streets, but rows imported into 临江精机工会
    must be its people."""
    admin = actor_of(personas.district_admin)
    stranger, stranger_id = member(actor_of(personas.outsider), tree.sibling_grassroots, "孙强")
    day = make_activity(title="篮球赛", starts=-30, status=Status.DONE)
    report = attendance_import(actor=admin, path=sheet(tmp_path, [row(day, "孙强", stranger_id)]), org=tree.grassroots)
    assert report.errors == [(2, "会员孙强不属于“临江精机工会”或其下级工会。")]
    outside = make_activity(org=tree.sibling_grassroots, actor=actor_of(personas.outsider), title="望湖篮球赛", starts=-30,
                            status=Status.DONE)
    report = attendance_import(actor=admin, path=sheet(tmp_path, [row(outside, "孙强", stranger_id)]), org=tree.grassroots)
    assert any("找不到活动编号" in m and "临江精机工会" in m for _, m in report.errors), report.errors
    assert not Registration.objects.exists()


def test_the_delegates_activity_is_the_staffs_call_but_not_beyond_the_subtree(tree, chair, roster, make_activity, tmp_path):
    delegates = make_activity(title="职代会代表培训", starts=-30, status=Status.DONE, target=Target.DELEGATES)
    zhang, zhang_id = roster["张伟"]
    report = attendance_import(actor=chair, path=sheet(tmp_path, [row(delegates, "张伟", zhang_id)]), org=tree.grassroots)
    assert report.ok and report.created == 1


def test_valid_mode_writes_the_good_rows_and_reports_the_bad(tree, chair, cases, tmp_path):
    held = cases["held"]
    path = sheet(tmp_path, [row(held, "张伟", cases["张伟"]), row(cases["cancelled"], "李芳", cases["李芳"]), row(held, "钱大爷")])
    report = attendance_import(actor=chair, path=path, org=tree.grassroots, mode="valid")
    assert report.written and report.created == 2 and report.rejected == 1 and report.errors[0][0] == 3
    assert sorted(Registration.objects.values_list("name", flat=True)) == ["张伟", "钱大爷"]
    assert "拒绝1" in AuditEvent.objects.get(action="attendance.import").message


def test_a_dry_run_predicts_each_outcome_and_writes_nothing(tree, chair, roster, held, tmp_path):
    zhang, zhang_id = roster["张伟"]
    attendance_import(actor=chair, path=sheet(tmp_path, [row(held, "张伟", zhang_id)], name="1.xlsx"), org=tree.grassroots)
    before = Registration.objects.count(), CheckIn.objects.count(), AuditEvent.objects.count()
    path = sheet(tmp_path, [row(held, "张伟", zhang_id), {**row(held, "张伟", zhang_id), "场次": ""} | {"成绩": "95"},
                            row(held, "钱大爷")], name="2.xlsx")
    report = attendance_import(actor=chair, path=path, org=tree.grassroots, dry_run=True)
    assert report.dry_run and not report.written
    assert any("与第2行重复" in m for _, m in report.errors)  # the same person and session twice
    path = sheet(tmp_path, [{**row(held, "张伟", zhang_id), "成绩": "95"}, row(held, "钱大爷")], name="3.xlsx")
    report = attendance_import(actor=chair, path=path, org=tree.grassroots, dry_run=True)
    assert report.ok and (report.created, report.updated, report.unchanged) == (1, 1, 0) and not report.written
    assert (Registration.objects.count(), CheckIn.objects.count(), AuditEvent.objects.count()) == before
    assert Registration.objects.get(name="张伟").score is None


def test_capacity_holds_for_sign_ups_but_not_for_the_record_of_who_came(tree, chair, make_activity, tmp_path):
    coming = make_activity(title="周末郊游", starts=48, status=Status.OPEN, capacity=2)
    names = ["甲", "乙", "丙"]
    report = attendance_import(actor=chair, path=sheet(tmp_path, [row(coming, n) for n in names], name="1.xlsx"), org=tree.grassroots)
    assert report.written and report.created == 3
    assert dict(Registration.objects.filter(activity=coming).values_list("name", "status")) == {
        "甲": RegStatus.REGISTERED, "乙": RegStatus.REGISTERED, "丙": RegStatus.WAITLIST}
    assert report.warnings == [(4, "“周末郊游”名额已满，丙列入候补名单。")]
    assert not CheckIn.objects.filter(activity=coming).exists()  # blank 签到 before the start: signed up only
    done = make_activity(title="已办的郊游", starts=-30, status=Status.DONE, capacity=2)
    report = attendance_import(actor=chair, path=sheet(tmp_path, [row(done, n) for n in names], name="2.xlsx"), org=tree.grassroots)
    assert report.created == 3 and not report.warnings
    assert set(Registration.objects.filter(activity=done).values_list("status", flat=True)) == {RegStatus.REGISTERED}
    assert CheckIn.objects.filter(activity=done).count() == 3


def test_an_outsider_cannot_import_into_another_union(tree, personas, roster, held, tmp_path):
    outsider = actor_of(personas.outsider)
    path = sheet(tmp_path, [row(held, "张伟", roster["张伟"][1])])
    report = attendance_import(actor=outsider, path=path, org=tree.grassroots)
    assert report.file_error and not report.written
    report = attendance_import(actor=outsider, path=path, org=tree.sibling_street)
    assert not report.written and "找不到活动编号" in report.errors[0][1]
    assert activities_import(actor=outsider, path=path, org=tree.grassroots).file_error
    assert not Registration.objects.exists()
    with pytest.raises(CommandError, match="找不到工会编码"):
        call_command("import", "attendance", str(path), "--org", "G1", "--as", "outsider")


def test_a_role_without_the_permission_is_refused(tree, personas, roster, held, tmp_path):
    from gonghui.access.permissions import Role
    from gonghui.testing.factories import staff

    viewer = actor_of(staff(tree.grassroots, Role.FINANCE, username="caiwu"))
    report = attendance_import(actor=viewer, path=sheet(tmp_path, [row(held, "钱大爷")]), org=tree.grassroots)
    assert report.file_error and not Registration.objects.exists()


def test_the_cli_imports_attendance_as_a_user(tree, chair, personas, roster, held, tmp_path, capsys):
    call_command("template", "attendance", "--out", str(tmp_path / "t.xlsx"))
    assert template_headers(tmp_path / "t.xlsx") == HEADERS
    path = sheet(tmp_path, [row(held, "张伟", roster["张伟"][1]), row(held, "钱大爷")])
    call_command("import", "attendance", str(path), "--org", "G1", "--as", "grassroots_chair", "--dry-run")
    assert not Registration.objects.exists()
    call_command("import", "attendance", str(path), "--org", "G1", "--as", "grassroots_chair")
    assert "新建 2" in capsys.readouterr().out
    assert Registration.objects.count() == 2
    assert AuditEvent.objects.get(action="attendance.import").username == "grassroots_chair"


def test_both_kinds_are_registered_for_the_web_import_pages():
    for name in ("activities", "attendance"):
        exchange = EXCHANGES[name]
        assert exchange.web_import and exchange.import_perm == "activities.manage" and exchange.list_page == "activities:home"


def test_the_web_import_checks_then_imports_through_the_worker(tree, personas, login, roster, held, tmp_path,
                                                             django_capture_on_commit_callbacks):
    from gonghui.exchange.models import ImportJob

    client = login(personas.grassroots_chair)
    path = sheet(tmp_path, [row(held, "张伟", roster["张伟"][1]), row(held, "钱大爷")])
    page = client.get("/imports/attendance/")
    assert page.status_code == 200 and "批量导入活动参加人员" in page.content.decode()
    with open(path, "rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/attendance/", {"file": fh, "org_code": "G1"})
    check = ImportJob.objects.get(kind="attendance")
    assert response.status_code == 302 and response.url == f"/imports/attendance/{check.pk}/"
    assert (check.dry_run, check.state, check.created, check.rejected) == (True, "done", 2, 0)
    assert not Registration.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/attendance/{check.pk}/confirm/", {"mode": "all"})
    final = ImportJob.objects.latest("id")
    assert (final.dry_run, final.written, final.created) == (False, True, 2) and Registration.objects.count() == 2
    assert login(personas.outsider).get(f"/imports/attendance/{check.pk}/").status_code == 404


# --- activities ---------------------------------------------------------------------------------------


def test_activity_rows_update_by_code_and_keep_blank_cells(tree, chair, make_activity, tmp_path):
    day = make_activity(title="书法比赛", starts=-48, length=2, status=Status.DONE, place="礼堂", capacity=50)
    start = timezone.localtime(day.starts_at).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(day.ends_at).strftime("%Y-%m-%d %H:%M")
    path = sheet(tmp_path, [{"活动编号": day.code, "活动类型": "sports", "活动名称": "职工书法比赛", "开始时间": start, "结束时间": end,
                             "活动报道": "共有30名职工参赛。\n评出一等奖2名。"}], ACTIVITY_HEADERS)
    report = activities_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok and report.updated == 1, report.errors
    day.refresh_from_db()
    assert day.title == "职工书法比赛" and day.place == "礼堂" and day.capacity == 50 and day.report == "共有30名职工参赛。\n评出一等奖2名。"
    again = activities_import(actor=chair, path=path, org=tree.grassroots)
    assert again.unchanged == 1 and again.updated == 0


@pytest.mark.parametrize("change, fragment", [
    ({"活动类型": "打麻将"}, "活动类型“打麻将”不存在"),
    ({"开始时间": "2025-13-01 09:00"}, "不是存在的日期"),
    ({"开始时间": "明天上午"}, "无法识别"),
    ({"开始时间": "2025-05-01 09:00", "结束时间": ""}, "请填写“结束时间”"),
    ({"结束时间": "2025-04-30 09:00"}, "结束时间不能早于开始时间"),
    ({"组织工会编码": "G2"}, "找不到工会编码“G2”"),
    ({"活动编号": "HD9999999"}, "找不到活动编号“HD9999999”"),
    ({"参加对象": "指定分会"}, "请填写“指定分会编码”"),
    ({"状态": "已取消"}, "不能通过导入取消活动"),
    ({"开始时间": "2099-05-01 09:00", "结束时间": "2099-05-01 10:00", "状态": "已结束"}, "尚未开始，不能标记为已结束"),
    ({"学时": "30"}, "学时应在0到24之间"),
    ({"名额": "-5"}, "名额应为1至"),
    ({"及格分": "60"}, "请填写答卷/考试名称"),
])
def test_a_bad_activity_row_is_refused_in_chinese(tree, chair, tmp_path, change, fragment):
    good = {"活动类型": "文体活动", "活动名称": "拔河比赛", "开始时间": "2025-05-01 09:00", "结束时间": "2025-05-01 11:00"}
    path = sheet(tmp_path, [good | {"活动名称": "跳绳比赛"}, good | change], ACTIVITY_HEADERS)
    report = activities_import(actor=chair, path=path, org=tree.grassroots)
    assert not report.written and any(n == 3 and fragment in m for n, m in report.errors), report.errors
    assert not Activity.objects.exists() and not Partner.objects.exists()
    valid = activities_import(actor=chair, path=path, org=tree.grassroots, mode="valid")
    assert valid.written and valid.created == 1 and list(Activity.objects.values_list("title", flat=True)) == ["跳绳比赛"]


def test_an_activity_check_rehearses_and_rolls_back(tree, chair, tmp_path):
    path = sheet(tmp_path, [{"活动类型": "文体活动", "活动名称": "拔河比赛", "开始时间": "2025-05-01", "合作单位": "某体育馆"}],
                 ACTIVITY_HEADERS)
    events = AuditEvent.objects.count()
    report = activities_import(actor=chair, path=path, org=tree.grassroots, dry_run=True)
    assert report.ok and report.created == 1 and not report.written
    assert not Activity.objects.exists() and not Partner.objects.exists() and AuditEvent.objects.count() == events


def test_the_same_activity_twice_in_a_file_is_refused(tree, chair, tmp_path):
    good = {"活动类型": "文体活动", "活动名称": "拔河比赛", "开始时间": "2025-05-01 09:00", "结束时间": "2025-05-01 11:00"}
    report = activities_import(actor=chair, path=sheet(tmp_path, [good, good], ACTIVITY_HEADERS), org=tree.grassroots)
    assert report.errors == [(3, "与第2行是同一活动（同一组织工会、同名、开始时间相同）。")]


@pytest.mark.parametrize("text, expected", [
    ("2026-05-01 09:00", (dt.datetime(2026, 5, 1, 9, 0), True)),
    ("2026/5/1 9:05", (dt.datetime(2026, 5, 1, 9, 5), True)),
    ("2026年5月1日 14:30", (dt.datetime(2026, 5, 1, 14, 30), True)),
    ("2026-05-01 09:00:00", (dt.datetime(2026, 5, 1, 9, 0), True)),
    ("2026-05-01", (dt.datetime(2026, 5, 1), False)),
    ("20260501", (dt.datetime(2026, 5, 1), False)),
    ("46143.375", (dt.datetime(2026, 5, 1, 9, 0), True)),
    ("46143", (dt.datetime(2026, 5, 1), False)),
])
def test_dates_and_times_are_read_as_people_write_them(text, expected):
    assert parse_when(text, "开始时间") == expected


def test_an_excel_datetime_cell_is_read(tree, chair, tmp_path):
    import xlsxwriter

    path = tmp_path / "dt.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for i, h in enumerate(["活动类型", "活动名称", "开始时间", "结束时间"]):
        ws.write_string(0, i, h)
    ws.write_string(1, 0, "文体活动")
    ws.write_string(1, 1, "拔河比赛")
    ws.write_datetime(1, 2, dt.datetime(2025, 5, 1, 9, 30), fmt)
    ws.write_datetime(1, 3, dt.datetime(2025, 5, 1, 11, 0), fmt)
    book.close()
    report = activities_import(actor=chair, path=path, org=tree.grassroots)
    assert report.ok, report.errors
    start = timezone.localtime(Activity.objects.get().starts_at)
    assert (start.date(), start.hour, start.minute) == (dt.date(2025, 5, 1), 9, 30)


def test_bad_time_text_is_a_cell_error():
    with pytest.raises(CellError):
        parse_when("2026-02-30", "开始时间")


def test_rows_of_one_person_in_different_chunks_are_written_whole(tree, chair, roster, make_activity, tmp_path, monkeypatch):
    """The import checks and writes a big file chunk by chunk: a registration written with
    one chunk still takes the check-ins, score and place a later chunk gives it."""
    from gonghui.activities import sheets_attendance

    monkeypatch.setattr(sheets_attendance, "CHUNK_ROWS", 2)
    zhang, zhang_id = roster["张伟"]
    training = make_activity(code="training", title="班组长培训班", starts=-72, length=2, status=Status.OPEN, capacity=1,
                             quiz_name="结业考试")
    services.session_add(actor=chair, activity=training, starts_at=hours_from_now(-48), ends_at=hours_from_now(-46), hours=2)
    coming = make_activity(title="下周参观", starts=100, status=Status.OPEN, capacity=1)
    rows = [row(coming, "甲"), row(coming, "乙"),  # 乙 waits for a place
            {**row(training, "张伟", zhang_id), "场次": 1}, row(training, "丙", 签到="否"),
            {**row(training, "张伟", zhang_id), "场次": 2, "成绩": "90"}, {**row(training, "丙"), "场次": 2, "签到": "是"}]
    report = attendance_import(actor=chair, path=sheet(tmp_path, rows), org=tree.grassroots)
    assert report.ok and report.written and (report.created, report.updated) == (4, 2), report.errors
    zhang_reg = Registration.objects.get(activity=training, member=zhang)
    assert zhang_reg.score == Decimal("90") and sorted(zhang_reg.checkins.values_list("session__seq", flat=True)) == [1, 2]
    # 丙 signed up beyond the one place, then came to the second session: a place, as at the door
    guest = Registration.objects.get(activity=training, name="丙")
    assert guest.status == RegStatus.REGISTERED and list(guest.checkins.values_list("session__seq", flat=True)) == [2]
    assert dict(Registration.objects.filter(activity=coming).values_list("name", "status")) == {
        "甲": RegStatus.REGISTERED, "乙": RegStatus.WAITLIST}
    again = attendance_import(actor=chair, path=sheet(tmp_path, rows, name="b.xlsx"), org=tree.grassroots)
    assert again.ok and again.unchanged == 6


def test_a_bad_row_in_a_later_chunk_leaves_nothing_written(tree, chair, roster, held, tmp_path, monkeypatch):
    """On PostgreSQL the chunks before a bad one are already written when it is found: all
    of it is rolled back; valid mode keeps them."""
    from gonghui.activities import sheets_attendance

    monkeypatch.setattr(sheets_attendance, "CHUNK_ROWS", 1)
    rows = [row(held, "甲"), row(held, "乙"), row(held, "张伟", roster["张伟"][1]), row(held, "丙", make_id())]
    report = attendance_import(actor=chair, path=sheet(tmp_path, rows), org=tree.grassroots)
    assert not report.written and report.errors == [(5, "找不到该身份证号的会员（须为您管辖范围内的会员）。")]
    assert not Registration.objects.exists() and not CheckIn.objects.exists()
    report = attendance_import(actor=chair, path=sheet(tmp_path, rows), org=tree.grassroots, mode="valid")
    assert report.written and report.created == 3 and Registration.objects.count() == 3 and CheckIn.objects.count() == 3


def test_the_cli_templates_and_imports_activities(tree, personas, tmp_path, capsys):
    call_command("template", "activities", "--out", str(tmp_path / "t.xlsx"))
    assert template_headers(tmp_path / "t.xlsx") == ACTIVITY_HEADERS
    path = sheet(tmp_path, [{"活动类型": "读书活动", "活动名称": "读书分享会", "开始时间": "2025-04-23 14:00", "结束时间": "2025-04-23 16:00",
                             "组织工会编码": "B1"}], ACTIVITY_HEADERS)
    call_command("import", "activities", str(path), "--org", "G1", "--as", "grassroots_chair")
    assert "新建 1" in capsys.readouterr().out
    assert Activity.objects.get().org == tree.branch
    with pytest.raises(CommandError, match="找不到工会编码"):
        call_command("import", "activities", str(path), "--org", "G1", "--as", "outsider")


def test_a_registration_made_meanwhile_elsewhere_stops_the_import_in_chinese(tree, chair, roster, held, tmp_path, monkeypatch):
    """Between reading what is on file and writing, another session signs up someone of the
    file (simulated: the import does not see the registration already there): the write
    meets the unique constraint, nothing of the file is written, and the report says why."""
    from gonghui.activities import attendance, sheets_attendance

    zhang, zhang_id = roster["张伟"]
    attendance.registration_add(actor=chair, activity=held, member=zhang)
    original = sheets_attendance._State.add

    def blind(self, aids, *, lock):
        original(self, aids, lock=lock)
        self.regs.clear()

    monkeypatch.setattr(sheets_attendance._State, "add", blind)
    monkeypatch.setattr(sheets_attendance, "CHUNK_ROWS", 1)
    rows = [row(held, "甲"), row(held, "张伟", zhang_id), row(held, "乙")]
    report = attendance_import(actor=chair, path=sheet(tmp_path, rows), org=tree.grassroots)
    assert not report.written and report.file_error == "导入期间另有人为文件中的人员报名或签到，未写入任何数据，请重新导入。"
    assert list(Registration.objects.values_list("name", flat=True)) == ["张伟"] and not CheckIn.objects.exists()
    assert AuditEvent.objects.filter(action="attendance.import").get().result == "failure"

"""The staff activity pages: list, export, calendar, the activity form and page, status,
sessions, partners and kinds — for the grassroots chair, an outsider and a member."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.activities import attendance, services
from gonghui.activities.models import Activity, ActivityKind, Partner, Session, Status
from gonghui.activities.tests.conftest import hours_from_now, kind
from gonghui.testing.factories import staff

LOCAL = "%Y-%m-%dT%H:%M"


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime(LOCAL)


def form_data(tree, **changes) -> dict:
    data = {"org_code": "G1", "kind": str(kind("sports").pk), "title": "迎新春职工趣味运动会",
            "starts_at": local(hours_from_now(24)), "ends_at": local(hours_from_now(27)), "place": "厂区操场",
            "status": "open", "target": "all", "funding": "union", "cost": "1200", "capacity": "", "beneficiaries": "",
            "quiz_pass": "", "report": ""}
    data.update(changes)
    return data


@pytest.fixture
def chair_client(personas, login):
    return login(personas.grassroots_chair)


# --- the list -----------------------------------------------------------------------------------


def test_it_lists_the_subtree_with_figures_from_one_query_per_page(make_activity, people, chair, chair_client, tree):
    a = make_activity(title="职工篮球赛", starts=-1, length=3, status=Status.RUNNING, capacity=10)
    b = make_activity(org=tree.branch, title="车间读书会", code="reading", starts=48)
    regs = [attendance.registration_add(actor=chair, activity=a, member=m) for m in people.others[:3]]
    session = a.sessions.get()
    for r in regs[:2]:
        attendance.checkin_record(actor=chair, session=session, registration=r)
    services.session_add(actor=chair, activity=a, starts_at=hours_from_now(-1), ends_at=hours_from_now(0))
    attendance.checkin_record(actor=chair, session=a.sessions.get(seq=2), registration=regs[0])

    text = chair_client.get("/activities/").content.decode()
    assert a.code in text and b.code in text and "车间读书会" in text and "一车间分会" in text
    row = re.search(r"职工篮球赛.*?</tr>", text, re.S).group(0)
    cells = [c.strip() for c in re.findall(r'<td class="text-end">(.*?)</td>', row, re.S)]
    assert cells == ['3<span class="text-muted">/10</span>', "2", "3"]  # registered/capacity, people, 人次

    with CaptureQueriesContext(connection) as few:
        chair_client.get("/activities/")
    for n in range(6):
        make_activity(title=f"加场{n}", starts=100 + n)
    with CaptureQueriesContext(connection) as many:
        chair_client.get("/activities/")
    assert len(many) == len(few)  # figures are not fetched row by row


def test_it_filters_the_list_and_refuses_a_union_out_of_scope(make_activity, chair_client, tree):
    make_activity(title="女职工插花", code="women", starts=24)
    make_activity(org=tree.branch, title="安全生产培训", code="training", starts=48, is_training=True)
    make_activity(title="已取消的观影", starts=72, status=Status.PLANNED)
    Activity.objects.filter(title="已取消的观影").update(status=Status.CANCELLED)

    def titles(query):
        text = chair_client.get(f"/activities/?{query}").content.decode()
        return {t for t in ("女职工插花", "安全生产培训", "已取消的观影") if t in text}, text

    assert titles("org=B1")[0] == {"安全生产培训"}
    assert titles("kind=women")[0] == {"女职工插花"}
    assert titles("training=1")[0] == {"安全生产培训"}
    assert titles("status=cancelled")[0] == {"已取消的观影"}
    assert titles("q=插花")[0] == {"女职工插花"}
    soon = hours_from_now(48)
    assert "安全生产培训" in titles(f"year={soon.year}&month={soon.month}")[0]
    assert titles(f"year={soon.year - 1}")[0] == set()
    found, text = titles("org=G2")
    assert "找不到编码为“G2”的工会，或它不在您的管辖范围内。" in text
    response = chair_client.get("/activities/?year=99999")
    assert response.status_code == 200 and "2100" in response.content.decode()


def test_it_exports_the_filtered_union_as_a_spreadsheet(make_activity, chair_client, tree):
    make_activity(title="导出用运动会")
    text = chair_client.get("/activities/").content.decode()
    assert 'data-testid="export-link"' in text and "/imports/activities/" in text
    response = chair_client.get("/activities/export/?org=G1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    response = chair_client.get("/activities/export/?org=G2", follow=True)
    assert "不在您的管辖范围内" in response.content.decode()


def test_it_shows_a_month_calendar_with_neighbouring_months(make_activity, chair_client):
    a = make_activity(title="月历上的义诊", code="health", starts=2)
    day = timezone.localtime(a.starts_at)
    text = chair_client.get(f"/activities/calendar/?month={day:%Y-%m}").content.decode()
    assert f"{day.year}年{day.month}月" in text and text.count("月历上的义诊") >= 2  # grid and the phone list
    prev_month = (day.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    assert f'href="?month={prev_month}"' in text
    assert "本月没有活动" in chair_client.get("/activities/calendar/?month=1901-01").content.decode()
    assert 'data-testid="prev-month"' not in chair_client.get("/activities/calendar/?month=1900-01").content.decode()
    bad = chair_client.get("/activities/calendar/?month=2025-13")
    assert bad.status_code == 400 and "月份格式应为" in bad.content.decode()


# --- creating and editing -------------------------------------------------------------------------


def test_it_creates_an_activity_with_branches_and_partners(chair, chair_client, tree):
    partner = services.partner_create(actor=chair, org=tree.grassroots, name="市第一人民医院", category="hospital")
    data = form_data(tree, kind=str(kind("health").pk), title="健康义诊", co_orgs="B1", partners=[str(partner.pk)],
                     capacity="50", beneficiaries="120", is_training="on", hours="3", quiz_name="健康知识答卷", quiz_pass="60")
    response = chair_client.post("/activities/new/", data)
    assert response.status_code == 302, response.content.decode()
    a = Activity.objects.get()
    assert (a.title, a.org, a.status, a.capacity, a.beneficiaries, a.cost, a.quiz_pass) == (
        "健康义诊", tree.grassroots, Status.OPEN, 50, 120, Decimal("1200"), Decimal("60"))
    assert list(a.co_orgs.all()) == [tree.branch] and list(a.partners.all()) == [partner]
    assert a.sessions.get().hours == Decimal("3")
    page = chair_client.get(response.url).content.decode()
    assert "市第一人民医院" in page and "一车间分会" in page and "健康知识答卷" in page


@pytest.mark.parametrize("changes,message", [
    ({"ends_at": "2030-01-01T08:00", "starts_at": "2030-01-01T10:00"}, "结束时间不能早于开始时间"),
    ({"starts_at": "2030-02-30T10:00"}, "请填写有效的日期和时间"),
    ({"starts_at": "9999-12-31T10:00"}, "时间应在1900年至2100年之间"),
    ({"kind": "999999"}, "请选择活动类型"),
    ({"kind": "abc"}, "请选择活动类型"),
    ({"org_code": "G2"}, "找不到编码为“G2”的工会"),
    ({"co_orgs": "B1 G2"}, "找不到编码为“G2”的工会"),
    ({"co_orgs": "G1"}, "不是组织工会的下级工会"),
    ({"co_orgs": "S1"}, "找不到编码为“S1”的工会"),
    ({"target": "branch"}, "请填写分会"),
    ({"target": "branch", "target_org_code": "G2"}, "找不到编码为“G2”的工会"),
    ({"capacity": "-3"}, "名额应为1至"),
    ({"cost": "十元"}, "不是数字"),
    ({"quiz_pass": "60"}, "请填写答卷/考试名称"),
    ({"status": "cancelled"}, "选择一个有效的选项"),
])
def test_it_refuses_bad_activity_input_in_chinese_and_saves_nothing(chair_client, tree, changes, message):
    text = chair_client.post("/activities/new/", form_data(tree, **changes)).content.decode()
    assert message in text
    assert not Activity.objects.exists() and not Session.objects.exists()


def test_it_refuses_a_partner_out_of_reach(chair, chair_client, tree):
    theirs = services.partner_create(actor=Actor.system(), org=tree.sibling_grassroots, name="望湖医院")
    text = chair_client.post("/activities/new/", form_data(tree, partners=[str(theirs.pk)])).content.decode()
    assert "所选合作单位不在可选范围内" in text and not Activity.objects.exists()
    assert "望湖医院" not in chair_client.get("/activities/new/").content.decode()


def test_it_edits_an_activity_and_keeps_capacity_above_sign_ups(make_activity, people, chair, chair_client, tree):
    a = make_activity(capacity=5)
    for m in people.others[:3]:
        attendance.registration_add(actor=chair, activity=a, member=m)
    page = chair_client.get(f"/activities/{a.pk}/edit/").content.decode()
    assert f'value="{local(a.starts_at)}"' in page and "职工趣味运动会" in page
    data = form_data(tree, title="改名后的运动会", starts_at=local(a.starts_at), ends_at=local(a.ends_at), capacity="2")
    del data["org_code"], data["status"]
    text = chair_client.post(f"/activities/{a.pk}/edit/", data).content.decode()
    assert "已有3人报名，名额不能少于已报名人数" in text
    a.refresh_from_db()
    assert (a.title, a.capacity) == ("职工趣味运动会", 5)
    data["capacity"] = "3"
    assert chair_client.post(f"/activities/{a.pk}/edit/", data).status_code == 302
    a.refresh_from_db()
    assert (a.title, a.capacity) == ("改名后的运动会", 3)


# --- one activity ---------------------------------------------------------------------------------


def test_the_activity_page_shows_info_figures_sessions_and_next_statuses(make_activity, people, chair, chair_client):
    a = make_activity(code="training", title="职工代表培训班", starts=-2, length=4, status=Status.RUNNING, is_training=True,
                      beneficiaries=30)
    services.session_update(actor=chair, session=a.sessions.get(), teacher="王教授", teacher_title="市委党校副教授",
                            topic="职代会制度", hours="2")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    attendance.checkin_record(actor=chair, session=a.sessions.get(), registration=reg)
    text = chair_client.get(f"/activities/{a.pk}/").content.decode()
    for fragment in ("王教授", "市委党校副教授", "职代会制度", 'data-testid="att-attended">1<', 'data-testid="att-times">1<',
                     "合计2学时", "其他受益30人", 'data-testid="status-done"', 'data-testid="status-cancelled"'):
        assert fragment in text, fragment
    assert 'data-testid="status-open"' not in text  # 进行中 cannot go back to 报名中
    for link in (f"/activities/{a.pk}/people/", f"/activities/{a.pk}/checkin/", f"/activities/{a.pk}/sign-sheet/",
                 f"/activities/session/{a.sessions.get().pk}/qr/"):
        assert f'href="{link}"' in text, link


def test_status_changes_follow_the_rules_and_cancel_needs_a_reason(make_activity, chair_client):
    a = make_activity(starts=24, status=Status.OPEN)
    text = chair_client.post(f"/activities/{a.pk}/status/", {"status": "done"}, follow=True).content.decode()
    assert "活动尚未开始，不能标记为已结束" in text
    text = chair_client.post(f"/activities/{a.pk}/status/", {"status": "cancelled", "reason": ""}, follow=True).content.decode()
    assert "请填写取消原因" in text
    a.refresh_from_db()
    assert a.status == Status.OPEN
    text = chair_client.post(f"/activities/{a.pk}/status/", {"status": "bogus"}, follow=True).content.decode()
    assert "请选择要改成的状态" in text
    text = chair_client.post(f"/activities/{a.pk}/status/", {"status": "cancelled", "reason": "暴雨预警"}, follow=True).content.decode()
    a.refresh_from_db()
    assert a.status == Status.CANCELLED and "原因：暴雨预警" in text and 'data-testid="edit-link"' not in text
    assert chair_client.get(f"/activities/{a.pk}/status/").status_code == 405


# --- sessions -------------------------------------------------------------------------------------


def test_sessions_are_added_edited_rotated_and_removed(make_activity, people, chair, chair_client):
    a = make_activity(code="training", title="女工培训班", starts=24, length=2, is_training=True)
    start = hours_from_now(48)
    bad = {"starts_at": local(start), "ends_at": local(start - dt.timedelta(hours=1)), "hours": "", "topic": "", "teacher": ""}
    text = chair_client.post(f"/activities/{a.pk}/sessions/new/", bad).content.decode()
    assert "结束时间不能早于开始时间" in text and a.sessions.count() == 1
    text = chair_client.post(f"/activities/{a.pk}/sessions/new/", {**bad, "ends_at": local(start + dt.timedelta(hours=2)),
                                                                    "hours": "30"}).content.decode()
    assert "学时应在0到24之间" in text and a.sessions.count() == 1
    good = {**bad, "ends_at": local(start + dt.timedelta(hours=2)), "hours": "2.5", "teacher": "李律师", "topic": "妇女权益保障法"}
    assert chair_client.post(f"/activities/{a.pk}/sessions/new/", good).status_code == 302
    second = a.sessions.get(seq=2)
    assert (second.teacher, second.hours) == ("李律师", Decimal("2.5"))

    text = chair_client.post(f"/activities/sessions/{second.pk}/edit/", {**good, "teacher": "张律师", "teacher_title": "执业律师"},
                             follow=True).content.decode()
    assert "张律师" in text and "执业律师" in text

    key = second.checkin_key
    chair_client.post(f"/activities/sessions/{second.pk}/rotate/")
    second.refresh_from_db()
    assert second.checkin_key != key

    first = a.sessions.get(seq=1)
    Activity.objects.filter(pk=a.pk).update(status=Status.RUNNING, starts_at=hours_from_now(-1))
    Session.objects.filter(pk=first.pk).update(starts_at=hours_from_now(-1))
    reg = attendance.registration_add(actor=chair, activity=a, member=people.woman)
    attendance.checkin_record(actor=chair, session=Session.objects.get(pk=first.pk), registration=reg)
    text = chair_client.post(f"/activities/sessions/{first.pk}/remove/", follow=True).content.decode()
    assert "第1场已有人签到，不能删除" in text and a.sessions.count() == 2
    assert chair_client.post(f"/activities/sessions/{second.pk}/remove/").status_code == 302
    text = chair_client.post(f"/activities/sessions/{first.pk}/remove/", follow=True).content.decode()
    assert a.sessions.count() == 1 and ("不能删除" in text or "至少要有一个场次" in text)


# --- partners and kinds ---------------------------------------------------------------------------


def test_partners_are_listed_in_scope_created_and_edited(chair, chair_client, tree):
    services.partner_create(actor=Actor.system(), org=tree.sibling_grassroots, name="望湖中学")
    services.partner_create(actor=chair, org=tree.branch, name="车间合作厂")
    text = chair_client.get("/activities/partners/").content.decode()
    assert "车间合作厂" in text and "望湖中学" not in text
    base = {"org_code": "G1", "name": "临江职业学校", "category": "school", "contact": "陈老师", "phone": "0551-1234567", "note": ""}
    assert "找不到编码为“G2”的工会" in chair_client.post("/activities/partners/new/", {**base, "org_code": "G2"}).content.decode()
    assert "选择一个有效的选项" in chair_client.post("/activities/partners/new/", {**base, "category": "x"}).content.decode()
    assert not Partner.objects.filter(name="临江职业学校").exists()
    assert chair_client.post("/activities/partners/new/", base).status_code == 302
    assert "本工会已登记合作单位“临江职业学校”" in chair_client.post("/activities/partners/new/", base).content.decode()
    school = Partner.objects.get(name="临江职业学校")
    services.partner_create(actor=chair, org=tree.grassroots, name="临江医院")
    text = chair_client.post(f"/activities/partners/{school.pk}/edit/", {**base, "name": "临江医院"}).content.decode()
    assert "本工会已登记合作单位“临江医院”" in text
    # The same name at another union (the branch's 车间合作厂) is another partner.
    assert chair_client.post(f"/activities/partners/{school.pk}/edit/", {**base, "name": "车间合作厂"}).status_code == 302
    text = chair_client.post(f"/activities/partners/{school.pk}/edit/", {**base, "name": ""}).content.decode()
    assert "这个字段是必填项" in text or "必填" in text
    assert chair_client.post(f"/activities/partners/{school.pk}/edit/", {**base, "contact": "周老师"}).status_code == 302
    school.refresh_from_db()
    assert (school.name, school.contact) == ("临江职业学校", "周老师")
    assert "0551-1234567" in chair_client.get("/activities/partners/?q=周老师").content.decode()


def test_a_partner_name_used_twice_by_one_union_is_refused(chair, chair_client, tree):
    services.partner_create(actor=chair, org=tree.grassroots, name="临江医院")
    text = chair_client.post("/activities/partners/new/", {"org_code": "G1", "name": "临江医院", "category": "hospital"}).content.decode()
    assert "本工会已登记合作单位“临江医院”" in text and Partner.objects.count() == 1


@pytest.fixture
def admin(personas):
    user = personas.district_admin
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled"])
    return user


def test_kinds_are_kept_by_holders_of_the_permission_only(admin, login, chair_client):
    assert chair_client.get("/activities/kinds/").status_code == 403
    client = login(admin)
    assert "健康义诊/体检" in client.get("/activities/kinds/").content.decode()
    text = client.post("/activities/kinds/", {"action": "create", "new-code": "工会", "new-name": "劳模宣讲", "new-order": "150"}).content.decode()
    assert "编码只能由英文字母、数字和下划线组成" in text and not ActivityKind.objects.filter(name="劳模宣讲").exists()
    text = client.post("/activities/kinds/", {"action": "create", "new-code": "model", "new-name": "文体活动", "new-order": "150"}).content.decode()
    assert "已有名为“文体活动”的活动类型" in text
    assert client.post("/activities/kinds/", {"action": "create", "new-code": "model", "new-name": "劳模宣讲", "new-noun": "劳模宣讲活动",
                                              "new-order": "150"}).status_code == 302
    added = ActivityKind.objects.get(code="model")
    sports = kind("sports")
    text = client.post("/activities/kinds/", {"action": "update", "kind": sports.pk, "name": "劳模宣讲", "noun": "", "order": "10",
                                              "is_active": "1"}, follow=True).content.decode()
    assert "已有名为“劳模宣讲”的活动类型" in text
    client.post("/activities/kinds/", {"action": "update", "kind": added.pk, "name": "劳模工匠宣讲", "noun": "", "order": "150"})
    added.refresh_from_db()
    assert (added.name, added.noun, added.is_active) == ("劳模工匠宣讲", "劳模工匠宣讲", False)
    text = client.post("/activities/kinds/", {"action": "update", "kind": "99999999", "name": "x", "order": "1"}, follow=True)
    assert "活动类型不存在" in text.content.decode()
    # A switched-off kind is no longer offered for a new activity.
    assert "劳模工匠宣讲" not in chair_client.get("/activities/new/").content.decode()


# --- who may see what -----------------------------------------------------------------------------


def id_routes(a, session, partner):
    return [f"/activities/{a.pk}/", f"/activities/{a.pk}/edit/", f"/activities/{a.pk}/status/",
            f"/activities/{a.pk}/sessions/new/", f"/activities/sessions/{session.pk}/edit/",
            f"/activities/sessions/{session.pk}/remove/", f"/activities/sessions/{session.pk}/rotate/",
            f"/activities/{a.pk}/attachments/new/", f"/activities/partners/{partner.pk}/edit/"]


def test_an_outsider_gets_404_for_every_record_route(make_activity, chair, tree, personas, login):
    a = make_activity(status=Status.PLANNED)
    partner = services.partner_create(actor=chair, org=tree.grassroots, name="临江医院")
    client = login(personas.outsider)
    for url in id_routes(a, a.sessions.get(), partner):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"status": "cancelled", "reason": "x", "name": "x"}).status_code == 404, url
    a.refresh_from_db()
    assert a.status == Status.PLANNED and Partner.objects.get().name == "临江医院"
    listing = client.get("/activities/").content.decode()
    assert "职工趣味运动会" not in listing and "临江医院" not in client.get("/activities/partners/").content.decode()


def test_a_member_account_gets_403_on_every_staff_page(make_activity, chair, tree, people, login):
    a = make_activity()
    partner = services.partner_create(actor=chair, org=tree.grassroots, name="临江医院")
    client = login(people.man.user)
    for url in ["/activities/", "/activities/export/", "/activities/calendar/", "/activities/new/", "/activities/partners/",
                "/activities/partners/new/", "/activities/kinds/", *id_routes(a, a.sessions.get(), partner)]:
        assert client.get(url).status_code in (403, 405), url
        assert client.post(url, {}).status_code == 403, url


def test_viewers_see_pages_but_cannot_write(make_activity, tree, login):
    a = make_activity()
    auditor = staff(tree.grassroots, Role.AUDITOR, username="jingshen")
    client = login(auditor)
    text = client.get(f"/activities/{a.pk}/").content.decode()
    assert "职工趣味运动会" in text and 'data-testid="edit-link"' not in text and "status-card" not in text
    assert client.get("/activities/new/").status_code == 403
    assert client.post(f"/activities/{a.pk}/status/", {"status": "cancelled", "reason": "x"}).status_code == 403
    a.refresh_from_db()
    assert a.status == Status.OPEN

"""The /api/activities routes: scoped, permission-checked, Chinese refusals that write
nothing, masked ID numbers only, and every route in the OpenAPI schema."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.activities import attendance, study
from gonghui.activities.models import Activity, CheckIn, Registration, RegStatus, Status
from gonghui.testing.factories import staff

API = "/api/activities"
TODAY = dt.date.today()


@pytest.fixture
def finance(tree):
    return staff(tree.grassroots, Role.FINANCE, username="finance_g1")


@pytest.fixture
def activity(make_activity):
    return make_activity(title="职工趣味运动会", capacity=2)


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_it_lists_and_filters_activities_in_scope(make_activity, login, personas, tree):
    make_activity(title="职工趣味运动会")
    make_activity(title="女职工插花讲座", code="women", starts=24 * 40)
    make_activity(title="分会读书会", code="reading", org=tree.branch, status=Status.PLANNED)
    client = login(personas.grassroots_chair)
    titles = lambda query="": [i["title"] for i in client.get(f"{API}/{query}").json()["items"]]  # noqa: E731
    everything = titles()
    assert everything[0] == "女职工插花讲座" and set(everything) == {"女职工插花讲座", "分会读书会", "职工趣味运动会"}
    assert titles("?kind=women") == ["女职工插花讲座"]
    assert titles("?org=B1") == ["分会读书会"]
    assert titles("?status=planned") == ["分会读书会"]
    assert titles("?q=运动") == ["职工趣味运动会"]
    assert set(titles(f"?start={TODAY + dt.timedelta(days=30)}")) == {"女职工插花讲座"}
    assert "女职工插花讲座" not in titles(f"?end={TODAY + dt.timedelta(days=2)}")
    item = client.get(f"{API}/?kind=women").json()["items"][0]
    assert (item["kind_name"], item["status_label"], item["org_name"]) == ("女职工活动", "报名中", "临江精机工会")
    for query, fragment in (("?status=bogus", "状态应为"), ("?kind=nosuch", "没有编码为“nosuch”的活动类型"),
                            ("?start=2025-13-01", "应为日期"), ("?start=2025-10-02&end=2025-10-01", "结束日期不能早于开始日期")):
        response = client.get(f"{API}/{query}")
        assert response.status_code == 422 and fragment in response.json()["detail"], query
    assert client.get(f"{API}/?org=G2").status_code == 404
    assert login(personas.outsider).get(f"{API}/").json()["items"] == []
    assert login(personas.branch_lead).get(f"{API}/").json()["items"][0]["title"] == "分会读书会"


def test_it_shows_an_activity_with_sessions_and_figures_but_no_checkin_key(activity, login, personas, people, chair):
    session = activity.sessions.get()
    reg = attendance.registration_add(actor=chair, activity=activity, member=people.man)
    attendance.checkin_record(actor=chair, session=session, registration=reg)
    client = login(personas.grassroots_chair)
    body = client.get(f"{API}/{activity.pk}").json()
    assert body["title"] == "职工趣味运动会" and body["code"] == activity.code and body["kind"] == "sports"
    assert [(s["seq"], s["checkins"], Decimal(s["hours"])) for s in body["sessions"]] == [(1, 1, 3)]
    assert body["attendance"]["attended"] == 1 and body["attendance"]["person_times"] == 1
    assert session.checkin_key not in json.dumps(body) and "checkin_key" not in json.dumps(body)
    assert login(personas.outsider).get(f"{API}/{activity.pk}").status_code == 404
    assert client.get(f"{API}/999999999").status_code == 404


def test_it_creates_an_activity_only_with_the_permission_and_valid_input(tree, login, personas, finance):
    starts = dt.datetime.combine(TODAY + dt.timedelta(days=3), dt.time(9))
    body = {"org_id": tree.grassroots.pk, "kind": "training", "title": "女工培训班", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=3)).isoformat(), "is_training": True, "capacity": 40,
            "co_org_ids": [tree.branch.pk], "hours": "3"}
    assert post(login(finance), f"{API}/", body).status_code == 403
    client = login(personas.grassroots_chair)
    for change, fragment, status in (
        ({"ends_at": (starts - dt.timedelta(hours=1)).isoformat()}, "结束时间不能早于开始时间", 422),
        ({"kind": "nosuch"}, "没有编码为“nosuch”的活动类型", 422),
        ({"capacity": 0.5}, "应为整数", 422),
        ({"title": "a\x00b"}, "不允许的字符", 400),
        ({"cost": "abc"}, "应为数字", 422),
        ({"target": "branch"}, "请填写分会", 422),
        ({"co_org_ids": [tree.sibling_grassroots.pk]}, "不在您的管辖范围内", 404),
        ({"org_id": tree.sibling_grassroots.pk}, "不在您的管辖范围内", 404),
    ):
        response = post(client, f"{API}/", {**body, **change})
        assert response.status_code == status and fragment in response.json()["detail"], (change, response.json())
    assert not Activity.objects.exists()
    response = post(client, f"{API}/", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["is_training"] and created["co_org_ids"] == [tree.branch.pk] and Decimal(created["sessions"][0]["hours"]) == 3
    assert Activity.objects.get().title == "女工培训班"


def test_staff_sign_people_up_by_id_number_or_name_and_see_masked_ids(activity, login, personas, people, finance):
    client = login(personas.grassroots_chair)
    url = f"{API}/{activity.pk}/registrations"
    response = post(client, url, {"id_number": people.man.id_number})
    assert response.status_code == 201 and response.json()["status"] == "registered"
    for body, fragment in (({"id_number": people.man.id_number}, "已在报名名单中"), ({"id_number": "123"}, "身份证"),
                           ({}, "请填写会员的身份证号"), ({"name": "x" * 60}, "姓名最多50个字")):
        response = post(client, url, body)
        assert response.status_code == 422 and fragment in response.json()["detail"], body
    assert post(client, url, {"name": "社区居民老刘", "affiliation": "滨江社区"}).json()["status"] == "registered"
    third = post(client, url, {"member_id": people.others[0].pk}).json()
    assert third["status"] == "waitlist" and third["waitlist_position"] == 1 and "候补" in third["message"]
    assert Registration.objects.count() == 3

    listing = client.get(url).json()["items"]
    text = json.dumps(listing, ensure_ascii=False)
    assert [i["name"] for i in listing] == ["张伟", "社区居民老刘", "王一"]
    assert people.man.id_number not in text and people.man.id_masked in text
    assert [i["name"] for i in client.get(f"{url}?status=waitlist").json()["items"]] == ["王一"]
    assert client.get(f"{url}?status=bogus").status_code == 422
    # (login() logs the one test client in as someone else)
    assert post(login(finance), url, {"name": "又一位"}).status_code == 403
    assert login(finance).get(url).status_code == 200
    assert post(login(personas.outsider), url, {"name": "又一位"}).status_code == 404
    assert login(personas.outsider).get(url).status_code == 404
    assert Registration.objects.count() == 3


def test_cancelling_moves_the_waiting_list_up(activity, login, personas, people, chair):
    first = attendance.registration_add(actor=chair, activity=activity, member=people.man)
    attendance.registration_add(actor=chair, activity=activity, member=people.others[0])
    waiting = attendance.registration_add(actor=chair, activity=activity, member=people.others[1])
    assert login(personas.outsider).delete(f"{API}/registrations/{first.pk}").status_code == 404
    assert login(people.woman.user).delete(f"{API}/registrations/{first.pk}").status_code == 404  # not hers
    client = login(personas.grassroots_chair)
    response = client.delete(f"{API}/registrations/{first.pk}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == RegStatus.REGISTERED
    again = client.delete(f"{API}/registrations/{first.pk}")
    assert again.status_code == 422 and "该报名已取消" in again.json()["detail"]


def test_a_member_signs_up_and_cancels_for_themselves(activity, make_activity, login, personas, people, tree):
    client = login(people.man.user)
    response = post(client, f"{API}/{activity.pk}/signup")
    assert response.status_code == 201 and response.json()["message"] == "报名成功。"
    again = post(client, f"{API}/{activity.pk}/signup")
    assert again.status_code == 422 and "您已报名该活动" in again.json()["detail"]
    women = make_activity(title="女职工插花", code="women", target="women")
    refused = post(client, f"{API}/{women.pk}/signup")
    assert refused.status_code == 422 and "该活动面向女职工" in refused.json()["detail"]
    other = make_activity(title="望湖运动会", org=tree.sibling_grassroots, actor=Actor.system())
    assert post(client, f"{API}/{other.pk}/signup").status_code == 404
    reg = Registration.objects.get(member=people.man)
    assert client.delete(f"{API}/registrations/{reg.pk}").json()["status"] == "cancelled"
    assert post(login(personas.grassroots_chair), f"{API}/{activity.pk}/signup").status_code == 403
    assert Registration.objects.filter(member=people.man).count() == 1


def test_a_member_checks_in_once_by_the_qr_token(activity, login, personas, people):
    session = activity.sessions.get()
    token = attendance.checkin_token(session)
    client = login(people.man.user)
    first = post(client, f"{API}/checkin", {"token": token})
    assert first.status_code == 200, first.json()
    assert first.json()["created"] and not first.json()["already"] and "签到成功" in first.json()["message"]
    second = post(client, f"{API}/checkin", {"token": token}).json()
    assert second["already"] and "无需重复签到" in second["message"]
    assert CheckIn.objects.count() == 1
    for bad in (token + "x", "", "1.abc:forged"):
        response = post(client, f"{API}/checkin", {"token": bad})
        assert response.status_code == 422 and "签到二维码无效" in response.json()["detail"], bad
    assert post(client, f"{API}/checkin", {}).status_code == 422
    assert post(login(personas.grassroots_chair), f"{API}/checkin", {"token": token}).status_code == 403
    assert CheckIn.objects.count() == 1


def test_staff_check_people_in_and_read_the_figures(activity, login, personas, people, chair, finance):
    session = activity.sessions.get()
    reg = attendance.registration_add(actor=chair, activity=activity, member=people.man)
    client = login(personas.grassroots_chair)
    url = f"{API}/sessions/{session.pk}/checkins"
    assert post(client, url, {"registration_id": reg.pk}).json()["created"]
    assert post(client, url, {"member_id": people.others[0].pk}).json()["created"]
    assert post(client, url, {"name": "社区居民老刘"}).json()["name"] == "社区居民老刘"
    for body in ({}, {"registration_id": reg.pk, "name": "两项"}):
        response = post(client, url, body)
        assert response.status_code == 422 and "请只填写一项" in response.json()["detail"]
    wrong = post(client, url, {"registration_id": "第一位"})
    assert wrong.status_code == 422 and wrong.json()["detail"] == "请求参数有误：请求体“registration_id”应为整数。"
    assert post(client, url, ["not", "an", "object"]).status_code == 422
    broken = client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and "不是有效的 JSON" in broken.json()["detail"]
    figures = client.get(f"{API}/{activity.pk}/attendance").json()
    assert (figures["attended"], figures["person_times"], figures["members"], figures["non_members"]) == (3, 3, 2, 1)
    assert Decimal(figures["hours"]) == 9 and figures["registered"] == 3
    assert post(login(finance), url, {"registration_id": reg.pk}).status_code == 403
    assert post(login(personas.outsider), url, {"registration_id": reg.pk}).status_code == 404
    assert CheckIn.objects.count() == 3
    assert login(finance).get(f"{API}/{activity.pk}/attendance").status_code == 200
    assert login(personas.outsider).get(f"{API}/{activity.pk}/attendance").status_code == 404


def test_study_routes_are_scoped(tree, chair, people, login, personas):
    a = study.assignment_create(actor=chair, org=tree.grassroots, title="读书心得", per_member=2,
                                starts_on=TODAY - dt.timedelta(days=10), due_on=TODAY - dt.timedelta(days=1))
    study.submission_add(actor=chair, assignment=a, member=people.man, text="体会")
    client = login(personas.grassroots_chair)
    (item,) = client.get(f"{API}/study/").json()["items"]
    assert (item["title"], item["expected"], item["submitted"]) == ("读书心得", 14, 1)
    progress = client.get(f"{API}/study/{a.pk}/progress").json()
    assert (progress["members"], progress["expected"], progress["submitted"], progress["overdue_members"]) == (7, 14, 1, 7)
    assert [(b["name"], b["members"], b["submitted"]) for b in progress["branches"]] == [("本级", 6, 1), (tree.branch.display_name, 1, 0)]
    assert login(personas.outsider).get(f"{API}/study/{a.pk}/progress").status_code == 404
    assert login(personas.outsider).get(f"{API}/study/").json()["items"] == []
    assert login(people.man.user).get(f"{API}/study/").status_code == 403


def test_every_route_is_in_the_schema_with_a_chinese_summary(login, personas, client):
    assert client.get("/api/openapi.json").status_code == 401
    assert client.get(f"{API}/").status_code == 401
    schema = login(personas.grassroots_chair).get("/api/openapi.json").json()
    ours = {(path, method): op for path, ops in schema["paths"].items() if path.startswith(API) for method, op in ops.items()}
    assert set(ours) == {
        (f"{API}/", "get"), (f"{API}/", "post"), (f"{API}/{{activity_id}}", "get"),
        (f"{API}/{{activity_id}}/registrations", "get"), (f"{API}/{{activity_id}}/registrations", "post"),
        (f"{API}/registrations/{{registration_id}}", "delete"), (f"{API}/{{activity_id}}/signup", "post"),
        (f"{API}/checkin", "post"), (f"{API}/sessions/{{session_id}}/checkins", "post"),
        (f"{API}/{{activity_id}}/attendance", "get"), (f"{API}/study/", "get"), (f"{API}/study/{{assignment_id}}/progress", "get"),
    }
    body = ours[(f"{API}/{{activity_id}}/registrations", "post")]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"id_number", "member_id", "name", "affiliation", "gender"}
    for op in ours.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in op["summary"]) and op["tags"] == ["活动与培训"]

"""The member's own pages: my activities, one activity, sign-up and cancellation from the
phone, the waiting list, my hours; and sign-ups racing for the last place."""

import datetime as dt
import re
import threading
import time

import pytest
from django.db import OperationalError, connection

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.activities import attendance, services
from gonghui.activities.models import Registration, RegStatus, Source, Status, Target
from gonghui.activities.tests.conftest import hours_from_now, kind
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import make_id


def linked_member(org, name, username, female=False):
    member = member_create(actor=Actor.system(), org=org, name=name, id_number=make_id(male=not female),
                           joined_on=dt.date(2020, 1, 1))
    user = staff(org, Role.MEMBER, username=username)
    Member.objects.filter(pk=member.pk).update(user=user)
    member.refresh_from_db()
    return member


def cards(html: str, testid: str) -> list[str]:
    """The cards of one section of "my activities", each up to the next card or heading."""
    return [re.split(r'data-testid="my-|<h2', part, maxsplit=1)[0] for part in html.split(f'data-testid="{testid}"')[1:]]


def test_it_signs_up_from_the_phone_and_puts_the_late_ones_on_the_waiting_list(make_activity, people, tree, login):
    a = make_activity(capacity=1, title="羽毛球比赛")
    second = linked_member(tree.grassroots, "孙丽", "sunli", female=True)
    man = login(people.man.user)
    page = man.get("/activities/my/").content.decode()
    upcoming = cards(page, "my-upcoming")
    assert len(upcoming) == 1 and "羽毛球比赛" in upcoming[0] and f'action="/activities/my/{a.pk}/signup/"' in upcoming[0]
    response = man.post(f"/activities/my/{a.pk}/signup/", follow=True)
    assert "已报名“羽毛球比赛”" in response.content.decode()
    page = response.content.decode()
    assert "羽毛球比赛" in "".join(cards(page, "my-signed")) and not cards(page, "my-upcoming")
    other = login(second.user)
    response = other.post(f"/activities/my/{a.pk}/signup/", follow=True)
    assert "名额已满，您已进入候补名单第1位" in response.content.decode()
    signed = cards(response.content.decode(), "my-signed")
    assert "候补第1位" in signed[0]
    form = re.search(r'<form[^>]*action="/activities/my/\d+/cancel/"[^>]*>', signed[0]).group(0)
    assert "data-confirm=" in form
    again = other.post(f"/activities/my/{a.pk}/signup/", follow=True)
    assert "您已在候补名单第1位" in again.content.decode()
    # the man cancels: the waiting member moves up
    man = login(people.man.user)
    response = man.post(f"/activities/my/{a.pk}/cancel/", follow=True)
    assert "已取消“羽毛球比赛”的报名" in response.content.decode()
    assert Registration.objects.get(member=second).status == RegStatus.REGISTERED
    assert Registration.objects.get(member=people.man).status == RegStatus.CANCELLED
    page = login(second.user).get(f"/activities/my/{a.pk}/").content.decode()
    assert 'data-testid="my-place">已报名<' in page
    regs = Registration.objects.filter(activity=a)
    assert {r.source for r in regs} == {Source.SELF}


def test_it_shows_why_an_activity_is_not_open_and_refuses_the_sign_up(make_activity, people, login):
    a = make_activity(target=Target.WOMEN, title="女职工插花")
    man = login(people.man.user)
    upcoming = cards(man.get("/activities/my/").content.decode(), "my-upcoming")
    assert "女职工插花" in upcoming[0] and "该活动面向女职工" in upcoming[0] and "signup" not in upcoming[0]
    detail = man.get(f"/activities/my/{a.pk}/").content.decode()
    assert "该活动面向女职工" in detail
    response = man.post(f"/activities/my/{a.pk}/signup/", {"back": "detail"}, follow=True)
    assert "该活动面向女职工" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/activities/my/{a.pk}/"
    assert not Registration.objects.exists()


def test_it_refuses_sign_up_to_a_cancelled_or_planned_activity(make_activity, people, chair, login):
    a = make_activity(title="取消的活动")
    services.activity_set_status(actor=chair, activity=a, status=Status.CANCELLED, reason="天气原因")
    b = make_activity(title="计划中", status=Status.PLANNED)
    man = login(people.man.user)
    page = man.get("/activities/my/").content.decode()
    assert "取消的活动" not in page and "计划中" not in page
    assert man.post(f"/activities/my/{a.pk}/signup/").status_code == 404
    assert man.post(f"/activities/my/{b.pk}/signup/").status_code == 404
    c = make_activity(title="进行中", starts=-1, status=Status.RUNNING)
    response = man.post(f"/activities/my/{c.pk}/signup/", follow=True)
    assert "不在报名期间" in response.content.decode()
    assert not Registration.objects.exists()


def test_it_shows_what_i_attended_and_my_hours_this_year(make_activity, people, chair, login):
    a = make_activity(code="training", title="安全生产培训班", starts=-1, length=3, is_training=True, hours="2.5",
                      quiz_name="安全知识考试", quiz_pass="60")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    attendance.checkin_record(actor=chair, session=a.sessions.get(), registration=reg)
    attendance.score_record(actor=chair, registration=reg, score="88")
    man = login(people.man.user)
    page = man.get("/activities/my/").content.decode()
    assert re.search(r'data-testid="year-hours">2\.5<', page)
    attended = re.findall(r'data-testid="my-attended">(.*?)</li>', page, re.S)
    assert len(attended) == 1 and "安全生产培训班" in attended[0] and "2.5 学时" in attended[0]
    detail = man.get(f"/activities/my/{a.pk}/").content.decode()
    assert "88" in detail and "（合格）" in detail and "已获学时：2.5" in detail
    assert "取消报名" not in detail  # checked in: nothing to cancel


def test_a_member_cannot_cancel_after_the_start(make_activity, people, chair, login):
    a = make_activity(starts=-1, status=Status.RUNNING)
    attendance.registration_add(actor=chair, activity=a, member=people.man)
    man = login(people.man.user)
    assert "取消报名" not in man.get(f"/activities/my/{a.pk}/").content.decode()
    response = man.post(f"/activities/my/{a.pk}/cancel/", follow=True)
    assert "活动已开始，不能再取消报名" in response.content.decode()
    assert Registration.objects.get().status == RegStatus.REGISTERED
    response = login(people.woman.user).post(f"/activities/my/{a.pk}/cancel/", follow=True)
    assert "您没有报名该活动" in response.content.decode()


def test_a_member_sees_only_their_own_unions_activities(make_activity, people, tree, personas, login):
    from gonghui.activities.tests.conftest import hours_from_now as later

    outsider = actor_of(personas.outsider)
    theirs = services.activity_create(actor=outsider, org=tree.sibling_grassroots, kind=kind(), title="望湖电子运动会",
                                      starts_at=later(2), ends_at=later(4), status=Status.OPEN)
    branch_only = make_activity(org=tree.branch, title="一车间分会活动")
    man = login(people.man.user)  # at the grassroots union, above the branch
    page = man.get("/activities/my/").content.decode()
    assert "望湖电子运动会" not in page and "一车间分会活动" not in page
    for url in (f"/activities/my/{theirs.pk}/", f"/activities/my/{branch_only.pk}/"):
        assert man.get(url).status_code == 404
    for url in (f"/activities/my/{theirs.pk}/signup/", f"/activities/my/{theirs.pk}/cancel/"):
        assert man.post(url).status_code == 404
    assert "一车间分会活动" in login(people.woman.user).get("/activities/my/").content.decode()
    assert not Registration.objects.exists()


def test_the_member_pages_need_a_login_and_a_member_record(make_activity, client, tree):
    a = make_activity()
    for url in ("/activities/my/", f"/activities/my/{a.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(staff(tree.grassroots, Role.MEMBER, username="wuhuiyuan"))
    response = client.get("/activities/my/")
    assert response.status_code == 403 and "还没有关联会员信息" in response.content.decode()
    assert client.post(f"/activities/my/{a.pk}/signup/").status_code == 403
    assert not Registration.objects.exists()


def test_staff_without_the_member_permission_cannot_use_the_member_pages(make_activity, login, personas):
    a = make_activity()
    client = login(personas.grassroots_chair)
    assert client.get("/activities/my/").status_code == 403
    assert client.post(f"/activities/my/{a.pk}/signup/").status_code == 403


def test_the_member_menu_entry_is_registered_for_members_only(people, login, personas):
    assert 'href="/activities/my/"' in login(people.man.user).get("/members/me/").content.decode()
    assert 'href="/activities/my/"' not in login(personas.grassroots_chair).get("/").content.decode()


# --- sign-ups racing for the last place ------------------------------------------------------------


RACERS = 6
CAPACITY = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_overbook(tree, personas):
    chair = actor_of(personas.grassroots_chair)
    a = services.activity_create(actor=chair, org=tree.grassroots, kind=kind(), title="限额参观", starts_at=hours_from_now(5),
                                 ends_at=hours_from_now(8), capacity=CAPACITY, status=Status.OPEN)
    first = linked_member(tree.grassroots, "先报名", "first")
    attendance.registration_signup(actor=actor_of(first.user), activity=a, member=first)
    racers = [linked_member(tree.grassroots, f"会员{n}", f"racer{n}") for n in range(RACERS)]
    start = threading.Barrier(RACERS)
    errors = []

    def sign_up(member):
        try:
            actor = actor_of(member.user)
            start.wait(timeout=30)
            while True:
                try:
                    attendance.registration_signup(actor=actor, activity=a, member=member)
                    return
                except OperationalError as exc:
                    # In-memory SQLite (shared cache) answers a lock held by another thread
                    # with "locked" at once instead of waiting as a file database does: wait
                    # and try again, as the busy timeout would.
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001 - reported below, a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(m,)) for m in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    statuses = list(Registration.objects.filter(activity=a).values_list("status", flat=True))
    assert len(statuses) == RACERS + 1
    assert statuses.count(RegStatus.REGISTERED) == CAPACITY
    assert statuses.count(RegStatus.WAITLIST) == RACERS + 1 - CAPACITY
    waiting = Registration.objects.filter(activity=a, status=RegStatus.WAITLIST)
    assert sorted(attendance.waitlist_position(r) for r in waiting) == list(range(1, RACERS + 2 - CAPACITY))


def test_it_tells_a_member_how_many_places_are_left_and_when_signing_up_means_waiting(make_activity, people, login, chair):
    from gonghui.activities import attendance as att

    a = make_activity(title="羽毛球比赛", capacity=2)
    att.registration_add(actor=chair, activity=a, member=people.others[0])
    page = login(people.man.user).get("/activities/my/").content.decode()
    assert "名额2人，剩余1个" in page
    att.registration_add(actor=chair, activity=a, member=people.others[1])
    page = login(people.man.user).get("/activities/my/").content.decode()
    assert "已满（报名将进入候补名单）" in page and "报名候补" in page

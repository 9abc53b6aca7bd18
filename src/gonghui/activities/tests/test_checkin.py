"""Check-in: the staff's tablet page, the session's QR code and the member's check-in link."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.urls import resolve, reverse
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.activities import attendance, services
from gonghui.activities.models import CheckIn, Method, Registration, RegStatus, Source, Status, Target
from gonghui.audit.models import AuditEvent
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import staff
from gonghui.testing.members import make_id


def link(session) -> str:
    return f"/activities/c/{attendance.checkin_token(session)}/"


def written() -> tuple:
    """What a check-in writes: check-ins, registrations, and audit events of successes."""
    return (list(CheckIn.objects.values_list("pk", flat=True)),
            list(Registration.objects.values_list("pk", "status", "source")),
            AuditEvent.objects.filter(result="success", action__startswith="checkin").count(),
            AuditEvent.objects.filter(result="success", action__startswith="registration").count())


# --- the tablet page ----------------------------------------------------------------------------


@pytest.fixture
def tablet(login, personas):
    return login(personas.grassroots_chair)


def test_it_checks_in_at_the_tablet_by_pinyin_initials_in_one_tap(make_activity, people, chair, tablet):
    a = make_activity()
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    attendance.registration_add(actor=chair, activity=a, member=people.others[0])
    session = a.sessions.get()
    page = tablet.get(f"/activities/{a.pk}/checkin/").content.decode()
    assert 'data-testid="count-checked-in">0<' in page and 'data-testid="count-registered">2<' in page
    results = tablet.get(f"/activities/{a.pk}/checkin/search/", {"q": "zw", "session": session.pk}, HTTP_HX_REQUEST="true")
    html = results.content.decode()
    assert html.count('data-testid="candidate"') == 1 and "张伟" in html
    assert f'name="registration" value="{reg.pk}"' in html
    answer = tablet.post(f"/activities/{a.pk}/checkin/record/", {"session": session.pk, "registration": reg.pk},
                         HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="checkin-ok"' in answer and "张伟：签到成功（" in answer
    assert 'hx-swap-oob="true"' in answer and 'data-testid="count-checked-in">1<' in answer
    ci = CheckIn.objects.get()
    assert (ci.registration_id, ci.session_id, ci.method, ci.by_id) == (reg.pk, session.pk, Method.STAFF, chair.user.pk)
    # the search now says so, and a second tap writes nothing
    html = tablet.get(f"/activities/{a.pk}/checkin/search/", {"q": "zw", "session": session.pk}).content.decode()
    assert 'data-testid="already"' in html
    answer = tablet.post(f"/activities/{a.pk}/checkin/record/", {"session": session.pk, "registration": reg.pk},
                         HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="checkin-already"' in answer and "无需重复签到" in answer
    assert CheckIn.objects.count() == 1


def test_it_finds_by_full_pinyin_and_name_and_checks_in_a_walk_in_member(make_activity, people, chair, tablet, tree):
    a = make_activity()
    session = a.sessions.get()
    attendance.registration_add(actor=chair, activity=a, name="赵敏", affiliation="辖区居民")
    html = tablet.get(f"/activities/{a.pk}/checkin/search/", {"q": "zhaomin", "session": session.pk}).content.decode()
    assert "赵敏" in html and "辖区居民" in html
    html = tablet.get(f"/activities/{a.pk}/checkin/search/", {"q": "李", "session": session.pk}).content.decode()
    # 李芳 of the branch did not sign up: offered as a walk-in
    assert "李芳" in html and "未报名" in html and f'name="member" value="{people.woman.pk}"' in html
    answer = tablet.post(f"/activities/{a.pk}/checkin/record/", {"session": session.pk, "member": people.woman.pk},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "李芳：签到成功" in answer
    reg = Registration.objects.get(member=people.woman)
    assert (reg.status, reg.source) == (RegStatus.REGISTERED, Source.WALKIN)
    # a member of another union is not offered
    member_create(actor=Actor.system(), org=tree.sibling_grassroots, name="李外", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    html = tablet.get(f"/activities/{a.pk}/checkin/search/", {"q": "李", "session": session.pk}).content.decode()
    assert "李外" not in html


def test_it_checks_in_a_non_member_by_name_and_refuses_a_blank_one(make_activity, tablet):
    a = make_activity()
    session = a.sessions.get()
    answer = tablet.post(f"/activities/{a.pk}/checkin/record/", {"session": session.pk, "name": " "},
                         HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="checkin-error"' in answer and "请填写非会员的姓名" in answer
    assert not Registration.objects.exists()
    answer = tablet.post(f"/activities/{a.pk}/checkin/record/", {"session": session.pk, "name": "居民甲"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "居民甲：签到成功" in answer
    reg = Registration.objects.get()
    assert (reg.member_id, reg.name, reg.source) == (None, "居民甲", Source.WALKIN)
    # without htmx: back to the page with the message
    response = tablet.post(f"/activities/{a.pk}/checkin/record/", {"session": session.pk, "name": "居民甲"}, follow=True)
    assert "居民甲已于" in response.content.decode() and CheckIn.objects.count() == 1


def test_it_refuses_a_session_of_another_activity_and_a_cancelled_one(make_activity, people, chair, tablet):
    a, b = make_activity(), make_activity(title="另一项活动")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    assert tablet.post(f"/activities/{a.pk}/checkin/record/", {"session": b.sessions.get().pk, "registration": reg.pk}).status_code == 404
    answer = tablet.post(f"/activities/{b.pk}/checkin/record/", {"session": b.sessions.get().pk, "registration": reg.pk},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "该报名不属于本活动" in answer
    c = make_activity(title="取消的活动")
    services.activity_set_status(actor=chair, activity=c, status=Status.CANCELLED, reason="天气原因")
    answer = tablet.post(f"/activities/{c.pk}/checkin/record/", {"session": c.sessions.get().pk, "name": "某人"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert "不能签到" in answer
    assert not CheckIn.objects.exists()


def test_it_picks_the_session_now_open_and_lets_staff_choose_another(make_activity, chair, tablet):
    from gonghui.activities.tests.conftest import hours_from_now

    a = make_activity(starts=-1, length=30, is_training=True)
    first = a.sessions.get()
    later = services.session_add(actor=chair, activity=a, starts_at=hours_from_now(24), ends_at=hours_from_now(26), hours="2",
                                 topic="安全生产")
    page = tablet.get(f"/activities/{a.pk}/checkin/").content.decode()
    assert f'<option value="{first.pk}" selected>' in page
    page = tablet.get(f"/activities/{a.pk}/checkin/", {"session": later.pk}).content.decode()
    assert f'<option value="{later.pk}" selected>' in page and "安全生产" in page


# --- the QR code ----------------------------------------------------------------------------------


def test_it_shows_and_prints_the_qr_code_of_the_member_link(make_activity, chair, tablet):
    a = make_activity(place="职工之家")
    session = a.sessions.get()
    page = tablet.get(f"/activities/session/{session.pk}/qr/").content.decode()
    assert f'src="/activities/session/{session.pk}/qr.svg"' in page and a.title in page and "请用手机扫码签到" in page
    assert f'/activities/session/{session.pk}/qr/count/' in page and 'hx-trigger="every 5s"' in page
    url = re.search(r'data-testid="qr-url">([^<]+)<', page).group(1)
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver"
    match = resolve(parts.path)
    assert match.view_name == "activities:checkin_link"
    assert attendance.session_for_token(match.kwargs["token"]) == session
    svg = tablet.get(f"/activities/session/{session.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg["Cache-Control"] == "no-store"
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content
    sheet = tablet.get(f"/activities/session/{session.pk}/qr/print/").content.decode()
    assert "请用手机扫码签到" in sheet and "职工之家" in sheet and a.title in sheet and "data-print" in sheet
    assert "<script>" not in sheet  # the CSP allows no inline script
    count = tablet.get(f"/activities/session/{session.pk}/qr/count/").content.decode()
    assert 'data-testid="count-checked-in">0<' in count


def test_it_rotates_the_qr_code_after_asking(make_activity, people, tablet, login):
    a = make_activity()
    session = a.sessions.get()
    old = link(session)
    page = tablet.get(f"/activities/session/{session.pk}/qr/").content.decode()
    rotate = reverse("activities:session_rotate", args=[session.pk])
    form = re.search(rf'<form[^>]*action="{rotate}"[^>]*>', page).group(0)
    assert "data-confirm=" in form
    response = tablet.post(rotate, {"back": "qr"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/activities/session/{session.pk}/qr/"
    assert "新的签到二维码" in response.content.decode()
    member = login(people.man.user)
    before = written()
    answer = member.post(old).content.decode()
    assert "签到二维码已更换" in answer and written() == before


# --- the member's link ------------------------------------------------------------------------------


def test_it_sends_a_visitor_to_log_in_and_back(make_activity, client):
    a = make_activity()
    url = link(a.sessions.get())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") and "next=" in response["Location"]
    from urllib.parse import parse_qs

    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]


def test_the_link_checks_in_on_post_only_and_once(make_activity, people, login):
    a = make_activity()
    session = a.sessions.get()
    client = login(people.man.user)
    before = written()
    page = client.get(link(session))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="checkin-confirm"' in html and "确认签到" in html and a.title in html
    assert re.search(r'<form method="post">', html)
    client.get(link(session))
    assert written() == before  # a link preview fetching the page checks no one in
    first = client.post(link(session)).content.decode()
    ci = CheckIn.objects.get()
    at = f"{timezone.localtime(ci.at):%H:%M}"
    assert 'data-testid="checkin-ok"' in first and f"签到成功（{at}）" in first
    assert (ci.method, ci.registration.member_id, ci.registration.source) == (Method.QR, people.man.pk, Source.WALKIN)
    after = written()
    second = client.post(link(session)).content.decode()
    assert 'data-testid="checkin-already"' in second and f"您已于{at}签到，无需重复签到" in second
    assert written() == after
    again = client.get(link(session)).content.decode()
    assert "无需重复签到" in again and "确认签到" not in again


def test_the_link_checks_in_only_to_its_own_sessions_activity(make_activity, people, chair, login):
    a, b = make_activity(title="活动甲"), make_activity(title="活动乙")
    for x in (a, b):
        attendance.registration_add(actor=chair, activity=x, member=people.man)
    login(people.man.user).post(link(a.sessions.get()))
    ci = CheckIn.objects.get()
    assert (ci.activity_id, ci.session_id, ci.registration.activity_id) == (a.pk, a.sessions.get().pk, a.pk)


def test_the_link_refuses_a_man_at_a_womens_activity_and_another_unions_member(make_activity, people, tree, login):
    women = make_activity(target=Target.WOMEN, title="女职工插花")
    client = login(people.man.user)
    before = written()
    page = client.get(link(women.sessions.get())).content.decode()
    assert 'data-testid="checkin-refused"' in page and "该活动面向女职工" in page and "女职工插花" not in page
    answer = client.post(link(women.sessions.get())).content.decode()
    assert "该活动面向女职工" in answer
    assert written() == before
    assert "签到成功" in login(people.woman.user).post(link(women.sessions.get())).content.decode()
    # a member of another union
    outsider = member_create(actor=Actor.system(), org=tree.sibling_grassroots, name="外会员", id_number=make_id(),
                             joined_on=dt.date(2020, 1, 1))
    user = staff(tree.sibling_grassroots, Role.MEMBER, username="waihuiyuan")
    Member.objects.filter(pk=outsider.pk).update(user=user)
    ours = make_activity(title="本会活动")
    client = login(user)
    before = written()
    page = client.get(link(ours.sessions.get())).content.decode()
    assert "该活动不面向您所在的工会" in page and "本会活动" not in page
    assert "该活动不面向您所在的工会" in client.post(link(ours.sessions.get())).content.decode()
    assert written() == before


def test_the_link_refuses_forged_altered_rotated_and_untimely_tokens(make_activity, people, chair, login):
    a = make_activity()
    session = a.sessions.get()
    other = make_activity(title="另一项").sessions.get()
    token = attendance.checkin_token(session)
    signer = signing.Signer(salt=attendance.CHECKIN_SALT)
    client = login(people.man.user)
    cases = {
        "forged": ("12.abc:forgedsignature", "签到二维码无效"),
        "other id, same signature": (token.replace(f"{session.pk}.", f"{other.pk}.", 1), "签到二维码无效"),
        "other id signed with this key": (signer.sign(f"{other.pk}.{session.checkin_key}"), "签到二维码已更换"),
        "no dot": (signer.sign("garbage"), "签到二维码无效"),
    }
    before = written()
    for name, (bad, message) in cases.items():
        for method in ("get", "post"):
            answer = getattr(client, method)(f"/activities/c/{bad}/").content.decode()
            assert 'data-testid="checkin-refused"' in answer and message in answer, (name, method)
    services.session_rotate_key(actor=chair, session=session)
    assert "签到二维码已更换" in client.post(f"/activities/c/{token}/").content.decode()
    past = make_activity(starts=-10, length=3, title="昨天的活动")
    assert "本场签到已结束" in client.post(link(past.sessions.get())).content.decode()
    future = make_activity(starts=30, length=2, title="后天的活动")
    assert "签到将于" in client.post(link(future.sessions.get())).content.decode()
    assert written() == before
    # refusals are audited as failures, nothing more
    assert AuditEvent.objects.filter(action="checkin.record", result="failure").count() == len(cases) + 3


def test_the_link_refuses_the_waiting_list_and_a_cancelled_activity(make_activity, people, chair, login):
    a = make_activity(capacity=1)
    attendance.registration_add(actor=chair, activity=a, member=people.others[0])
    attendance.registration_add(actor=chair, activity=a, member=people.man)
    client = login(people.man.user)
    before = written()
    assert "您在候补名单第1位" in client.post(link(a.sessions.get())).content.decode()
    b = make_activity(title="取消了")
    services.activity_set_status(actor=chair, activity=b, status=Status.CANCELLED, reason="场地原因")
    assert "活动已取消，无需签到" in client.post(link(b.sessions.get())).content.decode()
    assert written() == before


def test_a_login_without_a_member_record_gets_an_explanation(make_activity, tree, login):
    a = make_activity()
    client = login(staff(tree.grassroots, Role.MEMBER, username="wuhuiyuan"))  # the 会员 role, no roster entry linked
    response = client.get(link(a.sessions.get()))
    assert response.status_code == 403 and "还没有关联会员信息" in response.content.decode()
    assert client.post(link(a.sessions.get())).status_code == 403
    assert not CheckIn.objects.exists()


def test_it_says_a_link_does_not_work_before_offering_the_button(make_activity, people, login, chair):
    from gonghui.activities import services as activity_services
    from gonghui.activities.models import Status

    a = make_activity(starts=0.5)
    token_link = link(a.sessions.get())
    activity_services.activity_set_status(actor=chair, activity=a, status=Status.CANCELLED, reason="暴雨")
    page = login(people.man.user).get(token_link).content.decode()
    assert "活动已取消" in page and "确认签到" not in page
    later = make_activity(title="下周的活动", starts=24 * 7)
    page = login(people.man.user).get(link(later.sessions.get())).content.decode()
    assert "签到将于" in page and "确认签到" not in page

"""The people of an activity (staff pages): lists, waiting list, adding, cancelling, scores,
undoing a check-in, the printed sign sheet, and who may reach them."""

import datetime as dt
import re

import pytest

from gonghui.access.permissions import Role
from gonghui.activities import attendance
from gonghui.activities.models import CheckIn, Registration, RegStatus, Source, Target
from gonghui.audit.models import AuditEvent
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import staff
from gonghui.testing.members import make_id


def people_url(a, tab=""):
    return f"/activities/{a.pk}/people/" + (f"?tab={tab}" if tab else "")


def rows(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<tr data-testid="person-row">(.*?)</tr>', html, re.S)


@pytest.fixture
def chair_client(login, personas):
    return login(personas.grassroots_chair)


def test_it_puts_sign_ups_beyond_the_capacity_on_the_waiting_list_and_moves_it_up(make_activity, people, chair_client):
    a = make_activity(capacity=2)
    four = [people.man, *people.others[:3]]
    for m in four:
        assert chair_client.post(f"/activities/{a.pk}/people/add/", {"member": m.pk}).status_code == 302
    regs = {r.member_id: r for r in Registration.objects.filter(activity=a)}
    assert [regs[m.pk].status for m in four] == ["registered", "registered", "waitlist", "waitlist"]
    page = chair_client.get(people_url(a, "waitlist"))
    assert [("第1位" in r, four[2].name in r) for r in rows(page)] == [(True, True), (False, False)]
    assert "第2位" in rows(page)[1] and four[3].name in rows(page)[1]
    # the first registered cancels: the first on the list moves up, the second becomes first
    first = regs[four[0].pk]
    response = chair_client.post(f"/activities/registration/{first.pk}/cancel/", {"tab": "registered"}, follow=True)
    assert "已取消" in response.content.decode()
    assert Registration.objects.get(pk=regs[four[2].pk].pk).status == RegStatus.REGISTERED
    waiting = rows(chair_client.get(people_url(a, "waitlist")))
    assert len(waiting) == 1 and "第1位" in waiting[0] and four[3].name in waiting[0]
    registered = "".join(rows(chair_client.get(people_url(a))))
    assert four[2].name in registered and four[0].name not in registered
    assert four[0].name in "".join(rows(chair_client.get(people_url(a, "cancelled"))))


def test_it_says_when_someone_is_added_to_the_waiting_list(make_activity, people, chair_client):
    a = make_activity(capacity=1)
    chair_client.post(f"/activities/{a.pk}/people/add/", {"member": people.others[0].pk})
    response = chair_client.post(f"/activities/{a.pk}/people/add/", {"member": people.others[1].pk}, follow=True)
    assert "名额已满，已将王二列入候补名单第1位" in response.content.decode()
    again = chair_client.post(f"/activities/{a.pk}/people/add/", {"member": people.others[1].pk}, follow=True)
    assert "王二已在候补名单中" in again.content.decode()
    assert Registration.objects.filter(activity=a).count() == 2


def test_it_finds_people_by_name_and_pinyin_initials_members_and_guests_alike(make_activity, people, chair):
    a = make_activity()
    attendance.registration_add(actor=chair, activity=a, member=people.man)  # 张伟
    attendance.registration_add(actor=chair, activity=a, member=people.others[0])  # 王一
    attendance.registration_add(actor=chair, activity=a, name="赵敏", affiliation="辖区居民")
    from django.test import Client

    client = Client()
    client.force_login(chair.user)
    for q, expected in (("zw", "张伟"), ("张", "张伟"), ("zhangwei", "张伟"), ("zm", "赵敏"), ("zhao", "赵敏"), ("wy", "王一")):
        found = rows(client.get(people_url(a), {"q": q}))
        assert len(found) == 1 and expected in found[0], q
    assert rows(client.get(people_url(a), {"q": "xyz"})) == []


def test_it_adds_a_member_found_by_search_and_says_why_one_may_not_take_part(make_activity, people, chair_client):
    a = make_activity(target=Target.WOMEN)
    page = chair_client.get(people_url(a), {"add_q": "lf"}).content.decode()
    assert "李芳" in page
    page = chair_client.get(people_url(a), {"add_q": "zw"}).content.decode()
    block = page.split('data-testid="add-candidates"', 1)[1].split("</ul>", 1)[0]
    assert "张伟" in block and "该活动面向女职工" in block and "disabled" in block
    response = chair_client.post(f"/activities/{a.pk}/people/add/", {"member": people.man.pk}, follow=True)
    assert "该活动面向女职工" in response.content.decode()
    assert not Registration.objects.filter(activity=a).exists()
    chair_client.post(f"/activities/{a.pk}/people/add/", {"member": people.woman.pk})
    reg = Registration.objects.get(activity=a)
    assert (reg.member_id, reg.source, reg.status) == (people.woman.pk, Source.STAFF, RegStatus.REGISTERED)
    # once signed up, no longer offered
    assert "李芳" not in chair_client.get(people_url(a), {"add_q": "lf"}).content.decode().split('data-testid="add-candidates"', 1)[1]


def test_it_adds_a_non_member_and_refuses_a_blank_or_too_long_name(make_activity, chair_client):
    a = make_activity()
    response = chair_client.post(f"/activities/{a.pk}/people/guest/", {"name": "  ", "affiliation": "居民"}, follow=True)
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    response = chair_client.post(f"/activities/{a.pk}/people/guest/", {"name": "长" * 51}, follow=True)
    assert "50" in response.content.decode()
    response = chair_client.post(f"/activities/{a.pk}/people/guest/", {"name": "李四", "gender": "X"}, follow=True)
    assert not Registration.objects.exists()
    chair_client.post(f"/activities/{a.pk}/people/guest/", {"name": "李四", "affiliation": "市第一人民医院", "gender": "M"})
    reg = Registration.objects.get()
    assert (reg.member_id, reg.name, reg.affiliation, reg.gender) == (None, "李四", "市第一人民医院", "M")
    page = chair_client.get(people_url(a)).content.decode()
    assert "非会员" in page and "市第一人民医院" in page


def test_it_asks_before_cancelling_and_undoing_a_check_in(make_activity, people, chair, chair_client):
    a = make_activity()
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    other = attendance.registration_add(actor=chair, activity=a, member=people.others[0])
    ci = attendance.checkin_record(actor=chair, session=a.sessions.get(), registration=reg).checkin
    page = chair_client.get(people_url(a)).content.decode()
    cancel = re.search(rf'<form[^>]*action="/activities/registration/{other.pk}/cancel/"[^>]*>', page).group(0)
    assert "data-confirm=" in cancel and "王一" in cancel
    undo = re.search(rf'<form[^>]*action="/activities/checkin/{ci.pk}/undo/"[^>]*>', page).group(0)
    assert "data-confirm=" in undo and "张伟" in undo
    # someone checked in cannot be cancelled: the service says so
    response = chair_client.post(f"/activities/registration/{reg.pk}/cancel/", follow=True)
    assert "已签到，不能取消报名" in response.content.decode()
    response = chair_client.post(f"/activities/checkin/{ci.pk}/undo/", follow=True)
    assert "已撤销张伟第1场的签到" in response.content.decode()
    assert not CheckIn.objects.exists()
    assert AuditEvent.objects.filter(action="checkin.undo", object_id=str(ci.pk)).exists()


def test_it_records_scores_inline_and_refuses_bad_ones(make_activity, people, chair, chair_client):
    a = make_activity(quiz_name="妇女权益保障法知识答卷", quiz_pass="60")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    url = f"/activities/registration/{reg.pk}/score/"
    assert "妇女权益保障法知识答卷成绩" in chair_client.get(people_url(a)).content.decode()
    cell = chair_client.post(url, {"score": "85.5"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="passed"' in cell and "已保存" in cell and 'value="85.5"' in cell
    assert not cell.lstrip().startswith("<!doctype")
    for bad, message in (("abc", "不是数字"), ("-1", "0到1000"), ("12.34", "最多一位小数")):
        cell = chair_client.post(url, {"score": bad}, HTTP_HX_REQUEST="true").content.decode()
        assert message in cell, bad
    reg.refresh_from_db()
    assert (reg.score, reg.passed) == (85.5, True)
    cell = chair_client.post(url, {"score": "59"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="failed"' in cell
    # without htmx: back to the list with the message
    response = chair_client.post(url, {"score": "x"}, follow=True)
    assert "张伟：成绩“x”不是数字" in response.content.decode()


def test_it_refuses_a_score_where_there_is_no_quiz(make_activity, people, chair, chair_client):
    a = make_activity()
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    cell = chair_client.post(f"/activities/registration/{reg.pk}/score/", {"score": "80"}, HTTP_HX_REQUEST="true").content.decode()
    assert "该活动没有设置答卷或考试" in cell
    reg.refresh_from_db()
    assert reg.score is None


def test_it_prints_a_sign_sheet_with_masked_numbers_only_in_pinyin_order(make_activity, people, chair, chair_client):
    a = make_activity(place="职工之家活动室")
    with_phone = member_create(actor=chair, org=people.man.org, name="周杰", id_number=make_id(), phone="13812345678",
                               joined_on=dt.date(2021, 3, 1))
    for m in (people.man, people.others[0], people.woman, with_phone):
        attendance.registration_add(actor=chair, activity=a, member=m)
    attendance.registration_add(actor=chair, activity=a, name="安然", affiliation="辖区居民")
    attendance.checkin_record(actor=chair, session=a.sessions.get(), registration=Registration.objects.get(member=people.woman))
    response = chair_client.get(f"/activities/{a.pk}/sign-sheet/", {"blank": "3"})
    html = response.content.decode()
    for m in (people.man, people.others[0], people.woman, with_phone):
        m = Member.objects.get(pk=m.pk)
        assert m.id_number not in html and m.id_number[6:14] not in html  # not even the birth date
        assert m.id_masked in html
    assert "13812345678" not in html and "138****5678" in html
    names = [re.search(r'<td class="name">([^<]+)', r).group(1) for r in re.findall(r'<tr data-testid="sign-row">(.*?)</tr>', html, re.S)]
    assert names == ["安然", "李芳", "王一", "张伟", "周杰"]  # an ran, li fang, wang yi, zhang wei, zhou jie
    assert html.count('data-testid="blank-row"') == 3
    assert "已签到" in html and "职工之家活动室" in html and "序号" in html and a.org.name in html
    event = AuditEvent.objects.get(action="attendance.export", object_id=str(a.pk))
    assert event.changes == {"rows": [None, 5]}
    assert chair_client.get(f"/activities/{a.pk}/sign-sheet/", {"blank": "999"}).status_code == 400


def test_a_viewer_sees_the_people_but_cannot_act(make_activity, people, chair, tree, client):
    a = make_activity(quiz_name="答卷")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    viewer = staff(tree.grassroots, Role.FINANCE, username="caiwu")
    client.force_login(viewer)
    page = client.get(people_url(a))
    assert page.status_code == 200 and "张伟" in page.content.decode()
    assert 'data-testid="score-form"' not in page.content.decode() and "取消报名" not in page.content.decode()
    assert client.get(f"/activities/{a.pk}/sign-sheet/").status_code == 200
    for url in (f"/activities/{a.pk}/people/add/", f"/activities/{a.pk}/people/guest/", f"/activities/registration/{reg.pk}/cancel/",
                f"/activities/registration/{reg.pk}/score/", f"/activities/{a.pk}/checkin/record/"):
        assert client.post(url, {"member": people.others[0].pk, "name": "某人", "score": "1"}).status_code == 403, url
    for url in (f"/activities/{a.pk}/checkin/", f"/activities/session/{a.sessions.get().pk}/qr/"):
        assert client.get(url).status_code == 403, url
    assert Registration.objects.filter(activity=a).count() == 1


def test_a_member_cannot_reach_the_staff_pages(make_activity, people, chair, login):
    a = make_activity()
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    ci = attendance.checkin_record(actor=chair, session=a.sessions.get(), registration=reg).checkin
    client = login(people.man.user)
    session = a.sessions.get()
    for url in (people_url(a), f"/activities/{a.pk}/checkin/", f"/activities/{a.pk}/checkin/search/?q=zw",
                f"/activities/{a.pk}/sign-sheet/", f"/activities/session/{session.pk}/qr/", f"/activities/session/{session.pk}/qr.svg",
                f"/activities/session/{session.pk}/qr/print/", f"/activities/session/{session.pk}/qr/count/"):
        assert client.get(url).status_code == 403, url
    for url in (f"/activities/registration/{reg.pk}/cancel/", f"/activities/checkin/{ci.pk}/undo/",
                f"/activities/{a.pk}/people/add/", f"/activities/sessions/{session.pk}/rotate/"):
        assert client.post(url, {"member": people.man.pk}).status_code == 403, url
    assert CheckIn.objects.count() == 1 and Registration.objects.get().status == RegStatus.REGISTERED


def test_another_union_gets_404_on_every_route_and_changes_nothing(make_activity, people, chair, login, personas):
    a = make_activity(quiz_name="答卷")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    session = a.sessions.get()
    ci = attendance.checkin_record(actor=chair, session=session, registration=reg).checkin
    key = session.checkin_key
    client = login(personas.outsider)
    gets = [people_url(a), f"/activities/{a.pk}/checkin/", f"/activities/{a.pk}/checkin/search/?q=zw",
            f"/activities/{a.pk}/sign-sheet/", f"/activities/session/{session.pk}/qr/", f"/activities/session/{session.pk}/qr.svg",
            f"/activities/session/{session.pk}/qr/print/", f"/activities/session/{session.pk}/qr/count/"]
    posts = [f"/activities/{a.pk}/people/add/", f"/activities/{a.pk}/people/guest/", f"/activities/{a.pk}/checkin/record/",
             f"/activities/registration/{reg.pk}/cancel/", f"/activities/registration/{reg.pk}/score/",
             f"/activities/checkin/{ci.pk}/undo/", f"/activities/sessions/{session.pk}/rotate/"]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "张伟" not in response.content.decode() and a.title not in response.content.decode()
    for url in posts:
        assert client.post(url, {"member": people.man.pk, "name": "外人", "score": "1", "registration": reg.pk,
                                 "session": session.pk}).status_code == 404, url
    # nor can the outsider use their own activity's pages to reach ours
    theirs = make_activity(org=personas.outsider.grants.get().org, actor=attendance_actor(personas.outsider))
    response = client.post(f"/activities/{theirs.pk}/checkin/record/", {"session": theirs.sessions.get().pk, "registration": reg.pk})
    assert response.status_code == 404
    response = client.post(f"/activities/{theirs.pk}/checkin/record/", {"session": session.pk, "name": "外人"})
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.checkin_key == key
    assert list(Registration.objects.values_list("pk", "status", "score")) == [(reg.pk, RegStatus.REGISTERED, None)]
    assert list(CheckIn.objects.values_list("pk", flat=True)) == [ci.pk]


def attendance_actor(user):
    from gonghui.testing.factories import actor_of

    return actor_of(user)


def test_it_refuses_malformed_ids_without_a_500(make_activity, chair_client):
    a = make_activity()
    assert chair_client.post(f"/activities/{a.pk}/people/add/", {"member": "9" * 30}).status_code == 400
    response = chair_client.post(f"/activities/{a.pk}/people/add/", {}, follow=True)
    assert "请先查找并选择要添加的会员" in response.content.decode()
    assert chair_client.get(people_url(a), {"tab": "nonsense"}).status_code == 400
    assert chair_client.get(f"/activities/{a.pk}/checkin/", {"session": "abc"}).status_code == 400
    assert not Registration.objects.exists()

"""The activity, session, sign-up, waiting-list, check-in and score services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.activities import attendance, selectors, services
from gonghui.activities.models import Activity, CheckIn, Registration, RegStatus, Session, Status, Target
from gonghui.activities.tests.conftest import hours_from_now, kind
from gonghui.audit.models import AuditEvent


def test_it_creates_an_activity_with_its_first_session(make_activity):
    a = make_activity(length=2)
    assert a.code == f"HD{a.pk:07d}"
    (s,) = a.sessions.all()
    assert (s.seq, s.starts_at, s.ends_at, s.hours) == (1, a.starts_at, a.ends_at, Decimal("2"))
    assert AuditEvent.objects.filter(action="activity.create", object_id=str(a.pk)).exists()


@pytest.mark.parametrize("fields,field", [
    ({"title": "  "}, "title"),
    ({"ends": -1}, "ends_at"),
    ({"capacity": 0.5}, "capacity"),
    ({"cost": "-3"}, "cost"),
    ({"cost": "abc"}, "cost"),
    ({"target": Target.BRANCH}, "target_org"),
    ({"quiz_pass": "60"}, "quiz_name"),
])
def test_it_refuses_bad_activities_in_chinese_and_writes_nothing(tree, chair, fields, field):
    ends = fields.pop("ends", 2)
    values = {"kind": kind(), "title": "运动会", "starts_at": hours_from_now(1), "ends_at": hours_from_now(1 + ends), **fields}
    with pytest.raises(ValidationError) as exc:
        services.activity_create(actor=chair, org=tree.grassroots, **values)
    assert field in exc.value.message_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message_dict[field][0])
    assert not Activity.objects.exists() and not Session.objects.exists()
    assert AuditEvent.objects.filter(action="activity.create", result="failure").exists()


def test_it_keeps_another_union_out(tree, outsider, make_activity):
    with pytest.raises(PermissionDenied):
        services.activity_create(actor=outsider, org=tree.grassroots, kind=kind(), title="x", starts_at=hours_from_now(1),
                                 ends_at=hours_from_now(2))
    a = make_activity()
    with pytest.raises(Http404):
        selectors.activity_get(outsider, a.pk)
    assert not selectors.activities_for(outsider).exists()


def test_it_moves_status_only_along_the_allowed_paths(make_activity, chair):
    a = make_activity(status=Status.PLANNED)
    with pytest.raises(ValidationError, match="取消原因"):
        services.activity_set_status(actor=chair, activity=a, status=Status.CANCELLED)
    services.activity_set_status(actor=chair, activity=a, status=Status.CANCELLED, reason="场地维修")
    with pytest.raises(ValidationError, match="不能改为"):
        services.activity_set_status(actor=chair, activity=a, status=Status.OPEN)
    with pytest.raises(ValidationError, match="已取消"):
        services.activity_update(actor=chair, activity=a, title="新名称")


def test_it_sums_hours_and_person_times_across_sessions(make_activity, chair, people):
    a = make_activity(code="training", title="女工培训班", starts=-30, length=2, is_training=True, status=Status.RUNNING)
    s2 = services.session_add(actor=chair, activity=a, starts_at=hours_from_now(-26), ends_at=hours_from_now(-23), hours="3",
                              teacher="周教授", teacher_title="市妇联讲师", topic="女职工权益保护")
    s1 = a.sessions.get(seq=1)
    r1 = attendance.registration_add(actor=chair, activity=a, member=people.man)
    r2 = attendance.registration_add(actor=chair, activity=a, member=people.woman)
    attendance.registration_add(actor=chair, activity=a, name="居民甲")
    for reg, session in ((r1, s1), (r1, s2), (r2, s2)):
        assert attendance.checkin_record(actor=chair, session=session, registration=reg).created
    again = attendance.checkin_record(actor=chair, session=s2, registration=r2)
    assert not again.created and CheckIn.objects.count() == 3
    att = selectors.attendance_of(a)
    assert (att.registered, att.attended, att.person_times, att.members, att.absent) == (3, 2, 3, 2, 1)
    assert att.hours == Decimal("8")  # 2 + 3 for the man, 3 for the woman
    rows = {r.name: r for r in selectors.registrations_of(a)}
    assert (rows["张伟"].attended, rows["张伟"].hours, rows["李芳"].hours) == (2, Decimal("5"), Decimal("3"))
    assert selectors.member_hours(people.man) == Decimal("5")


def test_it_fills_the_capacity_then_the_waiting_list_and_moves_it_up(make_activity, chair, people):
    a = make_activity(capacity=2)
    regs = [attendance.registration_add(actor=chair, activity=a, member=m) for m in people.others[:4]]
    assert [r.status for r in regs] == [RegStatus.REGISTERED] * 2 + [RegStatus.WAITLIST] * 2
    assert attendance.waitlist_position(regs[3]) == 2
    attendance.registration_cancel(actor=chair, registration=regs[0])
    regs = [Registration.objects.get(pk=r.pk) for r in regs]
    assert [r.status for r in regs] == [RegStatus.CANCELLED, RegStatus.REGISTERED, RegStatus.REGISTERED, RegStatus.WAITLIST]
    assert attendance.waitlist_position(regs[3]) == 1
    with pytest.raises(ValidationError, match="不能少于已报名人数"):
        services.activity_update(actor=chair, activity=a, capacity=1)
    services.activity_update(actor=chair, activity=a, capacity=3)
    assert Registration.objects.get(pk=regs[3].pk).status == RegStatus.REGISTERED


def test_it_lets_a_member_sign_up_only_for_what_is_open_to_them(make_activity, people, chair):
    women = make_activity(target=Target.WOMEN, title="女职工插花")
    with pytest.raises(ValidationError, match="女职工"):
        attendance.registration_signup(actor=people.man_actor, activity=women, member=people.man)
    reg = attendance.registration_signup(actor=people.woman_actor, activity=women, member=people.woman)
    assert reg.source == "self" and reg.unit_path == people.woman.org_path
    with pytest.raises(ValidationError, match="已报名"):
        attendance.registration_signup(actor=people.woman_actor, activity=women, member=people.woman)
    with pytest.raises(ValidationError, match="本人"):
        attendance.registration_signup(actor=people.woman_actor, activity=women, member=people.man)
    planned = make_activity(status=Status.PLANNED, title="未开放")
    with pytest.raises(ValidationError, match="不在报名期间"):
        attendance.registration_signup(actor=people.man_actor, activity=planned, member=people.man)
    cancelled = make_activity(title="取消的")
    services.activity_set_status(actor=chair, activity=cancelled, status=Status.CANCELLED, reason="天气")
    with pytest.raises(ValidationError, match="已取消"):
        attendance.registration_signup(actor=people.man_actor, activity=cancelled, member=people.man)
    with pytest.raises(ValidationError, match="已取消"):
        attendance.registration_add(actor=chair, activity=cancelled, member=people.man)


def test_it_checks_in_by_link_once_and_only_to_its_own_session(make_activity, people, chair):
    a = make_activity(starts=0.5)
    b = make_activity(title="另一项活动", starts=0.5)
    token = attendance.checkin_token(a.sessions.get())
    first = attendance.checkin_by_link(actor=people.man_actor, token=token, member=people.man)
    assert first.created and first.registration.source == "walkin" and "签到成功" in first.message
    second = attendance.checkin_by_link(actor=people.man_actor, token=token, member=people.man)
    assert not second.created and "无需重复签到" in second.message
    assert CheckIn.objects.count() == 1 and not Registration.objects.filter(activity=b).exists()


def test_it_refuses_forged_rotated_and_late_links(make_activity, people, chair):
    a = make_activity(starts=0.5)
    session = a.sessions.get()
    token = attendance.checkin_token(session)
    other = make_activity(title="别的活动", starts=0.5).sessions.get()
    forged = token.replace(f"{session.pk}.", f"{other.pk}.", 1)
    for bad, words in ((forged, "无效"), (token[:-2] + "xx", "无效"), ("", "无效")):
        with pytest.raises(ValidationError, match=words):
            attendance.checkin_by_link(actor=people.man_actor, token=bad, member=people.man)
    services.session_rotate_key(actor=chair, session=session)
    with pytest.raises(ValidationError, match="已更换"):
        attendance.checkin_by_link(actor=people.man_actor, token=token, member=people.man)
    past = make_activity(title="昨天的", starts=-30, length=2, status=Status.RUNNING)
    with pytest.raises(ValidationError, match="签到已结束"):
        attendance.checkin_by_link(actor=people.man_actor, token=attendance.checkin_token(past.sessions.get()), member=people.man)
    future = make_activity(title="下周的", starts=24 * 7)
    with pytest.raises(ValidationError, match="签到将于"):
        attendance.checkin_by_link(actor=people.man_actor, token=attendance.checkin_token(future.sessions.get()), member=people.man)
    assert not CheckIn.objects.exists()


def test_it_refuses_a_link_to_a_member_the_activity_is_not_open_to(make_activity, people, tree, chair):
    branch_only = make_activity(target=Target.BRANCH, target_org=tree.branch, starts=0.5)
    with pytest.raises(ValidationError, match="一车间分会"):
        attendance.checkin_by_link(actor=people.man_actor, token=attendance.checkin_token(branch_only.sessions.get()), member=people.man)
    assert attendance.checkin_by_link(actor=people.woman_actor, token=attendance.checkin_token(branch_only.sessions.get()),
                                      member=people.woman).created


def test_it_refuses_a_walk_in_by_link_when_full_and_a_waitlisted_member(make_activity, people, chair):
    a = make_activity(capacity=1, starts=0.5)
    attendance.registration_add(actor=chair, activity=a, member=people.others[0])
    waiting = attendance.registration_signup(actor=people.man_actor, activity=a, member=people.man)
    assert waiting.status == RegStatus.WAITLIST
    token = attendance.checkin_token(a.sessions.get())
    with pytest.raises(ValidationError, match="候补名单第1位"):
        attendance.checkin_by_link(actor=people.man_actor, token=token, member=people.man)
    # The staff at the door decide: they can take them in.
    assert attendance.checkin_record(actor=chair, session=a.sessions.get(), registration=waiting).created
    assert Registration.objects.get(pk=waiting.pk).status == RegStatus.REGISTERED
    assert AuditEvent.objects.filter(action="registration.promote", object_id=str(waiting.pk)).exists()


def test_it_records_scores_against_the_pass_mark(make_activity, chair, people):
    a = make_activity(code="contest", quiz_name="妇女权益保障法知识答卷", quiz_pass="60")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.woman)
    assert attendance.score_record(actor=chair, registration=reg, score="85.5").passed is True
    assert attendance.score_record(actor=chair, registration=reg, score="59").passed is False
    with pytest.raises(ValidationError, match="0到1000"):
        attendance.score_record(actor=chair, registration=reg, score="-1")
    plain = make_activity(title="无答卷")
    with pytest.raises(ValidationError, match="没有设置答卷"):
        attendance.score_record(actor=chair, registration=attendance.registration_add(actor=chair, activity=plain, member=people.man), score="1")


def test_it_refuses_a_cancellation_after_check_in_and_a_late_self_cancellation(make_activity, chair, people):
    a = make_activity(starts=-1, length=3, status=Status.RUNNING)
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    with pytest.raises(ValidationError, match="活动已开始"):
        attendance.registration_cancel(actor=people.man_actor, registration=reg)
    attendance.checkin_record(actor=chair, session=a.sessions.get(), registration=reg)
    with pytest.raises(ValidationError, match="已签到"):
        attendance.registration_cancel(actor=chair, registration=reg)
    with pytest.raises(ValidationError, match="已有人签到"):
        services.activity_set_status(actor=chair, activity=a, status=Status.CANCELLED, reason="x")


def test_it_keeps_one_session_on_the_activity_times(make_activity, chair):
    a = make_activity(length=2)
    services.activity_update(actor=chair, activity=a, starts_at=a.starts_at + dt.timedelta(days=1),
                             ends_at=a.ends_at + dt.timedelta(days=1))
    s = a.sessions.get()
    assert (s.starts_at, s.ends_at) == (a.starts_at, a.ends_at)
    with pytest.raises(ValidationError, match="至少要有一个场次"):
        services.session_remove(actor=chair, session=s)

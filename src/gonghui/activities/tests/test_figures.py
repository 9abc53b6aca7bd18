"""The activity figures (figures.py): exact on records entered through the services, scoped
to the actor and the union asked for, counted by kind, month and branch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gonghui.activities import attendance, figures, services
from gonghui.activities.models import Status, Target
from gonghui.activities.tests.conftest import kind
from gonghui.testing.factories import actor_of

D = dt.date
YEAR = (D(2025, 1, 1), D(2025, 12, 31))


def at(day: dt.date, hour: float = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(int(hour), int(hour % 1 * 60))))


def held(actor, org, code: str, title: str, day: dt.date, *, hours: float = 3, status=Status.DONE, **kw):
    """An activity of `day` that took place (或 is going on), written through the service."""
    return services.activity_create(actor=actor, org=org, kind=kind(code), title=title, starts_at=at(day, kw.pop("hour", 9)),
                                    ends_at=at(day, kw.pop("hour_end", 9 + hours)), status=status, **kw)


def check_in(actor, activity, members=(), guests=(), *, seq: int = 1, gender: str = ""):
    """Staff check people in at the door of session `seq`; returns the registrations."""
    session = activity.sessions.get(seq=seq)
    regs = [attendance.checkin_record(actor=actor, session=session, member=m).registration for m in members]
    for name in guests:
        if gender:
            attendance.registration_add(actor=actor, activity=activity, name=name, gender=gender)
        regs.append(attendance.checkin_record(actor=actor, session=session, name=name).registration)
    return regs


@pytest.fixture
def year_of_work(tree, chair, people, personas):
    """A year of a grassroots union (G1) and its branch (B1), with records outside the year
    and at the sibling union that must not count."""
    man, woman, others = people.man, people.woman, people.others
    hospital = services.partner_create(actor=chair, org=tree.grassroots, name="市第一人民医院", category="hospital")
    a1 = held(chair, tree.grassroots, "sports", "迎新春职工趣味运动会", D(2025, 3, 10))
    check_in(chair, a1, [man, others[0], others[1]], ["居民甲"])
    a2 = held(chair, tree.branch, "sports", "一车间拔河比赛", D(2025, 5, 6))
    check_in(chair, a2, [woman, man])
    a3 = held(chair, tree.grassroots, "training", "安全生产培训班", D(2025, 6, 2), is_training=True)
    services.session_add(actor=chair, activity=a3, starts_at=at(D(2025, 6, 3)), ends_at=at(D(2025, 6, 3), 11), hours="2",
                         topic="安全生产法", teacher="张明", teacher_title="市应急管理局专家")
    check_in(chair, a3, [man, others[2]])
    check_in(chair, a3, [man], seq=2)
    a4 = held(chair, tree.grassroots, "health", "职工健康义诊", D(2025, 9, 20), partners=[hospital], beneficiaries=100,
              cost="500", funding="union")
    check_in(chair, a4, [others[3]])
    cancelled = held(chair, tree.grassroots, "sports", "国庆登山", D(2025, 10, 1), status=Status.PLANNED)
    services.activity_set_status(actor=chair, activity=cancelled, status=Status.CANCELLED, reason="天气原因")
    a6 = held(chair, tree.grassroots, "women", "三八节知识答卷", D(2025, 3, 8), target=Target.WOMEN,
              quiz_name="妇女权益保障法知识答卷", quiz_pass="60")
    regs = check_in(chair, a6, [woman], ["李四"], gender="F")
    attendance.score_record(actor=chair, registration=regs[0], score="80")
    attendance.score_record(actor=chair, registration=regs[1], score="50")
    held(chair, tree.grassroots, "sports", "年终联欢会", D(2025, 12, 31), hour=20, hour_end=22)
    held(chair, tree.grassroots, "sports", "跨年夜活动", D(2024, 12, 31), hour=22, hour_end=23)  # last year
    held(chair, tree.grassroots, "sports", "计划中的活动", D(2025, 11, 1), status=Status.PLANNED)  # not held
    outsider = actor_of(personas.outsider)
    elsewhere = held(outsider, tree.sibling_grassroots, "sports", "望湖篮球赛", D(2025, 4, 1))
    check_in(outsider, elsewhere, guests=["王五", "赵六"])
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a6": a6, "hospital": hospital}


def test_it_counts_a_year_exactly(year_of_work, tree, chair):
    f = figures.figures(chair, tree.grassroots, *YEAR)
    assert (f.held, f.cancelled) == (6, 1)
    assert (f.checkins, f.attendees, f.non_members, f.beneficiaries) == (12, 11, 2, 100)
    assert (f.members_attended, f.members_in_scope, f.participants) == (6, 6, 8)
    assert f.members == 7 and f.rate == Decimal(6) / Decimal(7)
    assert [(r.label, r.held, r.checkins) for r in f.by_kind] == [
        ("培训讲座", 1, 3), ("文体活动", 3, 6), ("健康义诊/体检", 1, 1), ("女职工活动", 1, 2)]
    months = {r.key: (r.held, r.checkins) for r in f.by_month}
    assert len(months) == 12 and months["2025-03"] == (2, 6) and months["2025-05"] == (1, 2)
    assert months["2025-12"] == (1, 0) and months["2025-01"] == (0, 0)
    assert f.kind_month[(kind("sports").pk, "2025-03")] == 1


def test_it_counts_training_hours_per_person_and_per_member(year_of_work, tree, chair):
    t = figures.figures(chair, tree.grassroots, *YEAR).training
    assert (t.held, t.sessions, t.trainees, t.enrolments, t.checkins) == (1, 2, 2, 2, 3)
    assert t.class_hours == Decimal(5) and t.hours == Decimal(8)  # 3 h × 2 people + 2 h × 1
    assert t.member_hours == Decimal(8) and t.hours_per_member == Decimal("1.1")  # 8 ÷ 7 members
    (c,) = t.classes
    assert c.teachers == [("张明", "市应急管理局专家")]


def test_it_counts_quizzes_partners_and_money(year_of_work, tree, chair):
    f = figures.figures(chair, tree.grassroots, *YEAR)
    (q,) = f.quizzes
    assert (q.scored, q.passed, q.women, q.all_women) == (2, 1, 2, True)
    (p,) = f.partners
    assert (p.name, p.activities, p.served, p.category_label) == ("市第一人民医院", 1, 101, "医院/卫生机构")
    assert [(c.label, c.partners, c.activities) for c in f.partner_categories] == [("医院/卫生机构", 1, 1)]
    assert [(r.label, r.held, r.cost) for r in f.funding] == [("工会经费", 1, Decimal("500.00"))]
    assert f.cost == Decimal("500.00")


def test_it_breaks_down_by_the_unions_directly_below(year_of_work, tree, chair, personas):
    f = figures.figures(chair, tree.grassroots, *YEAR)
    assert [(b.label, b.held, b.checkins) for b in f.by_branch] == [("临江精机工会（本级）", 5, 10), ("一车间分会", 1, 2)]
    branch = f.by_branch[1]
    assert (branch.attended, branch.members, branch.rate) == (1, 1, Decimal(1))
    district = figures.figures(actor_of(personas.district_admin), tree.district, *YEAR)
    assert [(b.label, b.held, b.checkins) for b in district.by_branch] == [("临江街道工会", 6, 12), ("望湖街道工会", 1, 2)]
    assert district.participants == 8 + 2 and district.held == 7


def test_it_keeps_each_union_to_its_own_records(year_of_work, tree, chair, personas):
    outsider = actor_of(personas.outsider)
    with pytest.raises(PermissionDenied):
        figures.figures(outsider, tree.grassroots, *YEAR)
    own = figures.figures(outsider, tree.sibling_street, *YEAR)
    assert (own.held, own.checkins, own.participants) == (1, 2, 2)
    assert not {a.id for a in own.activities} & {a.pk for a in year_of_work.values() if hasattr(a, "kind_id")}
    lead = actor_of(personas.branch_lead)
    with pytest.raises(PermissionDenied):
        figures.figures(lead, tree.grassroots, *YEAR)
    branch = figures.figures(lead, tree.branch, *YEAR)
    assert [a.title for a in branch.activities] == ["一车间拔河比赛"]
    assert (branch.checkins, branch.members_in_scope, branch.members) == (2, 1, 1)


def test_it_counts_a_federation_office_apart_from_its_subtree(year_of_work, tree, personas):
    admin = actor_of(personas.district_admin)
    held(admin, tree.district, "festival", "区总工会迎春游园会", D(2025, 2, 1))
    office = figures.figures(admin, tree.district, *YEAR, subtree=False)
    assert [a.title for a in office.activities] == ["区总工会迎春游园会"] and not office.by_branch[1:]
    assert figures.figures(admin, tree.district, *YEAR).held == 8


def test_it_counts_a_member_once_however_many_activities(tree, chair, people):
    for day in (D(2025, 4, 1), D(2025, 4, 8), D(2025, 4, 15)):
        check_in(chair, held(chair, tree.grassroots, "sports", f"{day.day}日羽毛球赛", day), [people.man])
    f = figures.figures(chair, tree.grassroots, *YEAR)
    assert (f.checkins, f.attendees, f.participants, f.members_in_scope) == (3, 3, 1, 1)


def test_it_has_nothing_to_count_in_an_empty_year(tree, chair, people):
    f = figures.figures(chair, tree.grassroots, D(2030, 1, 1), D(2030, 12, 31))
    assert (f.held, f.checkins, f.participants, f.rate) == (0, 0, 0, Decimal(0))
    assert f.by_kind == [] and f.quizzes == [] and f.partners == [] and f.training.held == 0


def test_it_links_each_figure_to_the_filtered_list(year_of_work, tree, chair):
    f = figures.figures(chair, tree.grassroots, *YEAR)
    assert f.link() == "/activities/?org=G1&year=2025"
    assert f.link(kind="sports") == "/activities/?org=G1&year=2025&kind=sports"
    half = figures.figures(chair, tree.grassroots, D(2025, 1, 1), D(2025, 6, 30))
    assert half.link() == "/activities/?org=G1&year=2025&start=2025-01-01&end=2025-06-30"
    assert figures.period_query(D(2025, 3, 1), D(2025, 3, 31)) == {"year": 2025, "month": 3}
    assert f.by_kind[1].query == {"kind": "sports"} and f.by_month[2].query == {"year": 2025, "month": 3}


def test_it_shows_this_year_and_the_coming_fortnight_on_the_panel(tree, chair, people, make_activity):
    today = timezone.localdate()
    a = held(chair, tree.grassroots, "sports", "本年早些时候的活动", D(today.year, 1, 1), hour=0.5, hour_end=2)
    check_in(chair, a, [people.man, people.woman])
    make_activity(title="下周的活动", starts=24 * 3)
    make_activity(title="一个月后的活动", starts=24 * 30)
    p = figures.panel(chair, tree.grassroots, today=today)
    assert (p.held, p.checkins) == (1, 2)
    assert [x.title for x in p.upcoming] == ["下周的活动"] and p.open_signups == 2


@pytest.mark.django_db(transaction=True)
def test_it_never_serves_figures_counted_before_a_check_in_was_added_or_undone(tree, chair, people):
    """Outside a transaction the check-in counts come from the cache, under a key that
    changes with every check-in added or undone."""
    from django.core.cache import cache

    cache.clear()
    a = held(chair, tree.grassroots, "sports", "乒乓球赛", D(2025, 4, 1))
    check_in(chair, a, [people.man])
    assert figures.figures(chair, tree.grassroots, *YEAR).checkins == 1
    assert figures.figures(chair, tree.grassroots, *YEAR).checkins == 1  # from the cache
    (ci,) = check_in(chair, a, [people.woman])[0].checkins.all()
    assert figures.figures(chair, tree.grassroots, *YEAR).checkins == 2
    attendance.checkin_undo(actor=chair, checkin=ci)
    f = figures.figures(chair, tree.grassroots, *YEAR)
    assert (f.checkins, f.participants) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_it_never_serves_training_hours_counted_before_a_session_changed(tree, chair, people):
    from django.core.cache import cache

    from gonghui.activities import services

    cache.clear()
    a = held(chair, tree.grassroots, "training", "安全生产培训班", D(2025, 4, 1), is_training=True)
    check_in(chair, a, [people.man])
    before = figures.figures(chair, tree.grassroots, *YEAR).training.hours
    session = a.sessions.get()
    services.session_update(actor=chair, session=session, hours=session.hours + 2)
    assert figures.figures(chair, tree.grassroots, *YEAR).training.hours == before + 2


# --- the 活动统计 page and the dashboard panel ---------------------------------------------------


def test_it_shows_the_figures_of_a_year_each_linked_to_its_activities(year_of_work, tree, login, personas):
    client = login(personas.grassroots_chair)
    page = client.get("/activities/stats/", {"year": "2025"})
    assert page.status_code == 200
    html = page.content.decode()
    for testid, value in (("stat-held", "6"), ("stat-checkins", "12"), ("stat-participants", "8"), ("stat-rate", "85.7%"),
                          ("stat-classes", "1"), ("stat-hours", "1.1"), ("stat-partners", "1"), ("stat-cost", "500")):
        assert f'data-testid="{testid}">{value}<' in html, testid
    assert 'href="/activities/?org=G1&amp;year=2025&amp;kind=sports"' in html  # a kind's row
    assert 'href="/activities/?org=G1&amp;year=2025&amp;kind=sports&amp;month=3"' in html  # a kind × month cell
    assert "市第一人民医院" in html and "妇女权益保障法知识答卷" in html and "市应急管理局专家张明" in html
    assert "望湖篮球赛" not in html and 'id="chart-kinds"' in html


def test_it_keeps_the_page_to_the_unions_the_actor_may_see(year_of_work, tree, login, personas):
    outsider = login(personas.outsider)
    assert outsider.get("/activities/stats/", {"org": "G1", "year": "2025"}).status_code == 404
    own = outsider.get("/activities/stats/", {"year": "2025"}).content.decode()
    assert 'data-testid="stat-held">1<' in own and "一车间" not in own and "市第一人民医院" not in own
    lead = login(personas.branch_lead)
    assert lead.get("/activities/stats/", {"org": "G1"}).status_code == 404
    assert 'data-testid="stat-held">1<' in lead.get("/activities/stats/", {"year": "2025"}).content.decode()


@pytest.mark.parametrize("params", [{"year": "20x5"}, {"start": "2025-02-30"}, {"start": "2025-06-01", "end": "2025-05-01"},
                                    {"start": "2015-01-01", "end": "2025-12-31"}, {"subtree": "yes"}, {"org": "G" * 40}])
def test_it_refuses_bad_parameters_in_chinese(tree, login, personas, params):
    page = login(personas.grassroots_chair).get("/activities/stats/", params)
    assert page.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in page.content.decode())


def test_it_counts_a_federation_office_or_its_subtree_on_the_page(year_of_work, tree, login, personas):
    admin = login(personas.district_admin)
    whole = admin.get("/activities/stats/", {"year": "2025"}).content.decode()
    assert 'data-testid="stat-held">7<' in whole and "临江街道工会" in whole and "望湖街道工会" in whole
    office = admin.get("/activities/stats/", {"year": "2025", "subtree": "0"}).content.decode()
    assert 'data-testid="stat-held">0<' in office


def test_it_needs_the_right_to_see_activities(tree, people, client):
    client.force_login(people.man.user)
    assert client.get("/activities/stats/").status_code in (302, 403)


def test_it_shows_the_panel_with_this_years_work(tree, chair, people, personas, rf):
    from django.template.loader import render_to_string

    from gonghui.activities.panels import dashboard_panel

    today = timezone.localdate()
    check_in(chair, held(chair, tree.grassroots, "sports", "年初运动会", D(today.year, 1, 1), hour=0.5, hour_end=2), [people.man])
    request = rf.get("/")
    request.actor = chair
    panel = dashboard_panel(request)
    html = render_to_string(panel["template"], {"panel": panel})
    assert 'data-testid="stat-activities">1<' in html and 'data-testid="stat-person-times">1<' in html
    request.actor = actor_of(personas.outsider)
    assert 'data-testid="stat-activities">0<' in render_to_string("activities/_panel.html", {"panel": dashboard_panel(request)})
    request.actor = actor_of(people.man.user)
    assert dashboard_panel(request) is None

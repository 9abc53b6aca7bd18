"""Activities and training in the work summary: the sentences of issue 14 from records entered
through the services, kinds without records left out, 同比, the opening, the 存在问题 rules,
the statistics page, and the lint."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.access.actor import Actor
from gonghui.activities import attendance, services, study
from gonghui.activities.models import Target
from gonghui.activities.tests.test_figures import at, check_in, held
from gonghui.members.services import member_create
from gonghui.summary.assemble import accept_all, generate
from gonghui.summary.document import plain_text
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
_seq = iter(range(1, 100_000))


def members(actor, org, n: int, *, female: bool | None = None, joined=D(2020, 1, 1)):
    out = []
    for _ in range(n):
        k = next(_seq)
        male = (k % 2 == 0) if female is None else not female
        out.append(member_create(actor=actor, org=org, name=f"会员{k}", id_number=make_id(D(1975, 1, 1) + dt.timedelta(days=k), male=male),
                                 joined_on=joined, phone="13800138000", education="college"))
    return out


def guests(n: int, prefix: str = "职工") -> list[str]:
    return [f"{prefix}{next(_seq)}" for _ in range(n)]


def draft(actor, org, period="2025", *, subtree=False, today=D(2026, 1, 10)) -> tuple[str, dict]:
    generated = generate(actor=actor, org=org, period=parse_period(period), subtree=subtree, today=today)
    return plain_text(generated.document), generated.document


def part(document, theme: str) -> str:
    for p in document["parts"]:
        if p["key"] == theme:
            return "\n".join("".join(r["text"] for r in i["runs"]) for s in p["sections"] for i in s["items"])
    return ""


def suggestions(document) -> dict[str, str]:
    return {s["key"]: "".join(r["text"] for r in s["runs"]) for s in document["suggestions"]}


def test_it_writes_the_sentences_of_the_issue_from_records(tree, chair):
    """全年举办文体活动8次，参加职工560人次 / 举办培训班3期（…），培训职工210人次 / 组织115名女职工参加…
    答卷 / 联合市第一人民医院开展健康义诊2次，受益群众180人 / 开展读书活动，应交学习心得412篇，实交398篇."""
    g = tree.grassroots
    staff = members(chair, g, 70)
    for month in range(1, 9):
        check_in(chair, held(chair, g, "sports", f"{month}月职工文体活动", D(2025, month, 12)), staff)
    for month, title in ((4, "女工培训班"), (6, "职工代表培训班"), (9, "生产劳动保护培训班")):
        check_in(chair, held(chair, g, "training", title, D(2025, month, 20), is_training=True), guests=guests(70, "学员"))
    quiz = held(chair, g, "women", "三八节知识答卷", D(2025, 3, 8), target=Target.WOMEN, quiz_name="妇女权益保障法知识答卷",
                quiz_pass="60")
    for i, name in enumerate(guests(115, "女职工")):
        reg = attendance.registration_add(actor=chair, activity=quiz, name=name, gender="F")
        attendance.score_record(actor=chair, registration=reg, score=str(60 + i % 40))
    hospital = services.partner_create(actor=chair, org=g, name="市第一人民医院", category="hospital")
    for day, served in ((D(2025, 5, 16), 70), (D(2025, 10, 16), 80)):
        check_in(chair, held(chair, g, "health", "职工健康义诊", day, partners=[hospital], beneficiaries=served), guests=guests(15))
    readers = staff + members(chair, g, 33)
    reading = study.assignment_create(actor=chair, org=g, title="读书活动", starts_on=D(2025, 3, 1), due_on=D(2025, 11, 30),
                                      per_member=4, noun="学习心得")
    for i, m in enumerate(readers):
        for _ in range(4 if i < 99 else (2 if i == 99 else 0)):
            study.submission_add(actor=chair, assignment=reading, member=m, text="读书体会", submitted_on=D(2025, 6, 1))

    text, document = draft(Actor.system(), g)
    activities, education = part(document, "activities"), part(document, "education")
    assert "全年举办文体活动8次，参加职工560人次" in activities
    assert "全年联合市第一人民医院开展健康义诊2次，受益群众180人" in activities
    assert "举办培训班3期（女工培训班1期、职工代表培训班1期、生产劳动保护培训班1期），培训职工210人次" in education
    assert "组织115名女职工参加妇女权益保障法知识答卷，全部合格" in education
    assert "全年开展读书活动，应交学习心得412篇，实交398篇，完成率96.6%" in education
    assert "女职工活动" not in activities  # the quiz is written once, under 学习教育
    assert "志愿服务" not in text and "参观学习" not in text  # kinds without records write nothing
    assert not lint(accept_all(document), names=[g.name, g.display_name])


def test_it_names_a_single_activity_with_its_date_and_partner(tree, chair, people):
    hospital = services.partner_create(actor=chair, org=tree.grassroots, name="朝聚眼科医院", category="hospital")
    a = held(chair, tree.grassroots, "women", "庆三八眼科健康知识讲座", D(2025, 3, 8), partners=[hospital])
    check_in(chair, a, [people.woman], guests(39))
    held(chair, tree.grassroots, "volunteer", "学雷锋日", D(2025, 3, 5), beneficiaries=60)
    text = part(draft(Actor.system(), tree.grassroots)[1], "activities")
    assert "3月8日，联合朝聚眼科医院开展“庆三八眼科健康知识讲座”，40名职工群众参加" in text
    assert "3月5日，开展“学雷锋日”志愿服务活动，受益群众60人" in text
    assert "共组织开展各类职工活动" not in text  # one kind's figures are not restated as a total


def test_it_compares_with_the_same_period_last_year(tree, chair):
    for year, n in ((2024, 5), (2025, 8)):
        for month in range(1, n + 1):
            check_in(chair, held(chair, tree.grassroots, "sports", "球赛", D(year, month, 3)), guests=guests(2))
    check_in(chair, held(chair, tree.grassroots, "festival", "中秋游园会", D(2025, 9, 20)), guests=guests(30))
    text = part(draft(Actor.system(), tree.grassroots)[1], "activities")
    assert "全年举办文体活动8次，参加职工群众16人次，同比增加3次" in text
    assert "全年举办节日活动" not in text and "9月20日，举办“中秋游园会”，30名职工群众参加" in text
    assert "全年共组织开展各类职工活动9次，参加职工群众46人次，同比增加4次" in text


def test_it_states_the_members_taking_part_and_opens_with_the_activities(tree, chair, people):
    everyone = [people.man, people.woman, *people.others]
    a = held(chair, tree.grassroots, "sports", "职工运动会", D(2025, 5, 1))
    b = held(chair, tree.grassroots, "festival", "端午包粽子", D(2025, 5, 30))
    check_in(chair, a, everyone[:5], guests(20))
    check_in(chair, b, everyone[:3], guests(20))
    text, document = draft(Actor.system(), tree.grassroots)
    assert "全年共有5名会员参加了工会组织的活动和培训，占会员总数的71.4%" in part(document, "activities")
    opening = "".join(r["text"] for r in document["opening"][0]["runs"])
    assert "组织开展各类职工活动2次，参加职工群众48人次" in opening


def test_it_suggests_a_problem_when_participation_fell_and_not_otherwise(tree, chair, people, personas):
    crowd = members(chair, tree.grassroots, 20)
    check_in(chair, held(chair, tree.grassroots, "sports", "运动会", D(2024, 5, 1)), crowd)
    a = held(chair, tree.grassroots, "sports", "运动会", D(2025, 5, 1))
    check_in(chair, a, crowd[:18])
    assert "activities.problem_participation" not in suggestions(draft(Actor.system(), tree.grassroots)[1])
    b = held(chair, tree.grassroots, "sports", "运动会", D(2025, 5, 1))  # the same, for another union: nothing
    outsider = actor_of(personas.outsider)
    check_in(outsider, held(outsider, tree.sibling_grassroots, "sports", "篮球赛", D(2025, 6, 1)), guests=guests(40))
    assert b and "activities.problem_participation" not in suggestions(draft(Actor.system(), tree.grassroots)[1])
    attendance.checkin_undo(actor=chair, checkin=a.checkins.order_by("id").last())
    for ci in list(a.checkins.order_by("id"))[:8]:
        attendance.checkin_undo(actor=chair, checkin=ci)
    found = suggestions(draft(Actor.system(), tree.grassroots)[1])
    assert found["activities.problem_participation"] == (
        "职工活动的参与面还不够广，2025年有9名会员参加了工会组织的活动和培训，占会员总数的33.3%，上年同期为74.1%。")
    assert "activities.plan_participation" in found
    # half a year in, the comparison is not made
    assert "activities.problem_participation" not in suggestions(
        draft(Actor.system(), tree.grassroots, "2025", today=D(2025, 7, 1))[1])


def test_it_suggests_a_problem_when_few_pieces_were_handed_in(tree, chair):
    readers = members(chair, tree.grassroots, 12)
    task = study.assignment_create(actor=chair, org=tree.grassroots, title="学习新工会法", starts_on=D(2025, 3, 1),
                                   due_on=D(2025, 6, 30))
    for m in readers[:6]:
        study.submission_add(actor=chair, assignment=task, member=m, text="心得", submitted_on=D(2025, 5, 1))
    text, document = draft(Actor.system(), tree.grassroots)
    assert "全年开展“学习新工会法”学习活动，应交学习心得12篇，实交6篇，完成率50%" in part(document, "education")
    assert suggestions(document)["activities.problem_study.学习心得"] == (
        "职工学习任务完成得还不够好，2025年应交学习心得12篇，实交6篇，完成率50%。")
    for m in readers[6:]:
        study.submission_add(actor=chair, assignment=task, member=m, text="心得", submitted_on=D(2025, 5, 1))
    assert "activities.problem_study.学习心得" not in suggestions(draft(Actor.system(), tree.grassroots)[1])


def test_it_suggests_more_training_when_hours_per_member_fell(tree, chair):
    crowd = members(chair, tree.grassroots, 12)
    for year, n in ((2024, 12), (2025, 3)):
        c = held(chair, tree.grassroots, "training", "岗位技能培训班", D(year, 4, 10), is_training=True)
        check_in(chair, c, crowd[:n])
    found = suggestions(draft(Actor.system(), tree.grassroots)[1])
    assert found["activities.problem_training"] == (
        "职工教育培训工作有待加强，2025年会员人均参加培训0.8学时，上年同期会员人均参加培训3学时。")


def test_it_writes_one_training_class_with_its_teacher(tree, chair, people):
    c = held(chair, tree.grassroots, "training", "工会干部培训班", D(2025, 5, 12), is_training=True)
    services.session_add(actor=chair, activity=c, starts_at=at(D(2025, 5, 13)), ends_at=at(D(2025, 5, 13), 12), hours="3",
                         teacher="张明", teacher_title="市总工会法律顾问")
    check_in(chair, c, [people.man, people.woman])
    check_in(chair, c, [people.man], seq=2)
    text = part(draft(Actor.system(), tree.grassroots)[1], "education")
    assert "5月12日，举办“工会干部培训班”，邀请市总工会法律顾问张明授课，共2讲，培训职工2人次，共6学时" in text


def test_it_writes_nothing_for_another_union_or_a_year_without_records(tree, chair, people, personas):
    check_in(chair, held(chair, tree.grassroots, "sports", "运动会", D(2025, 5, 1)), guests=guests(30))
    outsider = actor_of(personas.outsider)
    _text, document = draft(outsider, tree.sibling_street, subtree=True)
    assert not part(document, "activities") and not part(document, "education")
    _text, document = draft(Actor.system(), tree.grassroots, "2023", today=D(2024, 1, 10))
    assert not part(document, "activities")


def test_it_breaks_a_federation_down_by_the_unions_below_it(tree, chair, personas):
    admin = actor_of(personas.district_admin)
    check_in(chair, held(chair, tree.grassroots, "sports", "运动会", D(2025, 5, 1)), guests=guests(30))
    check_in(admin, held(admin, tree.district, "festival", "区职工迎春游园", D(2025, 1, 20)), guests=guests(12))
    generated = generate(actor=admin, org=tree.district, period=parse_period("2025"), subtree=True, today=D(2026, 1, 10))
    (table,) = [t for p in generated.document["parts"] for s in p["sections"] for t in s["tables"]
                if t["key"] == "activities.by_child"]
    assert table["caption"] == "本级及各下级工会开展活动和培训情况"
    assert table["rows"] == [["滨江区总工会（本级）", "1", "12"], ["临江街道工会", "1", "30"]]


def test_it_puts_its_figures_on_the_statistics_page(tree, chair, login, personas):
    check_in(chair, held(chair, tree.grassroots, "sports", "运动会", D(2025, 5, 1)), guests=guests(30))
    check_in(chair, held(chair, tree.grassroots, "festival", "游园会", D(2025, 9, 1)), guests=guests(12))
    client = login(personas.grassroots_chair)
    page = client.get("/summary/stats/", {"org": "G1", "period": "2025"}).content.decode()
    assert "活动次数（按类型）" in page and "42" in page
    outsider = login(personas.outsider)
    page = outsider.get("/summary/stats/", {"org": "S2", "period": "2025", "subtree": "on"}).content.decode()
    assert "活动次数（按类型）" not in page and "运动会" not in page


def test_it_states_a_figure_once_and_names_each_activity_as_it_is(tree, chair):
    crowd = members(chair, tree.grassroots, 12)
    for code, title, day in (("sports", "拔河比赛", D(2025, 4, 1)), ("sports", "跳绳比赛", D(2025, 5, 1)),
                             ("festival", "元宵猜灯谜", D(2025, 2, 12)), ("festival", "中秋游园会", D(2025, 9, 20))):
        check_in(chair, held(chair, tree.grassroots, code, title, day), crowd[:6])
    hospital = services.partner_create(actor=chair, org=tree.grassroots, name="江北区人民医院", category="hospital")
    check_in(chair, held(chair, tree.grassroots, "health", "职工健康体检", D(2025, 10, 15), partners=[hospital]), crowd)
    check_in(chair, held(chair, tree.grassroots, "visit", "红色教育基地参观学习", D(2025, 7, 1)), crowd[:11])
    text, document = draft(Actor.system(), tree.grassroots)
    written = part(document, "activities")
    assert "全年举办文体活动2次，参加职工12人次" in written
    assert "全年举办节日活动2次。" in written  # its 12人次 would read as the same figure again
    assert "10月15日，联合江北区人民医院开展“职工健康体检”，12名职工参加" in written  # members' check-up: no 受益群众
    assert "7月1日，组织“红色教育基地参观学习”，11名职工参加" in written
    assert not lint(accept_all(document), names=[tree.grassroots.name, tree.grassroots.display_name])

"""存在问题 of the genre's kind (issue 12, item 11): each contributor's rule, computed from the
records, fires when the records say so and stays quiet otherwise; never from another
union's records. The rules are listed in docs/architecture.md, "存在问题 suggestions: rule
per module"."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.assistance.tests.factories import household
from gonghui.benefits.services import benefit_create
from gonghui.donations.services import donation_record, drive_create
from gonghui.members.services import member_create, member_record_event
from gonghui.summary.assemble import generate
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()
AFTER_2025 = D(2026, 1, 10)
_seq = iter(range(1, 10_000))


def _member(org, joined=D(2020, 1, 1), *, phone="13800138000", education="college"):
    n = next(_seq)
    return member_create(actor=OP, org=org, name=f"会员{n}", id_number=make_id(D(1970, 1, 1) + dt.timedelta(days=n)),
                         joined_on=joined, phone=phone, education=education)


def _suggestions(org, period="2025", today=AFTER_2025, subtree=False) -> dict[str, tuple[str, str]]:
    doc = generate(actor=OP, org=org, period=parse_period(period), subtree=subtree, today=today).document
    return {s["key"]: (s["target"], "".join(r["text"] for r in s["runs"])) for s in doc["suggestions"]}


def test_it_suggests_nothing_for_a_union_without_records(tree):
    assert _suggestions(tree.sibling_grassroots) == {}


# --- members: 新发展会员 fell -----------------------------------------------------------------------


def test_it_notes_fewer_new_members_than_last_year(tree):
    for _ in range(6):
        _member(tree.grassroots, D(2024, 4, 1))
    for _ in range(2):
        _member(tree.grassroots, D(2025, 4, 1))
    got = _suggestions(tree.grassroots)
    assert got["members.problem_joined"] == ("problems", "会员发展工作有所放缓，2025年新发展会员2人，比上年同期减少4人。")
    assert got["members.plan_joined"][0] == "plans"


def test_it_writes_no_joins_without_a_zero(tree):
    for _ in range(6):
        _member(tree.grassroots, D(2024, 4, 1))
    doc = generate(actor=OP, org=tree.grassroots, period=parse_period("2025"), subtree=False, today=AFTER_2025).document
    got = _suggestions(tree.grassroots)
    assert got["members.problem_joined"][1] == "会员发展工作有所放缓，2025年未发展新会员，上年同期新发展会员6人。"
    assert [str(f) for f in lint(doc) if "建议" in f.where] == []


def test_it_does_not_note_a_small_drop_or_a_small_base(tree):
    for _ in range(6):
        _member(tree.grassroots, D(2024, 4, 1))
    for _ in range(5):
        _member(tree.grassroots, D(2025, 4, 1))  # one fewer: less than a fifth
    for _ in range(4):
        _member(tree.sibling_grassroots, D(2024, 4, 1))  # last year's base below 5
    assert "members.problem_joined" not in _suggestions(tree.grassroots)
    assert "members.problem_joined" not in _suggestions(tree.sibling_grassroots)


def test_it_does_not_compare_joins_before_the_period_is_over(tree):
    for _ in range(6):
        _member(tree.grassroots, D(2024, 4, 1))
    _member(tree.grassroots, D(2025, 4, 1))
    assert "members.problem_joined" not in _suggestions(tree.grassroots, today=D(2025, 6, 30))
    assert "members.problem_joined" in _suggestions(tree.grassroots, "2025H1", today=D(2025, 7, 1))


# --- members: incomplete data ---------------------------------------------------------------------------


def test_it_notes_incomplete_member_data(tree):
    for _ in range(8):
        _member(tree.grassroots)
    _member(tree.grassroots, phone="")
    _member(tree.grassroots, education="")
    got = _suggestions(tree.grassroots)
    assert got["members.problem_incomplete"] == ("problems", "会员实名制信息还不够完整，有2名会员未登记手机号或学历，占会员总数的20%。")
    assert "members.plan_incomplete" in got


def test_it_does_not_note_data_missing_for_one_in_ten(tree):
    for _ in range(9):
        _member(tree.grassroots)
    _member(tree.grassroots, phone="")
    assert "members.problem_incomplete" not in _suggestions(tree.grassroots)


def test_it_does_not_count_another_unions_incomplete_members(tree):
    for _ in range(10):
        _member(tree.grassroots)
    for _ in range(10):
        _member(tree.sibling_grassroots, phone="", education="")
    assert "members.problem_incomplete" not in _suggestions(tree.grassroots)
    assert "有10名会员未登记手机号或学历" in _suggestions(tree.sibling_grassroots)["members.problem_incomplete"][1]


def test_it_counts_members_that_left_as_no_longer_incomplete(tree):
    members = [_member(tree.grassroots, phone="") for _ in range(3)] + [_member(tree.grassroots) for _ in range(10)]
    assert "members.problem_incomplete" in _suggestions(tree.grassroots)
    for m in members[:3]:  # withdrawn before the year's end: not members the draft counts
        member_record_event(actor=OP, member=m, kind="withdraw", on=D(2025, 10, 1))
    assert "members.problem_incomplete" not in _suggestions(tree.grassroots)


# --- benefits: birthday and hospital care per member fell ---------------------------------------------------


def _care(members, kind, year, n):
    for m in members[:n]:
        benefit_create(actor=OP, member=m, kind=kind, on=D(year, 6, 1), form="cash", amount=Decimal(200),
                       illness="阑尾炎" if kind == "hospital" else "")


def test_it_notes_birthday_care_reaching_fewer_members(tree):
    members = [_member(tree.grassroots) for _ in range(8)]
    _care(members, "birthday", 2024, 6)
    _care(members, "birthday", 2025, 3)
    got = _suggestions(tree.grassroots)
    assert got["benefits.problem_birthday"] == (
        "problems", "会员生日慰问的覆盖面有所下降，2025年为3名会员送上生日慰问，占会员总数的37.5%，上年同期覆盖会员总数的75%。")
    assert got["benefits.plan_birthday"][0] == "plans"


def test_it_notes_birthday_care_that_stopped_without_a_zero(tree):
    members = [_member(tree.grassroots) for _ in range(8)]
    _care(members, "birthday", 2024, 6)
    assert _suggestions(tree.grassroots)["benefits.problem_birthday"][1] == (
        "会员生日慰问的覆盖面有所下降，2025年未开展会员生日慰问，上年同期覆盖会员总数的75%。")


def test_it_does_not_note_birthday_care_that_held(tree):
    members = [_member(tree.grassroots) for _ in range(8)]
    _care(members, "birthday", 2024, 6)
    _care(members, "birthday", 2025, 5)
    assert "benefits.problem_birthday" not in _suggestions(tree.grassroots)


def test_it_notes_fewer_hospital_visits_and_not_on_a_small_base(tree):
    members = [_member(tree.grassroots) for _ in range(6)]
    _care(members, "hospital", 2024, 5)
    _care(members, "hospital", 2025, 1)
    got = _suggestions(tree.grassroots)
    assert got["benefits.problem_hospital"][1] == "对生病住院会员的探望慰问有所减少，2025年探望慰问1人，上年同期探望慰问5人，会员住院信息掌握还不够及时。"
    others = [_member(tree.sibling_grassroots) for _ in range(6)]
    _care(others, "hospital", 2024, 4)  # four last year: too few to call a fall
    assert "benefits.problem_hospital" not in _suggestions(tree.sibling_grassroots)


def test_it_does_not_say_hospital_visits_fell_when_a_grown_union_visited_as_many(tree):
    members = [_member(tree.grassroots) for _ in range(10)]
    _care(members, "hospital", 2024, 5)
    grown = members + [_member(tree.grassroots, D(2025, 3, 1)) for _ in range(20)]
    _care(grown[5:], "hospital", 2025, 5)  # per member a third of last year, but as many people
    got = _suggestions(tree.grassroots)
    assert "benefits.problem_hospital" not in got and "benefits.plan_hospital" not in got
    fewer = [_member(tree.sibling_grassroots) for _ in range(10)]
    _care(fewer, "hospital", 2024, 5)
    _care(fewer[5:], "hospital", 2025, 2)
    assert _suggestions(tree.sibling_grassroots)["benefits.problem_hospital"][1] == (
        "对生病住院会员的探望慰问有所减少，2025年探望慰问2人，上年同期探望慰问5人，会员住院信息掌握还不够及时。")


# --- donations: participation fell -------------------------------------------------------------------------------


def _give(org, members, year, n):
    drive = drive_create(actor=OP, org=org, name=f"{year}年爱心捐款", purpose="帮助困难群众", starts_on=D(year, 5, 1),
                         ends_on=D(year, 5, 31))
    for m in members[:n]:
        donation_record(actor=OP, drive=drive, member=m, kind="member", amount=Decimal(50), on=D(year, 5, 2))


def test_it_notes_fewer_members_giving(tree):
    members = [_member(tree.grassroots) for _ in range(12)]
    _give(tree.grassroots, members, 2024, 10)
    _give(tree.grassroots, members, 2025, 3)
    got = _suggestions(tree.grassroots)
    assert got["donations.problem_participation"] == (
        "problems", "爱心捐款活动的参与面还不够广，2025年参与捐款的会员3人，占会员总数的25%，上年同期参与捐款的会员占会员总数的83.3%。")
    assert "donations.plan_participation" in got


def test_it_notes_no_members_giving_without_a_zero(tree):
    members = [_member(tree.grassroots) for _ in range(12)]
    _give(tree.grassroots, members, 2024, 10)
    _give(tree.grassroots, members, 2025, 0)  # a drive was held, no member gave
    assert _suggestions(tree.grassroots)["donations.problem_participation"][1] == (
        "爱心捐款活动的参与面还不够广，2025年无会员参与捐款，上年同期有10名会员参与捐款，占会员总数的83.3%。")


def test_it_does_not_note_participation_that_held_or_another_unions(tree):
    members = [_member(tree.grassroots) for _ in range(12)]
    _give(tree.grassroots, members, 2024, 10)
    _give(tree.grassroots, members, 2025, 9)
    others = [_member(tree.sibling_grassroots) for _ in range(12)]
    _give(tree.sibling_grassroots, others, 2024, 12)  # the sibling's fall is not G1's
    _give(tree.sibling_grassroots, others, 2025, 2)
    assert "donations.problem_participation" not in _suggestions(tree.grassroots)
    assert "donations.problem_participation" in _suggestions(tree.sibling_grassroots)


# --- assistance: coverage of the archives -----------------------------------------------------------------------


def _archives(org, names):
    return [household(org, name=n, tier="deep", status="assisting", on=D(2024, 1, 2)) for n in names]


def _help(h, on=D(2025, 9, 20)):
    record_create(actor=OP, household=h, on=on, occasion=Occasion.TEMPORARY, cash=Decimal(300), funding=Funding.OWN)


def test_it_notes_archives_left_without_help(tree):
    homes = _archives(tree.grassroots, ["甲", "乙", "丙"])
    _help(homes[0])
    got = _suggestions(tree.grassroots)
    assert got["assistance.problem_coverage"] == (
        "problems", "帮扶覆盖面还不够广，截至年底在档的3户困难职工中，有2户2025年未得到帮扶慰问，占66.7%。")
    assert "assistance.plan_coverage" in got


def test_it_does_not_note_coverage_when_most_were_helped_or_mid_year(tree):
    homes = _archives(tree.grassroots, ["甲", "乙", "丙"])
    _help(homes[0])
    _help(homes[1])
    assert "assistance.problem_coverage" not in _suggestions(tree.grassroots)
    assert "assistance.problem_coverage" not in _suggestions(tree.grassroots, "2025H2", today=AFTER_2025)
    others = _archives(tree.sibling_grassroots, ["丁", "戊", "己"])
    _help(others[0], D(2024, 9, 20))  # last year's help is not this year's
    assert "assistance.problem_coverage" in _suggestions(tree.sibling_grassroots)
    assert "assistance.problem_coverage" not in _suggestions(tree.sibling_grassroots, today=D(2025, 11, 30))


# --- the members the per-member rules divide by ------------------------------------------------------------------


def test_it_counts_the_members_once_per_context_for_every_per_member_rule(tree, monkeypatch):
    from gonghui.benefits import summary as benefits_summary
    from gonghui.benefits.models import Kind
    from gonghui.donations import summary as donations_summary
    from gonghui.members import summary as members_summary
    from gonghui.summary.context import SummaryContext

    for _ in range(3):
        _member(tree.grassroots)
    ctx = SummaryContext(actor=OP, org=tree.grassroots, period=parse_period("2025"), subtree=False, today=AFTER_2025)
    assert members_summary.member_count(ctx) == 3
    monkeypatch.setattr(members_summary, "_spells_as_of", lambda *a: pytest.fail("the members were counted again"))
    assert benefits_summary._coverage(ctx, Kind.BIRTHDAY) == (0, 3)
    assert benefits_summary._coverage(ctx, Kind.HOSPITAL) == (0, 3)
    assert donations_summary._participation(ctx) == (0, 3)
    assert members_summary.size(ctx) == 3

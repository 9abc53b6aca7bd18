"""The members' part of the work summary and its 存在问题: each figure stated once, and every
share taken of the members the part states (issue 12)."""

import datetime as dt
import re

import pytest

from gonghui.access.actor import Actor
from gonghui.members.choices import EventKind
from gonghui.members.services import member_create, member_record_event
from gonghui.summary.assemble import generate
from gonghui.summary.document import plain_text
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()
WRITTEN_ON = D(2026, 1, 10)  # the 2025 draft, written in January
_seq = iter(range(1, 10_000))


def _member(org, joined=D(2020, 1, 1), *, phone="13800138000", education="college"):
    n = next(_seq)
    return member_create(actor=OP, org=org, name=f"会员{n}", id_number=make_id(D(1970, 1, 1) + dt.timedelta(days=n)),
                         joined_on=joined, phone=phone, education=education)


def _document(org, subtree=False):
    return generate(actor=OP, org=org, period=parse_period("2025"), subtree=subtree, today=WRITTEN_ON).document


def _suggestion(doc, key):
    return next(("".join(r["text"] for r in s["runs"]) for s in doc["suggestions"] if s["key"] == key), None)


# --- 入会率: the member count is stated once ---------------------------------------------------------


def test_it_writes_the_rate_without_restating_the_member_count(tree):
    for _ in range(12):
        _member(tree.grassroots)
    for _ in range(3):
        _member(tree.branch)
    doc = _document(tree.grassroots)
    text = plain_text(doc)
    assert "截至年底，共有会员15人，" in text
    assert "截至年底，职工入会率为5%（职工总数300人）。" in text  # 15 ÷ 300: G1 with its branch
    assert "会员15人，职工" not in text
    assert [str(f) for f in lint(doc) if f.rule == "repeated-figure"] == []


# --- 会员信息不完整: the count and the share of the same members ---------------------------------------


def _roster_with_incomplete_data(tree):
    """At the end of 2025: 6 complete members at the union itself, 5 without a phone at its
    branch, and 1 without education who withdrew only in 2026 (12 members, 6 incomplete).
    Not members then, though incomplete: 2 who retired and 2 who withdrew in 2025, and 3 who
    joined in 2026 (in good standing today, when the draft is written)."""
    for _ in range(6):
        _member(tree.grassroots)
    for _ in range(5):
        _member(tree.branch, phone="")
    late = _member(tree.grassroots, education="")
    member_record_event(actor=OP, member=late, kind=EventKind.WITHDRAW, on=D(2026, 3, 1))
    for m in (_member(tree.grassroots, phone="") for _ in range(2)):
        member_record_event(actor=OP, member=m, kind=EventKind.RETIRE, on=D(2025, 6, 30))
    for m in (_member(tree.branch, education="") for _ in range(2)):
        member_record_event(actor=OP, member=m, kind=EventKind.WITHDRAW, on=D(2025, 9, 1))
    for _ in range(3):
        _member(tree.branch, D(2026, 1, 5), phone="")


@pytest.mark.parametrize("code, subtree", [("grassroots", False), ("grassroots", True), ("street", True)])
def test_it_counts_incomplete_data_among_the_members_the_part_states(tree, code, subtree):
    _roster_with_incomplete_data(tree)
    doc = _document(getattr(tree, code), subtree)
    assert "截至年底，共有会员12人" in plain_text(doc)
    assert _suggestion(doc, "members.problem_incomplete") == (
        "会员实名制信息还不够完整，有6名会员未登记手机号或学历，占会员总数的50%。")


def test_it_never_counts_more_incomplete_members_than_the_part_states(tree):
    for _ in range(6):
        _member(tree.grassroots, phone="")
    for _ in range(6):
        _member(tree.branch, education="")
    for _ in range(2):
        _member(tree.grassroots, D(2026, 1, 5), phone="")  # joined after the as-of day
    retired = _member(tree.branch, phone="")
    member_record_event(actor=OP, member=retired, kind=EventKind.RETIRE, on=D(2025, 11, 1))
    doc = _document(tree.grassroots)
    stated = int(re.search(r"共有会员(\d+)人", plain_text(doc)).group(1))
    problem = _suggestion(doc, "members.problem_incomplete")
    assert problem == "会员实名制信息还不够完整，有12名会员未登记手机号或学历，占会员总数的100%。"
    assert int(re.search(r"有(\d+)名会员", problem).group(1)) <= stated == 12
    assert [str(f) for f in lint(doc) if f.rule == "percent-bound"] == []

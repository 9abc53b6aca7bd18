"""Donation drives in the work summary: names in quotes written once, and the participation
problem only where a drive was held, never with a zero (issue 12)."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.actor import Actor
from gonghui.donations.services import donation_record, drive_create
from gonghui.members.services import member_create
from gonghui.summary.assemble import generate
from gonghui.summary.document import plain_text
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.summary.registry import quotable
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()
_seq = iter(range(1, 10_000))


def _member(org):
    n = next(_seq)
    return member_create(actor=OP, org=org, name=f"会员{n}", id_number=make_id(D(1970, 1, 1) + dt.timedelta(days=n)),
                         joined_on=D(2020, 1, 1), phone="13800138000", education="college")


def _drive(org, name, on, donors=(), units=()):
    drive = drive_create(actor=OP, org=org, name=name, purpose="帮助困难群众", starts_on=on, ends_on=on + dt.timedelta(days=20))
    for m in donors:
        donation_record(actor=OP, drive=drive, member=m, kind="member", amount=Decimal(100), on=on)
    for unit in units:
        donation_record(actor=OP, drive=drive, name=unit, kind="unit", amount=Decimal(5000), on=on)
    return drive


def _document(org, period="2025", today=D(2026, 1, 10)):
    return generate(actor=OP, org=org, period=parse_period(period), subtree=False, today=today).document


def _problem(doc):
    return next(("".join(r["text"] for r in s["runs"]) for s in doc["suggestions"]
                 if s["key"] == "donations.problem_participation"), None)


# --- drive names inside the sentence's quotes ------------------------------------------------------------


@pytest.mark.parametrize("name, written", [
    ("“慈善一日捐”", "慈善一日捐"), ("「金秋助学」", "金秋助学"), ('"抗洪救灾"', "抗洪救灾"),
    ("2025年“慈善一日捐”", "2025年‘慈善一日捐’"), ("2025年“金秋助学”爱心募捐", "2025年‘金秋助学’爱心募捐"),
    ('2025年"金秋助学"爱心募捐', "2025年‘金秋助学’爱心募捐"), ("“慈善”与“助学”", "‘慈善’与‘助学’"),
    ("春节送温暖", "春节送温暖"),
])
def test_it_makes_a_name_fit_inside_quotes(name, written):
    assert quotable(name) == written


def test_it_writes_a_quoted_drive_name_without_nested_quotes(tree):
    people = [_member(tree.grassroots) for _ in range(3)]
    _drive(tree.grassroots, "2025年“慈善一日捐”", D(2025, 5, 12), people)
    _drive(tree.grassroots, "「金秋助学」", D(2025, 8, 1), people[:1])
    text = plain_text(_document(tree.grassroots))
    assert "在“2025年‘慈善一日捐’”活动中，组织3名会员职工捐款共计300元" in text
    assert "在“金秋助学”活动中" in text
    assert "““" not in text and "””" not in text and "「" not in text


def test_it_writes_quoted_names_of_grouped_drives_without_nested_quotes(tree):
    people = [_member(tree.grassroots) for _ in range(3)]
    for name, on in (("“春节送温暖”", D(2025, 1, 5)), ("2025年“慈善一日捐”", D(2025, 5, 12)), ("金秋助学", D(2025, 8, 1))):
        _drive(tree.grassroots, name, on, people)
    text = plain_text(_document(tree.grassroots))
    assert "先后组织开展“春节送温暖”“2025年‘慈善一日捐’”“金秋助学”等3次爱心捐款活动" in text
    assert "““" not in text and "””" not in text


# --- participation: no zero, and nothing when no drive was held -------------------------------------------


def test_it_does_not_note_participation_when_no_drive_was_held(tree):
    members = [_member(tree.grassroots) for _ in range(12)]
    _drive(tree.grassroots, "2024年爱心捐款", D(2024, 5, 1), members[:10])
    doc = _document(tree.grassroots)
    assert _problem(doc) is None
    assert not any(s["key"] == "donations.plan_participation" for s in doc["suggestions"])


def test_it_notes_a_drive_no_member_gave_to_with_last_years_donors(tree):
    members = [_member(tree.grassroots) for _ in range(12)]
    _drive(tree.grassroots, "2024年爱心捐款", D(2024, 5, 1), members[:10])
    _drive(tree.grassroots, "2025年爱心捐款", D(2025, 5, 1), units=["福安物业服务有限公司"])
    doc = _document(tree.grassroots)
    assert _problem(doc) == (
        "爱心捐款活动的参与面还不够广，2025年无会员参与捐款，上年同期有10名会员参与捐款，占会员总数的83.3%。")
    assert [str(f) for f in lint(doc) if f.rule == "empty-frame"] == []

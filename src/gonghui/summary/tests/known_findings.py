"""Lint findings in today's generated drafts whose fix belongs to a contributor and is under
way (issue 12): (rule, phrase key or its prefix) → (why, where it occurs). The demo-wide lint
and the genre set let these pass and fail on anything else. An entry whose text is fixed is
removed: the demo-wide test fails when an entry marked "demo" no longer occurs in the demo's
drafts, so the list cannot go stale."""

from __future__ import annotations

import re

from gonghui.summary.lint import Finding

DEMO, GENRE = "demo", "genre"

KNOWN: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("repeated-figure", "members.rate"): (
        "the 入会率 sentence restates the member count of 共有会员 (members/summary.py): it should name the employees only",
        frozenset({DEMO, GENRE})),
    ("repeated-figure", "assistance.occasion.new_year"): (
        "the 帮扶 total restates the one occasion it sums (assistance/summary.py): leave the total out for a single occasion",
        frozenset({DEMO, GENRE})),
    ("empty-frame", "donations.problem_participation"): (
        "the donation-participation problem is written with 会员0人 and 0% when nobody gave (donations/summary.py)",
        frozenset({GENRE})),
    ("number-format", "orgs.election_own"): (
        "the election sentence writes 第3届 where the genre writes 第三届 (orgs/summary.py)",
        frozenset({GENRE})),
    ("repeated-figure", "benefits.festival"): (
        "two festivals given to the same members are two sentences with the same 人次; grouped, they are one "
        "(\"春节、端午节期间，为43名会员发放节日慰问品\", benefits/summary.py)",
        frozenset({DEMO, GENRE})),
}


def phrase_key(finding: Finding) -> str:
    """The paragraph's phrase: its key without the "_2" assemble adds to a repeated one."""
    return re.sub(r"_\d+$", "", finding.key)


def known_entry(finding: Finding) -> tuple[str, str] | None:
    """The KNOWN entry covering the finding: its phrase key, or a prefix of it
    ("benefits.festival" covers "benefits.festival.duanwu")."""
    key = phrase_key(finding)
    for rule, prefix in KNOWN:
        if rule == finding.rule and (key == prefix or key.startswith(prefix + ".")):
            return rule, prefix
    return None


def is_known(finding: Finding) -> bool:
    return known_entry(finding) is not None

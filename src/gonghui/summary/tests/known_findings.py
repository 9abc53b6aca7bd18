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

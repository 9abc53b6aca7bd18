"""Which results the opening paragraph names: at most three, the most significant.

A result's significance is its size relative to the union's, against the level at which a
reader of summaries would call it notable for a union of that size:

    score = (quantity ÷ base × per) ÷ notable       (the best of the result's measures)

where `base` is the union's members in good standing at the period's end (or the
candidate's own base, e.g. the unions of a subtree), and `per` and `notable` come from
MEASURES. A score of 1 is "notable"; 23 households helped in a union of 40 members scores
far above 23 households in one of 5000.

The rule, in order:
1. A trivial result — resting on fewer than MIN_RECORDS people, households or records
   ("开展会员慰问1人次") — never reaches the opening.
2. A result of a part the union marked as key for the year (SummarySetting.key_themes)
   comes before every other, key parts among themselves by score.
3. Other results need a score of at least MIN_SCORE (a tenth of notable) and go by score.
4. Ties go by the parts' order (THEMES), then the contributor's order: the same records
   always give the same opening.
5. At most MAX_HIGHLIGHTS; none left → the opening has no highlight clause at all.
A union with no members counted (no members module, or none registered) is measured
against NOMINAL_BASE members, so results still rank against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gonghui.summary.registry import THEMES, Headline


@dataclass(frozen=True)
class Measure:
    label: str
    per: int  # the quantity is counted per this many of the base (100 members, 1 member)
    notable: Decimal  # the per-base level a reader calls notable


MEASURES: dict[str, Measure] = {
    # households (or people) helped: 3 in every 100 members is a visible share of a union
    "households": Measure("受助户数（每百名会员）", 100, Decimal(3)),
    # visits, benefit payments: half the members reached once
    "people": Measure("人次（每百名会员）", 100, Decimal(50)),
    # cash and goods: 50元 for every member
    "money": Measure("金额（每名会员，元）", 1, Decimal(50)),
    # new members: 5 per 100 members is a year of real growth
    "growth": Measure("新发展会员（每百名会员）", 100, Decimal(5)),
    # unions founded: 5 per 100 existing unions of the subtree
    "unions": Measure("新建工会（每百个工会）", 100, Decimal(5)),
}

MIN_RECORDS = 2
MIN_SCORE = Decimal("0.1")
MAX_HIGHLIGHTS = 3
NOMINAL_BASE = 100


@dataclass
class Ranked:
    candidate: Headline
    score: Decimal
    key: bool
    order: tuple  # (theme order, contributor order, position) for ties


def score(candidate: Headline, size: int | None) -> Decimal:
    base = candidate.base or size or NOMINAL_BASE
    best = Decimal(0)
    for kind, quantity in candidate.measures.items():
        m = MEASURES.get(kind)
        if m is None:
            raise ValueError(f"unknown measure {kind!r}: add it to summary.ranking.MEASURES")
        if not quantity:
            continue
        value = Decimal(quantity) / Decimal(base) * m.per / m.notable
        best = max(best, value)
    return best


def rank(candidates: list[tuple[Headline, tuple]], *, size: int | None, key_themes: set[str]) -> list[Ranked]:
    """The highlights of the opening, best first. `candidates` pairs each Headline (theme
    already set) with its tie-break order."""
    kept: list[Ranked] = []
    for cand, order in candidates:
        if cand.records < MIN_RECORDS:
            continue
        s = score(cand, size)
        key = cand.theme in key_themes
        if not s or (not key and s < MIN_SCORE):
            continue
        kept.append(Ranked(cand, s, key, (THEMES[cand.theme][0], *order)))
    kept.sort(key=lambda r: (not r.key, -r.score, r.order))
    return kept[:MAX_HIGHLIGHTS]

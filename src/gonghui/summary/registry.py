"""How a module adds its part to the work summary and the statistics page.

A module registers one `Contributor` from its AppConfig.ready(). The contributor owns its
facts (what it counts and sums, through its own models and the organization scope), their
phrasing (`Phrase` defaults an administrator may reword per federation) and the links to
its records. The summary module only orders, assembles and exports. See
docs/architecture.md, "Adding a part to the work summary".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from gonghui.core.formats import doc_money, doc_number, doc_percent
from gonghui.summary.phrasing import Fact, parse, slots

# The conventional parts, in the order summaries put them. A contributor names one; several
# contributors may share a part (donation drives add their section to 帮扶).
THEMES: dict[str, tuple[int, str]] = {
    "organization": (10, "加强工会组织建设，夯实工作基础"),
    "members": (20, "推进会员实名制管理，壮大会员队伍"),
    "education": (30, "强化学习教育，提高职工队伍素质"),
    "democracy": (40, "推进民主管理，保障职工民主权利"),
    "rights": (50, "依法履职维权，维护职工合法权益"),
    "assistance": (60, "积极开展帮扶活动，发挥工会作用"),
    "care": (70, "落实会员福利，传递工会温暖"),
    "activities": (80, "开展文体活动，丰富职工文化生活"),
    "finance": (90, "加强经费管理，规范经费使用"),
}


@dataclass(frozen=True)
class Phrase:
    """A default sentence. `fields` names each fact the sentence may use, in Chinese, for
    the template editor; `sample` holds example values for its preview."""

    key: str
    label: str
    default: str
    fields: dict[str, str]
    sample: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        # A default that does not parse, or uses an undeclared fact, is a programming error.
        used = slots(parse(self.default, frozenset(self.fields)))
        assert used <= set(self.fields), (self.key, used)


@dataclass
class Item:
    """One sentence: a phrase and the facts it is written from."""

    phrase: str
    facts: dict[str, Fact | None]
    key: str = ""  # unique in the document; defaults to the phrase key
    label: str = ""  # what the sentence is about, for the statistics page ("春节慰问"); defaults to the phrase's


@dataclass
class Table:
    key: str
    caption: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    key: str
    title: str  # "" → the items sit directly under the part
    items: list[Item] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Suggestion:
    target: str  # "problems" | "plans"
    item: Item


@dataclass
class Chart:
    """A chart on the statistics page: rows of [label, value, link]."""

    key: str
    title: str
    kind: str  # bar | hbar | pie
    rows: list[tuple[str, float, str]]
    unit: str = ""


@dataclass(frozen=True)
class Contributor:
    key: str
    theme: str
    order: int
    phrases: tuple[Phrase, ...]
    collect: Callable  # (SummaryContext) -> list[Section]
    suggest: Callable | None = None  # (SummaryContext) -> list[Suggestion]
    headline: Callable | None = None  # (SummaryContext) -> Item | None, a clause for the opening
    charts: Callable | None = None  # (SummaryContext) -> list[Chart]
    permission: str = ""  # the actor needs it for this part to be written


CONTRIBUTORS: dict[str, Contributor] = {}
PHRASES: dict[str, Phrase] = {}


def register(contributor: Contributor) -> None:
    if contributor.theme not in THEMES:
        raise ValueError(f"unknown theme {contributor.theme}")
    CONTRIBUTORS[contributor.key] = contributor
    register_phrases(contributor.phrases)


def register_phrases(phrases) -> None:
    for p in phrases:
        PHRASES[p.key] = p


def contributors() -> list[Contributor]:
    return sorted(CONTRIBUTORS.values(), key=lambda c: (THEMES[c.theme][0], c.order, c.key))


# --- facts ---------------------------------------------------------------------------------

NONE = Fact("", None)
# An empty word is still a word: it must not make a sentence of words look like one whose
# figures are all missing (phrasing.render drops those).
NO_WORD = Fact("", None, figure=False)


def count(n, link: str = "", *, zero: bool = False) -> Fact:
    """A count; 0 counts as no value unless `zero` (so "0户" sentences are dropped)."""
    if n is None or (not n and not zero):
        return NONE
    return Fact(doc_number(n), str(n), link)


def money(amount, link: str = "", *, zero: bool = False) -> Fact:
    if amount is None or (not amount and not zero):
        return NONE
    value = Decimal(amount).quantize(Decimal("0.01"))
    return Fact(doc_money(value), str(value), link)


def percent(ratio, link: str = "") -> Fact:
    if ratio is None:
        return NONE
    return Fact(doc_percent(ratio), f"{Decimal(str(ratio)):.4f}", link)


def text(value: str, link: str = "") -> Fact:
    return Fact(value, value, link, figure=False) if value else NO_WORD


def date(day: dt.date | None, link: str = "") -> Fact:
    if day is None:
        return NO_WORD
    return Fact(f"{day.month}月{day.day}日", day.isoformat(), link, figure=False)


# A percentage is only written where it means something: on a base large enough that one
# record does not swing it, and for a change no bigger than the base itself (beyond that a
# reader compares the figures, not "1000%"). Otherwise the change is stated in its own units.
YOY_MIN_BASE = Decimal(10)  # 户, 人, 人次 …
YOY_MIN_BASE_MONEY = Decimal(10000)  # 元
YOY_MAX_RATIO = Decimal(1)  # 100%


def yoy(current, earlier, unit: str = "", *, is_money: bool = False) -> Fact:
    """同比增加3户（15%） / 同比增加57890元 / 与上年同期持平; no value when last year has no
    data. The percentage only under the rule above."""
    if earlier is None or current is None or not earlier:
        return NONE
    diff = Decimal(current) - Decimal(earlier)
    if diff == 0:
        return Fact("与上年同期持平", "0")
    amount = doc_money(abs(diff)) if is_money else f"{doc_number(abs(diff))}{unit}"
    word = "增加" if diff > 0 else "减少"
    base = Decimal(earlier)
    ratio = abs(diff) / base
    if base >= (YOY_MIN_BASE_MONEY if is_money else YOY_MIN_BASE) and ratio <= YOY_MAX_RATIO:
        return Fact(f"同比{word}{amount}（{doc_percent(ratio)}）", str(diff))
    return Fact(f"同比{word}{amount}", str(diff))


def day_end(day: dt.date, link: str = "") -> Fact:
    """The "as of" day as summaries write it: 年底 for 31 December, 10月底 for a month's
    last day, otherwise 11月25日."""
    nxt = day + dt.timedelta(days=1)
    if nxt.day == 1:
        text_ = "年底" if day.month == 12 else f"{day.month}月底"
    else:
        text_ = f"{day.month}月{day.day}日"
    return Fact(text_, day.isoformat(), link, figure=False)

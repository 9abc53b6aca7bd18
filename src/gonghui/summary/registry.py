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
    # True for a sentence that reports work done: it may carry an effect clause of its
    # part ("，丰富了职工的业余文化生活"), which the assembler hands it as the `effect`
    # fact on at most one sentence of a part. The slot "[，{effect}]" is put before the
    # sentence's final "。" unless the default places it itself.
    purpose: bool = False

    def __post_init__(self):
        if self.purpose:
            fields_ = {**self.fields, PURPOSE: PURPOSE_LABEL}
            default = self.default
            if "{" + PURPOSE + "}" not in default:
                body = default[:-1] if default.endswith("。") else default
                default = body + "[，{" + PURPOSE + "}]" + ("。" if default.endswith("。") else "")
            object.__setattr__(self, "fields", fields_)
            object.__setattr__(self, "default", default)
        # A default that does not parse, or uses an undeclared fact, is a programming error.
        used = slots(parse(self.default, frozenset(self.fields)))
        assert used <= set(self.fields), (self.key, used)


# The fact an effect clause is handed as (see Phrase.purpose and summary/prefs.py).
PURPOSE = "effect"  # not "purpose": donation drives already name their 用途 so
PURPOSE_LABEL = "成效语（系统从本部分的成效语中选取，每部分至多一句，可省略）"


@dataclass
class Item:
    """One sentence: a phrase and the facts it is written from."""

    phrase: str
    facts: dict[str, Fact | None]
    key: str = ""  # unique in the document; defaults to the phrase key
    label: str = ""  # what the sentence is about, for the statistics page ("春节慰问"); defaults to the phrase's


@dataclass
class Headline:
    """A candidate for the opening's highlights ("新发展会员12人").

    measures: the raw size of the result by kind, e.g. {"households": 23, "money": 11500};
        the kinds and how each is made relative to the union's size are in
        summary/ranking.py (MEASURES).
    records: how many people, households or records the result rests on; a result resting
        on fewer than ranking.MIN_RECORDS is trivial and never reaches the opening.
    theme: the part it belongs to (defaults to the contributor's), for the union's key parts.
    base: what to divide by instead of the union's members (e.g. the unions of a
        federation's subtree for unions founded).
    """

    item: Item
    measures: dict[str, Decimal | int]
    records: int
    theme: str = ""
    base: int | None = None


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
    # (SummaryContext) -> list[Headline] (or one Headline / Item, or None): candidates for
    # the opening, ranked by summary/ranking.py
    headline: Callable | None = None
    charts: Callable | None = None  # (SummaryContext) -> list[Chart]
    permission: str = ""  # the actor needs it for this part to be written
    # (SummaryContext) -> int | None: the union's size (members in good standing at the
    # period's end) that the opening's ranking divides results by; the members module gives it
    size: Callable | None = None


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


# --- many small records of one kind: one sentence with a count and named examples --------------
#
# Summaries do not list ten festival visits or six small donation drives one by one: they
# write "在春节、端午节、中秋节等5个节日，…共慰问会员1200人次". The rule (docs/architecture.md,
# "Grouped sentences"): fewer than GROUP_MIN records of a kind → one sentence each; from
# GROUP_MIN on, a record holding at least STANDOUT_SHARE of the kind's weight (people, money)
# keeps its own sentence and the others become one grouped sentence naming the GROUP_NAMED
# largest, provided at least GROUP_MIN are left to group (otherwise all are listed).
GROUP_MIN = 3
GROUP_NAMED = 3
STANDOUT_SHARE = Decimal("0.5")


def split_for_grouping(rows, weight: Callable) -> tuple[list, list]:
    """(listed, grouped) under the rule above, each in the order given. `weight(row)` is the
    row's size (people, money); rows of no weight are never standouts."""
    rows = list(rows)
    if len(rows) < GROUP_MIN:
        return rows, []
    whole = sum((Decimal(weight(r) or 0) for r in rows), Decimal(0))
    standout = [bool(whole) and Decimal(weight(r) or 0) >= STANDOUT_SHARE * whole for r in rows]
    rest = [r for r, big in zip(rows, standout, strict=True) if not big]
    if len(rest) < GROUP_MIN:
        return rows, []
    return [r for r, big in zip(rows, standout, strict=True) if big], rest


_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’"}
_INNER = str.maketrans({"“": "‘", "”": "’", "「": "‘", "」": "’", "『": "‘", "』": "’"})


def quotable(name: str) -> str:
    """A name (a drive's, an activity's) ready to stand between a sentence's own “…”: its
    outer quotation marks dropped ("“慈善一日捐”" → 慈善一日捐) and the quotes left inside it
    made single, as a quote within a quote is written (GB/T 15834): "2025年“慈善一日捐”" →
    2025年‘慈善一日捐’, so the sentence reads “2025年‘慈善一日捐’”, never “2025年“慈善一日捐””."""
    name = name.strip()
    while _wrapped(name):
        name = name[1:-1].strip()
    name = name.translate(_INNER)
    parts = name.split('"')  # straight quotes come in pairs: open, close, open …
    if len(parts) % 2:
        name = "".join(p + ("‘" if i % 2 == 0 else "’") for i, p in enumerate(parts[:-1])) + parts[-1]
    return name


def _wrapped(name: str) -> bool:
    """Whether one pair of quotation marks encloses the whole name (“慈善一日捐”, not
    “慈善”与“助学”) around something."""
    if len(name) < 3 or name[0] not in _PAIRS or name[-1] != _PAIRS[name[0]]:
        return False
    opening, closing, inner = name[0], name[-1], name[1:-1]
    if opening == closing:
        return closing not in inner
    depth = 0
    for ch in inner:
        depth += (ch == opening) - (ch == closing)
        if depth < 0:
            return False
    return depth == 0


def examples(names, *, limit: int = GROUP_NAMED, quoted: bool = False) -> Fact:
    """The names of a grouped sentence as summaries write them: "春节、端午节、中秋节等",
    "“抗洪救灾”“金秋助学”等" (quoted titles take no 顿号 between them); the first `limit`
    names, always followed by 等 (the sentence states how many there were). No names → no word."""
    shown = [n for n in dict.fromkeys((quotable(n) if quoted else n.strip()) for n in names) if n][:limit]
    if not shown:
        return NO_WORD
    joined = "".join(f"“{n}”" for n in shown) if quoted else "、".join(shown)
    return text(joined + "等")


FELL_BY = Decimal("0.2")


def fell(current, earlier, *, min_base, base=None, drop=FELL_BY) -> bool:
    """True when `current` is below `earlier` by at least `drop` (a share of `earlier`) and
    last year's `base` (the count behind `earlier`, `earlier` itself by default) is at least
    `min_base`: a small base swings with one record. The rule every "…比上年同期有所下降"
    suggestion uses, so each module only chooses its `min_base`."""
    base = earlier if base is None else base
    if current is None or earlier is None or base is None or not earlier or Decimal(base) < Decimal(min_base):
        return False
    return Decimal(current) <= Decimal(earlier) * (1 - Decimal(drop))


def period_over(ctx) -> bool:
    """Whether the period has ended: a comparison with the whole of last year's period is
    only fair then (half a year in, half the birthdays are still to come)."""
    return ctx.as_of >= ctx.period.end

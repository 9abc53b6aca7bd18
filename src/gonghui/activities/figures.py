"""Figures of activities for a union and a period: the statistics pages, the dashboard panel
and the work summary all read them from here, so the three never disagree.

What counts (the rules, in one place):
- An activity is *held* in the period when its status is 进行中 or 已结束 and it starts
  within [start, end] (local days, both included); a cancelled one starting in the period
  is counted apart. It belongs to the union that organised it: the figures of a union are
  those of the activities organised in its reporting scope (`orgs.selectors.reporting_scope`:
  a grassroots union with its branches, a federation with or without its subtree).
- 人次 (`checkins`) is the number of check-ins, across sessions. The `attendees` of an
  activity are the people who checked in to at least one of its sessions; summed over
  activities they are 参加人数 per activity (a person at two activities counts twice).
- *Participants* are distinct people: each member once however many activities they
  attended, plus every non-member who attended (a non-member is a name on one activity's
  list and cannot be recognised on another's, so each such attendance counts once).
- The *participation rate* is the distinct members who attended, counted under the union
  they signed up from when it lies in the scope, ÷ the members in good standing in the
  scope at the period's end (`members.selectors.count_as_of`).
- Training classes (`is_training`): 期 (classes), 场次 (sessions), trainees (distinct people as
  above), 培训人次 (`enrolments`: each class's attendees summed over classes, the way the
  genre counts it), 学时 (`hours`: the session hours of every check-in, person-hours) and
  hours per member (the scope's members' training hours ÷ members in good standing).
- Quizzes: participants with a score, and those who passed where there is a pass mark.
- Beneficiaries (`Activity.beneficiaries`) are people served without being named.

Everything is counted set-wise: one query for the period's activities and a few GROUP BY
queries over their check-ins and registrations, however many activities there are. Money
and hours are Decimals, exact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum, TextField
from django.db.models.functions import Cast, ExtractMonth, ExtractYear
from django.urls import reverse
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.activities import generation
from gonghui.activities.models import (
    HELD,
    Activity,
    ActivityKind,
    CheckIn,
    Funding,
    PartnerCategory,
    Registration,
    Session,
    Status,
    StudyAssignment,
    Target,
)
from gonghui.members.choices import Gender
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import reporting_scope

ZERO = Decimal(0)
HOURS = Decimal("0.1")
FUNDING_ORDER = [v for v, _label in Funding.choices]
FUNDING_LABELS = dict(Funding.choices)
CATEGORY_ORDER = [v for v, _label in PartnerCategory.choices]
CATEGORY_LABELS = dict(PartnerCategory.choices)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in local time."""
    return day_start(start), day_start(end + dt.timedelta(days=1))


def list_link(org: Org | None = None, /, **params) -> str:
    """The activity list filtered to the records behind a figure: `org` (the union's code)
    and the list's own filters (start, end, kind, status, training …); empty values are
    dropped."""
    query = {"org": org.code} if org is not None else {}
    for key, value in params.items():
        if value in (None, "", False):
            continue
        query[key] = value.isoformat() if isinstance(value, dt.date) else ("1" if value is True else value)
    home = reverse("activities:home")
    return f"{home}?{urlencode(query)}" if query else home


def period_query(start: dt.date, end: dt.date) -> dict:
    """The list's filters for the days start..end: a whole year or month by `year` (and
    `month`); any other span also by `start` and `end`."""
    import calendar

    if start.year == end.year and (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31):
        return {"year": start.year}
    if (start.year, start.month) == (end.year, end.month) and start.day == 1 \
            and end.day == calendar.monthrange(end.year, end.month)[1]:
        return {"year": start.year, "month": start.month}
    query = {"year": start.year} if start.year == end.year else {}
    return {**query, "start": start.isoformat(), "end": end.isoformat()}


# --- what the figures hold ------------------------------------------------------------------


@dataclass
class ActivityRow:
    """One activity of the period with its attendance."""

    id: int
    code: str
    title: str
    kind_id: int
    org_path: str
    starts_at: dt.datetime  # local time
    is_training: bool
    beneficiaries: int
    quiz_name: str
    target: str
    sessions: int = 1
    checkins: int = 0  # 人次
    attendees: int = 0  # people who checked in at least once
    non_members: int = 0  # of the attendees
    partners: list[str] = field(default_factory=list)

    @property
    def members(self) -> int:
        return self.attendees - self.non_members

    @property
    def served(self) -> int:
        """People who took part or were served: attendees and unnamed beneficiaries."""
        return self.attendees + self.beneficiaries

    @property
    def day(self) -> dt.date:
        return self.starts_at.date()

    @property
    def month(self) -> str:
        return f"{self.starts_at.year}-{self.starts_at.month:02d}"


@dataclass
class Row:
    """One line of a breakdown (a kind, a month, a branch)."""

    key: object
    label: str
    held: int = 0
    checkins: int = 0
    attendees: int = 0
    beneficiaries: int = 0
    query: dict = field(default_factory=dict)  # the list filters that open its activities


@dataclass
class BranchRow(Row):
    attended: int = 0  # distinct members of the branch who attended (any activity of the scope)
    members: int = 0  # members in good standing of the branch at the period's end

    @property
    def rate(self) -> Decimal | None:
        return min(Decimal(self.attended) / self.members, Decimal(1)) if self.members else None


@dataclass
class FundingRow:
    key: str
    label: str
    held: int
    cost: Decimal


@dataclass
class TrainingClass:
    activity: ActivityRow
    sessions: int
    class_hours: Decimal  # the hours of its sessions (the length of the class)
    hours: Decimal  # person-hours: every check-in's session hours
    teachers: list[tuple[str, str]]  # (name, title) in session order, each once


@dataclass
class Training:
    held: int = 0  # classes (期)
    sessions: int = 0
    class_hours: Decimal = ZERO  # the hours of the classes' sessions (their length, summed)
    trainees: int = 0  # distinct people
    enrolments: int = 0  # 培训人次: each class's attendees, summed
    checkins: int = 0
    hours: Decimal = ZERO  # person-hours
    member_hours: Decimal = ZERO  # of the members of the scope
    hours_per_member: Decimal | None = None  # member_hours ÷ members in good standing, to 0.1
    # The classes themselves are read only when something lists them (a district holds
    # hundreds): `load(limit)` gives the latest `limit` (None: all, in start order).
    load: Callable[[int | None], list[TrainingClass]] | None = field(default=None, repr=False, compare=False)
    _classes: list[TrainingClass] | None = field(default=None, repr=False, compare=False)

    @property
    def classes(self) -> list[TrainingClass]:
        """Every class, in start order."""
        if self._classes is None:
            self._classes = self.load(None) if self.load and self.held else []
        return self._classes

    def latest(self, limit: int) -> list[TrainingClass]:
        """The `limit` latest classes, newest first."""
        if self._classes is not None or not self.load or not self.held:
            return sorted(self.classes, key=lambda c: c.activity.starts_at, reverse=True)[:limit]  # stable: ties in start order
        return self.load(limit)


@dataclass
class Quiz:
    activity: ActivityRow
    scored: int  # participants with a score
    passed: int | None  # None: the quiz has no pass mark
    women: int  # of those scored

    @property
    def all_women(self) -> bool:
        return self.activity.target == Target.WOMEN or (self.scored > 0 and self.women == self.scored)


@dataclass
class PartnerRow:
    id: int
    name: str
    category: str
    activities: int = 0
    served: int = 0  # attendees and beneficiaries of its activities
    activity_ids: list[int] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


@dataclass
class CategoryRow:
    key: str
    label: str
    partners: int = 0
    activities: int = 0  # activities with a partner of the category


@dataclass
class Figures:
    org: Org
    start: dt.date
    end: dt.date
    whole: bool  # the union's subtree (else only its own office)
    held: int
    cancelled: int
    checkins: int  # 人次
    attendees: int  # each activity's attendees, summed
    non_members: int  # … of them not members
    beneficiaries: int
    kinds: dict[int, ActivityKind]
    by_kind: list[Row]
    by_month: list[Row]
    by_branch: list[BranchRow]  # the union's own level (本级) first, then each direct child
    kind_month: dict[tuple[int, str], int]  # (kind id, "2025-03") → activities held
    participants: int  # distinct people
    members_attended: int  # distinct members (whatever union they signed up from)
    members_in_scope: int  # … of them signed up from a union of the scope (the rate's numerator)
    members: int  # members in good standing in the scope at the period's end
    training: Training
    quizzes: list[Quiz]
    partners: list[PartnerRow]
    partner_categories: list[CategoryRow]
    funding: list[FundingRow]
    # The held activities one by one are read only when something lists them (the summary's
    # sentences): the figures above are counted in SQL, grouped.
    load: Callable[[], list[ActivityRow]] | None = field(default=None, repr=False, compare=False)
    _activities: list[ActivityRow] | None = field(default=None, repr=False, compare=False)

    @property
    def activities(self) -> list[ActivityRow]:
        """The held activities, in start order, each with its attendance and partners."""
        if self._activities is None:
            self._activities = self.load() if self.load and self.held else []
        return self._activities

    @property
    def cost(self) -> Decimal:
        return sum((r.cost for r in self.funding), ZERO)

    @property
    def rate(self) -> Decimal | None:
        """Members of the scope who attended ÷ members in good standing (None without members)."""
        if not self.members:
            return None
        return min(Decimal(self.members_in_scope) / Decimal(self.members), Decimal(1))

    def query(self, **params) -> dict:
        """The list filters of the activities of these figures, plus `params`."""
        return {"org": self.org.code, **({} if self.whole else {"subtree": "0"}), **period_query(self.start, self.end),
                **params}

    def link(self, **params) -> str:
        """The list of the activities behind a figure."""
        return list_link(None, **self.query(**params))


# --- counting ----------------------------------------------------------------------------------


def _months(start: dt.date, end: dt.date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _branch_path(path: str, root: str) -> str:
    """The direct child of `root` a row at `path` falls under; `root` itself for its own level."""
    if path == root or not path.startswith(root):
        return root
    return root + path[len(root):].split("/", 1)[0] + "/"


def _local_starts(qs):
    """The queryset's (…, starts_at) rows with starts_at in local time. On SQLite the column
    is read as text and parsed here: Django's own converter costs ten times as much, which a
    district's thousands of activities notice."""
    tz = timezone.get_current_timezone()
    if connection.vendor != "sqlite":
        # astimezone with the zone looked up once: timezone.localtime looks it up per call
        # (a context-local read), 40 µs each over a district's 5,000 activities.
        return qs, lambda v: v.astimezone(tz)

    def parse(raw):
        return dt.datetime.fromisoformat(raw).replace(tzinfo=dt.UTC).astimezone(tz)

    return qs.annotate(starts_raw=Cast("starts_at", TextField())), parse


def _month(tz):
    """The local year and month an activity starts in, as one number (202503)."""
    return ExtractYear("starts_at", tzinfo=tz) * 100 + ExtractMonth("starts_at", tzinfo=tz)


def _month_key(ym: int) -> str:
    return f"{ym // 100}-{ym % 100:02d}"


def figures(actor: Actor, org: Org, start: dt.date, end: dt.date, *, subtree: bool = True) -> Figures:
    """The activity figures of `org` (its reporting scope) for the days start..end."""
    actor.require_covers(org)
    scope = reporting_scope(org, subtree)
    t0, t1 = period_bounds(start, end)
    in_period = Activity.objects.for_actor(actor).filter(scope.q("org_path"), starts_at__gte=t0, starts_at__lt=t1)
    held_qs = in_period.filter(status__in=HELD)
    tz = timezone.get_current_timezone()

    # The activities held, counted in SQL: by kind and local month, and by organising union
    # (a few hundred at most); the latter's newest change and id sum say, with the state of
    # the check-ins, whether the attendance counted before still holds (attendance()).
    kind_month_rows = list(held_qs.annotate(ym=_month(tz)).values_list("kind_id", "ym")
                           .annotate(n=Count("id"), b=Sum("beneficiaries")).order_by())
    path_rows = list(held_qs.values_list("org_path").annotate(n=Count("id"), b=Sum("beneficiaries"), ids=Sum("id"),
                                                                  last=Max("updated_at")).order_by("org_path"))
    held = sum(n for _k, _m, n, _b in kind_month_rows)
    cancelled = in_period.filter(status=Status.CANCELLED).count()
    children = list(Org.objects.filter(parent=org).order_by("code")) if scope.whole else []
    counted, detail = attendance(held_qs, held, path_rows, org, scope, [c.path for c in children])
    members = _members(actor, org, scope, end)

    kinds = {k.pk: k for k in ActivityKind.objects.all()}
    by_kind: dict[int, Row] = {}
    months = {m: Row(m, f"{int(m[5:])}月" if start.year == end.year else f"{m[:4]}年{int(m[5:])}月",
                     query={"year": int(m[:4]), "month": int(m[5:])}) for m in _months(start, end)}
    kind_month: dict[tuple[int, str], int] = defaultdict(int)
    checkins = attendees = non_members = 0
    for kind_id, ym, n, beneficiaries in kind_month_rows:
        c, att, guests = counted.kind_month.get((kind_id, ym), (0, 0, 0))
        checkins, attendees, non_members = checkins + c, attendees + att, non_members + guests
        month = _month_key(ym)
        rows = [by_kind.setdefault(kind_id, Row(kind_id, kinds[kind_id].name, query={"kind": kinds[kind_id].code}))]
        if month in months:
            rows.append(months[month])
        for row in rows:
            row.held += n
            row.checkins += c
            row.attendees += att
            row.beneficiaries += beneficiaries
        kind_month[(kind_id, month)] += n

    branches: dict[str, BranchRow] = {}
    child_by_path = {c.path: c for c in children}

    def branch(path: str) -> BranchRow:
        if path not in branches:
            child = child_by_path.get(path)
            branches[path] = BranchRow(child.pk if child else org.pk,
                                       child.display_name if child else f"{org.display_name}（本级）",
                                       query={"org": child.code, "subtree": "1"} if child else {"org": org.code, "subtree": "0"})
        return branches[path]

    for path, n, beneficiaries, _ids, _last in path_rows:
        row = branch(_branch_path(path, org.path) if scope.whole else org.path)
        c, att = counted.by_path.get(path, (0, 0))
        row.held += n
        row.checkins += c
        row.attendees += att
        row.beneficiaries += beneficiaries
    if children:
        counts = _members_by_child(org, children, end)
        for c in children:
            attended = counted.by_child.get(c.path, 0)
            if attended or c.path in branches:
                row = branch(c.path)
                row.attended, row.members = attended, counts.get(c.path, 0)
    order = {k: (kinds[k].order, k) for k in by_kind}
    funding = [FundingRow(f, FUNDING_LABELS.get(f, f), n, cost) for f, n, cost in
               held_qs.exclude(cost=0).values_list("funding").annotate(n=Count("id"), total=Sum("cost")).order_by("funding")]
    partners, categories, partner_names = _partners(held_qs, detail) if held else ([], [], {})

    def rows_of(qs) -> list[ActivityRow]:
        return _rows(qs, detail, partner_names)

    return Figures(
        org=org, start=start, end=end, whole=scope.whole, held=held, cancelled=cancelled, checkins=checkins,
        attendees=attendees, non_members=non_members, beneficiaries=sum(b for _k, _m, _n, b in kind_month_rows), kinds=kinds,
        by_kind=sorted(by_kind.values(), key=lambda r: order[r.key]), by_month=list(months.values()),
        by_branch=[branches[p] for p in [org.path, *(c.path for c in children)] if p in branches],
        kind_month=dict(kind_month), participants=counted.members_all + non_members,
        members_attended=counted.members_all, members_in_scope=counted.members_in_scope, members=members,
        training=_training(held_qs, counted, members, rows_of, detail) if held else Training(),
        quizzes=_quizzes(held_qs, rows_of) if held else [], partners=partners, partner_categories=categories,
        funding=sorted(funding, key=lambda r: FUNDING_ORDER.index(r.key) if r.key in FUNDING_ORDER else 99),
        load=lambda: rows_of(held_qs.order_by("starts_at", "id")),
    )


def _rows(qs, detail, partner_names: dict[int, list[str]]) -> list[ActivityRow]:
    """The activities of `qs` (held ones) one by one, with their attendance and partners."""
    qs, local = _local_starts(qs)
    starts_field = "starts_raw" if connection.vendor == "sqlite" else "starts_at"
    per_activity = detail().per_activity
    rows = []
    for pk, code, title, kind_id, path, starts_at, training, beneficiaries, quiz, target in qs.values_list(
            "id", "code", "title", "kind_id", "org_path", starts_field, "is_training", "beneficiaries", "quiz_name", "target"):
        a = ActivityRow(pk, code or "", title, kind_id, path, local(starts_at), training, beneficiaries, quiz, target)
        a.checkins, a.attendees, a.non_members, a.sessions = per_activity.get(pk, (0, 0, 0, 1))
        a.partners = list(partner_names.get(pk, ()))
        rows.append(a)
    return rows


def _members(actor: Actor, org: Org, scope, end: dt.date) -> int:
    from gonghui.members.selectors import count_as_of

    return count_as_of(actor, org, end, subtree=scope.whole)


def _members_by_child(org: Org, children: list[Org], on: dt.date) -> dict[str, int]:
    """Members in good standing on `on` under each direct child, in one grouped query: the
    rule of `members.selectors.count_as_of` (a spell covering the day, in good standing),
    summed up to the children instead of asked child by child."""
    from gonghui.members.choices import GOOD_STANDING
    from gonghui.members.models import MemberSpell

    rows = (MemberSpell.objects.filter(org_path__startswith=org.path, starts_on__lte=on, status__in=GOOD_STANDING)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on)).values_list("org_path").annotate(n=Count("id")))
    wanted = {c.path for c in children}
    out: dict[str, int] = defaultdict(int)
    for path, n in rows:
        child = _branch_path(path, org.path)
        if child in wanted:
            out[child] += n
    return out


# --- the attendance behind the figures, counted once per state of the check-ins --------------
#
# Counting a district's check-ins reads every one of them (half a million index entries take
# about 0.1 s on SQLite, and the distinct members behind them half a second more), so what
# is counted from the check-ins is kept in the cache under a key naming exactly what it was
# counted from: the activities and the scope, and the state of the check-in table (its
# newest row, which a check-in added changes, and a generation token that an undone check-in
# or changed session hours replace: generation.py). Any change gives another key, so a cached
# figure is never stale. Inside a transaction nothing is cached or read from the cache: what
# it sees may not be committed, and a rolled-back transaction hands its ids out again.

CACHE_SECONDS = 15 * 60


@dataclass
class Counted:
    """What the figures show of the check-ins, grouped (small, read on every page)."""

    kind_month: dict[tuple[int, int], tuple[int, int, int]]  # (kind id, 202503) → (人次, attendees, non-members)
    by_path: dict[str, tuple[int, int]]  # the organising union's path → (人次, attendees)
    training: tuple[int, int, int, Decimal]  # the classes' (人次, attendees, non-members, person-hours)
    members_all: int  # distinct members who attended
    members_in_scope: int  # … signed up from a union of the scope
    by_child: dict[str, int]  # … from each direct child (by its path)
    trainees: int  # distinct members at a training class
    member_hours: Decimal  # training hours of the scope's members


@dataclass
class Detail:
    """The same check-ins activity by activity, read only where activities are listed."""

    per_activity: dict[int, tuple[int, int, int, int]]  # id → (人次, attendees, non-members, sessions)
    session_checkins: dict[int, int]  # training sessions: session id → check-ins


NOTHING = Counted({}, {}, (0, 0, 0, ZERO), 0, 0, {}, 0, ZERO)


def _version() -> tuple:
    """The state of the check-ins: the newest one (its id and time: a table emptied and
    filled again, as between tests, reuses ids but not times) and the generation token
    that an undone check-in or changed session hours replace (generation.py)."""
    newest = CheckIn.objects.order_by("-id").values_list("id", "at").first()
    return (newest[0], newest[1].isoformat()) if newest else (0, ""), generation.current()


def _cached(name: str, parts: tuple, compute):
    if connection.in_atomic_block:
        return compute()
    digest = hashlib.sha256(repr((parts, _version())).encode()).hexdigest()
    key = f"gonghui.activities.figures.{name}.{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def attendance(held_qs, held: int, path_rows: list, org: Org, scope, children: list[str]):
    """(Counted, a function giving the Detail) for the activities of `held_qs`. `path_rows`:
    their (path, count, beneficiaries, id sum, newest change) by union, which tell an activity
    held, dropped, moved to another kind, month or union, or made a class (every edit saves
    `updated_at`) from the figures counted before."""
    if not held:
        empty = Detail({}, {})
        return NOTHING, lambda: empty

    def compute():
        return _count(held_qs, org, scope, children)

    if connection.in_atomic_block:
        counted, found = compute()
        return counted, lambda: found
    parts = (tuple((p, n, ids, last.isoformat()) for p, n, _b, ids, last in path_rows), org.path, scope.whole, tuple(children))
    digest = hashlib.sha256(repr((parts, _version())).encode()).hexdigest()
    key, detail_key = f"gonghui.activities.figures.attendance.{digest}", f"gonghui.activities.figures.detail.{digest}"
    counted = cache.get(key)
    memo: list[Detail] = []
    if counted is None:
        counted, found = compute()
        cache.set_many({key: counted, detail_key: found}, CACHE_SECONDS)
        memo.append(found)

    def detail() -> Detail:
        if not memo:
            found = cache.get(detail_key)
            if found is None:
                found = compute()[1]
                cache.set(detail_key, found, CACHE_SECONDS)
            memo.append(found)
        return memo[0]

    return counted, detail


def _count(held_qs, org: Org, scope, children: list[str]) -> tuple[Counted, Detail]:
    held = held_qs.values("id")
    chosen = Q(activity_id__in=held)
    # 人次 per activity: an index-only pass over the check-ins' activity index.
    checkins = dict(CheckIn.objects.filter(chosen).values_list("activity_id").annotate(n=Count("id")))
    sessions = dict(Session.objects.filter(chosen).values_list("activity_id").annotate(n=Count("id")).filter(n__gt=1))
    # With one session the attendees are the check-ins (one per person and session); only
    # activities of several sessions are counted person by person.
    attendees = dict(checkins)
    multi = [pk for pk in sessions if pk in checkins]
    if multi:
        attendees.update(CheckIn.objects.filter(activity_id__in=multi).values_list("activity_id")
                         .annotate(n=Count("registration_id", distinct=True)))
    came = Exists(CheckIn.objects.filter(registration=OuterRef("pk")))
    guests = dict(Registration.objects.filter(chosen, member__isnull=True).filter(came).values_list("activity_id")
                  .annotate(n=Count("id")))

    # The same, grouped as the figures show it: by kind and month, by union, the classes.
    per_activity = {}
    kind_month: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    by_path: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    training = [0, 0, 0]
    for pk, kind_id, ym, path, is_training in held_qs.annotate(ym=_month(timezone.get_current_timezone())).values_list(
            "id", "kind_id", "ym", "org_path", "is_training"):
        counts = per_activity[pk] = (checkins.get(pk, 0), attendees.get(pk, 0), guests.get(pk, 0), sessions.get(pk, 1))
        for total in (kind_month[(kind_id, ym)], by_path[path], *([training] if is_training else [])):
            for i in range(len(total)):
                total[i] += counts[i]

    # Distinct members, each under the union they signed up from, with their training: one
    # pass over the check-ins.
    in_class = Q(activity__is_training=True)
    pairs = list(CheckIn.objects.filter(chosen, registration__member__isnull=False)
                 .values_list("registration__member_id", "registration__unit_id", "registration__unit_path")
                 .annotate(trained=Count("id", filter=in_class), hours=Sum("session__hours", filter=in_class)).order_by())
    paths = dict(Org.objects.filter(pk__in={u for _m, u, _p, _t, _h in pairs}).values_list("pk", "path"))
    by_child: dict[str, set] = {p: set() for p in children}
    inside, everyone, trainees, member_hours = set(), set(), set(), ZERO
    for m, unit, unit_path, trained, hours in pairs:
        everyone.add(m)
        path = paths[unit]
        if scope.covers(path):
            inside.add(m)
        child = _branch_path(path, org.path)
        if child in by_child:
            by_child[child].add(m)
        if trained:
            trainees.add(m)
            if scope.covers(unit_path):
                member_hours += hours or ZERO

    classes = held_qs.filter(is_training=True).values("id")
    session_checkins = dict(CheckIn.objects.filter(activity_id__in=classes).values_list("session_id").annotate(n=Count("id")))
    person_hours = sum((h * session_checkins.get(pk, 0) for pk, h in
                        Session.objects.filter(activity_id__in=classes).values_list("id", "hours")), ZERO)
    counted = Counted({k: tuple(v) for k, v in kind_month.items()}, {k: tuple(v) for k, v in by_path.items()},
                      (*training, person_hours), len(everyone), len(inside), {p: len(s) for p, s in by_child.items()},
                      len(trainees), member_hours)
    return counted, Detail(per_activity, session_checkins)


def _training(held_qs, counted: Counted, members: int, rows_of, detail) -> Training:
    classes = held_qs.filter(is_training=True)
    totals = Session.objects.filter(activity_id__in=classes.values("id")).aggregate(n=Count("id"), h=Sum("hours"))
    held = classes.count()
    if not held:
        return Training()
    checkins, enrolments, guests, hours = counted.training
    out = Training(held=held, sessions=totals["n"], class_hours=totals["h"] or ZERO, trainees=counted.trainees + guests,
                   enrolments=enrolments, checkins=checkins, hours=hours, member_hours=counted.member_hours)
    if members:
        out.hours_per_member = (out.member_hours / members).quantize(HOURS)

    def load(limit: int | None) -> list[TrainingClass]:
        if limit is None:
            rows = rows_of(classes.order_by("starts_at", "id"))
        else:  # newest first, those starting together in start order (the list's)
            rows = rows_of(classes.order_by("-starts_at", "id")[:limit])
        sessions: dict[int, list] = defaultdict(list)
        for pk, activity_id, h, teacher, title in (Session.objects.filter(activity_id__in=[a.id for a in rows])
                                                   .order_by("activity_id", "seq")
                                                   .values_list("id", "activity_id", "hours", "teacher", "teacher_title")):
            sessions[activity_id].append((pk, h, teacher, title))
        session_checkins = detail().session_checkins
        out = []
        for a in rows:
            own = sessions.get(a.id, [])
            out.append(TrainingClass(
                activity=a, sessions=len(own), class_hours=sum((h for _pk, h, _t, _tt in own), ZERO),
                hours=sum((h * session_checkins.get(pk, 0) for pk, h, _t, _tt in own), ZERO),
                teachers=list(dict.fromkeys((t, tt) for _pk, _h, t, tt in own if t))))
        return out

    out.load = load
    return out


def _quizzes(held_qs, rows_of) -> list[Quiz]:
    # A few activities hold a quiz: their ids first, so the registrations are read by index.
    quiz_ids = list(held_qs.exclude(quiz_name="").values_list("id", flat=True))
    if not quiz_ids:
        return []
    stats = {pk: (scored, passed, women, has_pass) for pk, scored, passed, women, has_pass in (
        Registration.objects.filter(activity_id__in=quiz_ids, score__isnull=False)
        .values_list("activity_id").annotate(scored=Count("id"), passed=Count("id", filter=Q(passed=True)),
                                             women=Count("id", filter=Q(gender=Gender.FEMALE)),
                                             marked=Count("id", filter=Q(activity__quiz_pass__isnull=False))))}
    if not stats:
        return []
    out = []
    for a in rows_of(held_qs.filter(pk__in=list(stats)).order_by("starts_at", "id")):
        scored, passed, women, marked = stats[a.id]
        out.append(Quiz(a, scored, passed if marked else None, women))
    return out


def _partners(held_qs, detail) -> tuple[list[PartnerRow], list[CategoryRow], dict[int, list[str]]]:
    through = Activity.partners.through
    partners: dict[int, PartnerRow] = {}
    names: dict[int, list[str]] = defaultdict(list)
    with_category: dict[str, set] = defaultdict(set)
    links = list(through.objects.filter(activity_id__in=held_qs.values("id")).order_by("activity_id", "partner_id")
                 .values_list("activity_id", "partner_id", "partner__name", "partner__category", "activity__beneficiaries"))
    per_activity = detail().per_activity if links else {}
    for activity_id, pk, name, category, beneficiaries in links:
        names[activity_id].append(name)
        p = partners.setdefault(pk, PartnerRow(pk, name, category))
        p.activities += 1
        p.served += per_activity.get(activity_id, (0, 0))[1] + beneficiaries
        p.activity_ids.append(activity_id)
        with_category[category].add(activity_id)
    rows = sorted(partners.values(), key=lambda p: (-p.activities, p.name))
    categories: dict[str, CategoryRow] = {}
    for p in rows:
        categories.setdefault(p.category, CategoryRow(p.category, p.category_label,
                                                      activities=len(with_category[p.category]))).partners += 1
    order = sorted(categories.values(), key=lambda r: CATEGORY_ORDER.index(r.key) if r.key in CATEGORY_ORDER else 99)
    return rows, order, dict(names)


# --- the dashboard --------------------------------------------------------------------------------

UPCOMING_DAYS = 14


@dataclass
class Panel:
    year: int
    held: int  # this year's activities held
    checkins: int  # … and their 人次
    upcoming: list  # activities starting in the next UPCOMING_DAYS days (at most 6)
    upcoming_count: int
    open_signups: int  # activities open for sign-up, not yet over
    study_open: int  # study assignments not yet due
    study_due_soon: list  # the first three due in the next UPCOMING_DAYS days


def panel(actor: Actor, org: Org, *, today: dt.date | None = None) -> Panel:
    """This year's activities held and their 人次 in the union's subtree, what is coming in
    the next fortnight, and the study assignments still open."""
    actor.require_covers(org)
    today = today or timezone.localdate()
    t0, t1 = period_bounds(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    scoped = Activity.objects.for_actor(actor).filter(org_path__startswith=org.path)
    held_qs = scoped.filter(status__in=HELD, starts_at__gte=t0, starts_at__lt=t1)
    ids = sorted(held_qs.values_list("id", flat=True))
    checkins = sum(n for n, _a, _g, _s in _cached("panel", (tuple(ids),), lambda: _checkins_by_activity(held_qs, ids)).values())
    now = timezone.now()
    soon = scoped.filter(starts_at__gte=now, starts_at__lt=day_start(today + dt.timedelta(days=UPCOMING_DAYS + 1))).exclude(
        status=Status.CANCELLED)
    study = StudyAssignment.objects.for_actor(actor).filter(org_path__startswith=org.path, due_on__gte=today)
    return Panel(year=today.year, held=len(ids), checkins=checkins,
                 upcoming=list(soon.select_related("kind", "org").order_by("starts_at", "id")[:6]), upcoming_count=soon.count(),
                 open_signups=scoped.filter(status=Status.OPEN, ends_at__gte=now).count(), study_open=study.count(),
                 study_due_soon=list(study.filter(due_on__lte=today + dt.timedelta(days=UPCOMING_DAYS)).order_by("due_on", "id")[:3]))


def _checkins_by_activity(held_qs, ids) -> dict[int, tuple[int, int, int, int]]:
    counts = dict(CheckIn.objects.filter(activity_id__in=held_qs.values("id")).values_list("activity_id").annotate(n=Count("id")))
    return {pk: (counts.get(pk, 0), 0, 0, 0) for pk in ids}

"""Reads of the roster, always scoped; counts "as of" a date come from spells."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from gonghui.access.actor import Actor
from gonghui.access.scope import get_scoped_or_404
from gonghui.core.validators import _clean
from gonghui.members.choices import GOOD_STANDING, EventKind, Status, TransferState
from gonghui.members.models import ChangeRequest, Member, MembershipEvent, MemberSpell, Transfer
from gonghui.members.pinyin import looks_like_pinyin
from gonghui.orgs.models import Level, Org

_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dX]$")
_PHONE_LIKE = re.compile(r"^1\d{10}$")


def members_for(actor: Actor) -> QuerySet:
    return Member.objects.for_actor(actor)


def member_get(actor: Actor, pk) -> Member:
    return get_scoped_or_404(Member.objects.select_related("org"), actor, pk=pk)


def member_search(
    actor: Actor,
    *,
    q: str = "",
    org: Org | None = None,
    subtree: bool = True,
    status: str = "current",
    gender: str = "",
    migrant: bool = False,
    new_form: bool = False,
    joined_from: dt.date | None = None,
    joined_to: dt.date | None = None,
    as_of: dt.date | None = None,
    event: str = "",
    event_from: dt.date | None = None,
    event_to: dt.date | None = None,
) -> QuerySet:
    qs = members_for(actor).select_related("org")
    if as_of is not None:
        # in good standing at the union (or below) on that day: the rows behind count_as_of
        spells = MemberSpell.objects.filter(starts_on__lte=as_of, status__in=GOOD_STANDING).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=as_of))
        spells = _subtree(spells, org, subtree) if org is not None else spells
        qs = qs.filter(pk__in=spells.values("member_id"))
    if event in EventKind.values and event_from and event_to:
        # had the event at the union (or below) in the period: the rows behind count_events
        events = MembershipEvent.objects.filter(kind=event, on__gte=event_from, on__lte=event_to)
        if org is not None:
            events = _subtree(events, org, subtree)
            if event in (EventKind.TRANSFER_IN, EventKind.TRANSFER_OUT) and subtree:
                events = events.exclude(other_org__path__startswith=org.path)
        qs = qs.filter(pk__in=events.values("member_id"))
    if as_of is not None or event:
        org = None  # the spell or event says where; the member may have moved since
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    if status == "current":
        qs = qs.filter(status__in=GOOD_STANDING)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if gender in ("M", "F"):
        qs = qs.filter(gender=gender)
    if migrant:
        qs = qs.filter(is_migrant_worker=True)
    if new_form:
        qs = qs.exclude(new_form="")
    if joined_from:
        qs = qs.filter(joined_on__gte=joined_from)
    if joined_to:
        qs = qs.filter(joined_on__lte=joined_to)
    q = (q or "").strip()
    if q:
        qs = qs.filter(search_q(q))
    return qs


def search_q(q: str) -> Q:
    """What a search box entry means: an ID number, a phone, pinyin, a card number or a name."""
    from gonghui.members.models import id_hash, phone_hash

    cleaned = _clean(q)
    if _ID_LIKE.match(cleaned):
        number = cleaned
        if len(cleaned) == 15:
            from gonghui.core.validators import id_check_char

            body = cleaned[:6] + "19" + cleaned[6:]
            number = body + id_check_char(body)
        return Q(id_hash=id_hash(number))
    if _PHONE_LIKE.match(cleaned):
        return Q(phone_hash=phone_hash(cleaned)) | Q(card_no=cleaned)
    if looks_like_pinyin(q):
        key = q.replace(" ", "").lower()
        # Letters only: never a card number (those carry digits); an OR here would cost
        # the index range its use.
        return _prefix(pinyin_column(key), key)
    if cleaned.isalnum() and any(ch.isdigit() for ch in cleaned):
        return Q(card_no=q.strip())
    return _prefix("name", q.strip())


def pinyin_column(key: str) -> str:
    """zs, ls, zsf → initials; zhang, zhangsan → full pinyin (a syllable has a vowel)."""
    return "name_pinyin" if any(ch in "aeiouv" for ch in key) else "name_initials"


def search_order(q: str) -> tuple[str, str] | None:
    """The order that lets a name or pinyin search walk its own index (None: default)."""
    q = (q or "").strip()
    cleaned = _clean(q)
    if not q or _ID_LIKE.match(cleaned) or _PHONE_LIKE.match(cleaned):
        return None
    if looks_like_pinyin(q):
        return (pinyin_column(q.replace(" ", "").lower()), "id")
    if cleaned.isalnum() and any(ch.isdigit() for ch in cleaned):
        return None
    return ("name", "id")


def _prefix(column: str, key: str) -> Q:
    """column LIKE 'key%', plus the same set as a range where the database sorts by code
    point, so that a plain index serves it under any such collation (C.UTF-8 included)."""
    q = Q(**{f"{column}__startswith": key})
    if key and codepoint_collation():
        q &= Q(**{f"{column}__gte": key, f"{column}__lt": key[:-1] + chr(ord(key[-1]) + 1)})
    return q


_collation_cache: dict[str, bool] = {}


def codepoint_collation() -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return True  # SQLite compares text by bytes (BINARY)
    if connection.alias not in _collation_cache:
        with connection.cursor() as cursor:
            cursor.execute("SHOW lc_collate")
            value = cursor.fetchone()[0]
        _collation_cache[connection.alias] = value.split(".")[0] in ("C", "POSIX")
    return _collation_cache[connection.alias]


def timeline(member: Member) -> list[MembershipEvent]:
    return list(member.events.select_related("org", "other_org").order_by("on", "id"))


def _subtree(qs, org: Org, subtree: bool, field: str = "org_path"):
    return qs.filter(**{f"{field}__startswith": org.path}) if subtree else qs.filter(org=org)


def count_as_of(actor: Actor, org: Org, on: dt.date, *, subtree: bool = True, status=GOOD_STANDING) -> int:
    """Members in good standing at `org` (and below) on the date `on`."""
    actor.require_covers(org)
    qs = _subtree(MemberSpell.objects.all(), org, subtree)
    return qs.filter(starts_on__lte=on, status__in=status).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on)).count()


def count_events(actor: Actor, org: Org, kind: str, start: dt.date, end: dt.date, *, subtree: bool = True) -> int:
    """Events of a kind at `org` (and below) between two dates, both included. Transfers
    between two unions of the same subtree are internal and not counted for it."""
    actor.require_covers(org)
    qs = _subtree(MembershipEvent.objects.filter(kind=kind, on__gte=start, on__lte=end), org, subtree)
    if kind in (EventKind.TRANSFER_IN, EventKind.TRANSFER_OUT) and subtree:
        qs = qs.exclude(other_org__path__startswith=org.path)
    return qs.count()


def employees_of(org: Org) -> int:
    """Employees behind a union's 入会率: its own figure for a grassroots union or below;
    the sum of its grassroots unions' figures above that (branches are part of those)."""
    if org.level >= Level.GRASSROOTS:
        return org.employee_count
    from django.db.models import Sum

    return Org.objects.filter(path__startswith=org.path, level=Level.GRASSROOTS, is_active=True).aggregate(
        n=Sum("employee_count")
    )["n"] or 0


def rate_employees(org: Org, subtree: bool = True) -> int:
    """The employees a 入会率 divides by, for the same rows `reporting_scope` counts."""
    from gonghui.orgs.selectors import reporting_scope

    return employees_of(org) if reporting_scope(org, subtree).whole else org.employee_count


def membership_rate(actor: Actor, org: Org, on: dt.date, *, subtree: bool = True) -> tuple[int, int, float | None]:
    """(members in good standing, employees, rate) as of a date. A grassroots union always
    counts its branches and groups (`reporting_scope`); a federation its whole subtree
    unless `subtree=False` asks for its own office."""
    from gonghui.orgs.selectors import reporting_scope

    scope = reporting_scope(org, subtree)
    members = count_as_of(actor, org, on, subtree=scope.whole)
    employees = rate_employees(org, subtree)
    return members, employees, (members / employees if employees else None)


def reporting_whole(org: Org, subtree: bool) -> bool:
    """Whether figures asked for `org` with `subtree` cover the unions below it."""
    from gonghui.orgs.selectors import reporting_scope

    return reporting_scope(org, subtree).whole


def rates_by_child(actor: Actor, org: Org, on: dt.date) -> list[dict]:
    """入会率 of each direct child union (for the breakdown table and chart)."""
    rows = []
    for child in Org.objects.filter(parent=org, is_active=True).order_by("code"):
        members, employees, rate = membership_rate(actor, child, on)
        rows.append({"org": child, "members": members, "employees": employees, "rate": rate})
    return rows


def roster_figures(actor: Actor, org: Org, *, today: dt.date | None = None) -> dict:
    """Current make-up of a subtree's members, for the dashboard charts."""
    from gonghui.members.choices import Education, Gender, Hukou, NewForm, Political

    today = today or dt.date.today()
    base = Member.objects.filter(org_path__startswith=org.path, status__in=GOOD_STANDING)
    by = lambda field: dict(base.values_list(field).annotate(n=Count("id")))  # noqa: E731
    gender, education, new_form = by("gender"), by("education"), by("new_form")
    political, hukou = by("political"), by("hukou")
    ages = {"30岁以下": 0, "30–39岁": 0, "40–49岁": 0, "50–59岁": 0, "60岁及以上": 0}
    bounds = [(today.replace(year=today.year - 30), "30岁以下"), (today.replace(year=today.year - 40), "30–39岁"),
              (today.replace(year=today.year - 50), "40–49岁"), (today.replace(year=today.year - 60), "50–59岁")]
    remaining = base
    for cutoff, label in bounds:
        ages[label] = remaining.filter(birth_date__gt=cutoff).count()
        remaining = remaining.filter(birth_date__lte=cutoff)
    ages["60岁及以上"] = remaining.count()
    statuses = dict(Member.objects.filter(org_path__startswith=org.path).values_list("status").annotate(n=Count("id")))
    # The first day of the month eleven months back: twelve months with this one (a fixed
    # number of days back gave thirteen in some months, e.g. from December of a common year).
    back = today.year * 12 + today.month - 1 - 11
    start = dt.date(back // 12, back % 12 + 1, 1)
    months = (
        MembershipEvent.objects.filter(org_path__startswith=org.path, kind=EventKind.JOIN, on__gte=start)
        .annotate(m=TruncMonth("on")).values_list("m").annotate(n=Count("id")).order_by("m")
    )
    per_month = {m.strftime("%Y-%m") if hasattr(m, "strftime") else str(m)[:7]: n for m, n in months}
    month_keys = []
    cursor = start
    while cursor <= today:
        month_keys.append(cursor.strftime("%Y-%m"))
        cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    total = sum(gender.values())
    return {
        "total": total,
        "gender": [(Gender(k).label, v, f"?gender={k}") for k, v in sorted(gender.items())],
        "education": [(Education(k).label if k else "未填", v, "") for k, v in sorted(education.items(), key=lambda kv: -kv[1])],
        "age": [(k, v, "") for k, v in ages.items()],
        "status": [(Status(k).label, v, f"?status={k}") for k, v in sorted(statuses.items())],
        "political": [(Political(k).label, v, "") for k, v in sorted(political.items(), key=lambda kv: -kv[1])],
        "hukou": [(Hukou(k).label if k else "未填", v, "") for k, v in sorted(hukou.items(), key=lambda kv: -kv[1])],
        "migrant": base.filter(is_migrant_worker=True).count(),
        "new_form": sum(v for k, v in new_form.items() if k),
        "new_form_groups": [(NewForm(k).label, v, "") for k, v in new_form.items() if k],
        "per_month": [(k, per_month.get(k, 0), f"?joined_from={k}-01") for k in month_keys],
    }


def transfers_for(actor: Actor):
    """Pending transfers the actor's subtree sends or receives."""
    if actor.is_operator:
        return Transfer.objects.all()
    p = actor.org.path
    return Transfer.objects.filter(Q(from_path__startswith=p) | Q(to_path__startswith=p))


def transfer_get(actor: Actor, pk) -> Transfer:
    return get_scoped_or_404(transfers_for(actor).select_related("member", "from_org", "to_org"), actor, pk=pk)


def pending_transfers(actor: Actor):
    return transfers_for(actor).filter(state=TransferState.PENDING).select_related("member", "from_org", "to_org").order_by("on", "id")


def change_requests_for(actor: Actor):
    return ChangeRequest.objects.for_actor(actor).select_related("member", "member__org")


def change_request_get(actor: Actor, pk) -> ChangeRequest:
    return get_scoped_or_404(change_requests_for(actor), actor, pk=pk)


def member_of_user(user) -> Member | None:
    return Member.objects.filter(user=user).select_related("org").first() if user is not None else None


def org_for_transfer(code: str) -> Org | None:
    """A receiving union named by its exact code (it may lie outside the sender's scope:
    members move between districts). Only an exact code finds it."""
    return Org.objects.filter(code=(code or "").strip().upper(), is_active=True, level__gte=Level.GRASSROOTS).first()

"""Reads of member benefits, always scoped to the actor's subtree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from gonghui.access.actor import Actor
from gonghui.access.scope import ancestor_paths, get_scoped_or_404
from gonghui.benefits.models import BenefitBatch, BenefitRecord, Kind, RuleChoice, RuleSet
from gonghui.members.choices import GOOD_STANDING, Gender, Status
from gonghui.members.models import Member
from gonghui.orgs.models import Org

# Member statuses that can still receive a benefit (a retiree gets 退休慰问 and festivals).
RECEIVING = (*GOOD_STANDING, Status.RETIRED)

# --- rule sets ------------------------------------------------------------------------------


def default_ruleset(on: dt.date) -> RuleSet | None:
    qs = RuleSet.objects.filter(is_default=True, effective_from__lte=on).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    return qs.order_by("-effective_from", "-id").first()


def ruleset_for(org_path: str, on: dt.date, *, cache: dict | None = None) -> RuleSet | None:
    """The rule set in force for a union on a date: the nearest union at or above it that
    chose one in force that day; else the national default.

    Not scoped: the rules that bind a union are not its data, and a branch must apply its
    parent's choice even though it cannot open the parent's records."""
    key = (org_path, on)
    if cache is not None and key in cache:
        return cache[key]
    choices = (
        RuleChoice.objects.filter(org_path__in=ancestor_paths(org_path))
        .select_related("ruleset")
        .order_by("-org_path")
    )
    found = None
    for choice in sorted(choices, key=lambda c: -len(c.org_path)):
        if choice.ruleset.in_force(on):
            found = choice.ruleset
            break
    found = found or default_ruleset(on)
    if cache is not None:
        cache[key] = found
    return found


def rules_of(ruleset: RuleSet | None, *, cache: dict | None = None) -> dict:
    if ruleset is None:
        return {}
    if cache is not None and ruleset.pk in cache:
        return cache[ruleset.pk]
    rules = {r.kind: r for r in ruleset.rules.all()}
    if cache is not None:
        cache[ruleset.pk] = rules
    return rules


def rulesets_for(actor: Actor) -> QuerySet:
    return RuleSet.objects.visible_to(actor).select_related("org")


def ruleset_get(actor: Actor, pk) -> RuleSet:
    return get_scoped_or_404(rulesets_for(actor), actor, pk=pk)


def own_choice(org: Org) -> RuleChoice | None:
    return RuleChoice.objects.filter(org=org).select_related("ruleset").first()


def choices_for(actor: Actor) -> QuerySet:
    return RuleChoice.objects.for_actor(actor).select_related("org", "ruleset").order_by("org_path")


# --- records --------------------------------------------------------------------------------


def records_for(actor: Actor) -> QuerySet:
    return BenefitRecord.objects.for_actor(actor)


def record_get(actor: Actor, pk) -> BenefitRecord:
    return get_scoped_or_404(
        records_for(actor).select_related("member", "org", "batch", "ruleset", "overridden_by", "created_by", "reversal_of"),
        actor, pk=pk,
    )


def record_search(
    actor: Actor,
    *,
    kind: str = "",
    festival: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    org: Org | None = None,
    subtree: bool = True,
    q: str = "",
    overrides: bool = False,
    member: Member | None = None,
) -> QuerySet:
    qs = records_for(actor).select_related("member", "org")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if festival:
        qs = qs.filter(festival=festival)
    if start:
        qs = qs.filter(on__gte=start)
    if end:
        qs = qs.filter(on__lte=end)
    if overrides:
        qs = qs.exclude(override_reason="")
    if member is not None:
        qs = qs.filter(member=member)
    q = (q or "").strip()
    if q:
        from gonghui.members.selectors import search_q

        qs = qs.filter(member__in=Member.objects.filter(search_q(q)).values("pk"))
    return qs


def batches_for(actor: Actor) -> QuerySet:
    return BenefitBatch.objects.for_actor(actor)


def batch_get(actor: Actor, pk) -> BenefitBatch:
    return get_scoped_or_404(batches_for(actor).select_related("org", "created_by", "overridden_by"), actor, pk=pk)


def batch_totals(batch: BenefitBatch) -> dict:
    return batch.records.aggregate(n=Count("id", filter=Q(reversal_of__isnull=True, is_reversed=False)), total=Sum("amount"))


# --- who a batch reaches ---------------------------------------------------------------------

SELECTIONS = {
    "all": "全体在册会员",
    "women": "全体在册女会员",
    "birthday": "当月过生日的在册会员",
    "list": "指定会员名单",
}


def eligible_members(
    actor: Actor, org: Org, *, subtree: bool = True, selection: str = "all", month: int | None = None, ids=()
) -> QuerySet:
    """Members a batch is for at `org` (and below), by selection: in good standing, or for
    an explicit list any status that can still receive a benefit (retirees included)."""
    actor.require_covers(org)
    qs = Member.objects.for_actor(actor).filter(status__in=RECEIVING if selection == "list" else GOOD_STANDING)
    qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    if selection == "women":
        qs = qs.filter(gender=Gender.FEMALE)
    elif selection == "birthday":
        qs = qs.filter(birth_date__month=month or dt.date.today().month)
    elif selection == "list":
        qs = qs.filter(pk__in=list(ids))
    return qs.select_related("org").order_by("org_path", "name_pinyin", "id")


def members_by_ids(actor: Actor, ids) -> list[Member]:
    return list(Member.objects.for_actor(actor).filter(pk__in=list(ids)).select_related("org"))


# --- figures ---------------------------------------------------------------------------------


def _period(actor: Actor, org: Org, start: dt.date, end: dt.date) -> QuerySet:
    actor.require_covers(org)
    return records_for(actor).filter(org_path__startswith=org.path, on__gte=start, on__lte=end)


def _effective_count():
    return Count("id", filter=Q(reversal_of__isnull=True, is_reversed=False))


def figures(actor: Actor, org: Org, start: dt.date, end: dt.date) -> dict:
    qs = _period(actor, org, start, end)
    totals = qs.aggregate(total=Sum("amount"), n=_effective_count(), people=Count("member", distinct=True,
                          filter=Q(reversal_of__isnull=True, is_reversed=False)))
    overrides = qs.exclude(override_reason="").filter(is_reversed=False).count()
    by_kind = {row["kind"]: row for row in qs.values("kind").annotate(total=Sum("amount"), n=_effective_count())}
    kinds = [(label, float(by_kind[k]["total"] or 0), f"?kind={k}&start={start}&end={end}", by_kind[k]["n"])
             for k, label in Kind.choices if k in by_kind]
    months = []
    for row in qs.annotate(m=TruncMonth("on")).values("m").annotate(total=Sum("amount")).order_by("m"):
        m = row["m"]
        m = m.date() if isinstance(m, dt.datetime) else m
        last = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        months.append((f"{m.year}年{m.month}月", float(row["total"] or 0), f"?start={m}&end={last}"))
    # One grouped query, rolled up to the child unions by path prefix.
    by_path = qs.values("org_path").annotate(total=Sum("amount"), n=Count("id")).order_by()
    child_list = list(Org.objects.filter(parent=org, is_active=True).order_by("code"))
    sums: dict = {c.path: Decimal(0) for c in child_list}
    for row in by_path:
        path = row["org_path"]
        if path == org.path:
            continue
        rest = path[len(org.path):]
        child_path = org.path + rest.split("/", 1)[0] + "/"
        if child_path in sums:
            sums[child_path] += row["total"] or Decimal(0)
    children = [(c.display_name, float(sums[c.path]), f"?org={c.code}&subtree=1&start={start}&end={end}")
                for c in child_list if sums[c.path]]
    return {
        "total": totals["total"] or Decimal(0), "n": totals["n"], "people": totals["people"], "overrides": overrides,
        "kinds": [r[:3] for r in kinds], "kind_rows": kinds, "months": months, "children": children,
    }


def year_total(member: Member, kind: str, year: int) -> Decimal:
    """What a member received of a kind in a year (reversals netted), platform-wide: the
    annual cap is per person across the platform, so amounts given by another union (e.g.
    before a transfer) count. Unscoped on purpose; pages must label it 全平台累计."""
    total = BenefitRecord.objects.filter(member=member, kind=kind, on__year=year).aggregate(t=Sum("amount"))["t"]
    return total or Decimal(0)


def member_by_key(actor: Actor, text: str) -> Member | None:
    """A member in scope named by a full ID number or a card number (never by a name:
    money goes to a person identified without doubt)."""
    from gonghui.core.validators import _clean
    from gonghui.members.selectors import _ID_LIKE, search_q

    text = (text or "").strip()
    if not text:
        return None
    cleaned = _clean(text)
    qs = Member.objects.for_actor(actor).select_related("org")
    found = qs.filter(search_q(text)).first() if _ID_LIKE.match(cleaned) else qs.filter(card_no=text).first()
    return found


def listed_members(actor: Actor, org: Org, lines, *, subtree: bool = True) -> tuple[list[Member], list[str]]:
    """The members an explicit batch list names, and a Chinese reason for every listed key
    that cannot be used (unknown, outside the chosen union, or a status that receives no
    benefit): nothing listed is left out silently."""
    problems, found, seen = [], [], set()
    for line in lines:
        key = line.strip()
        if not key:
            continue
        m = member_by_key(actor, key)
        if m is None:
            problems.append(f"{key}：找不到该会员，或不在您的管辖范围内")
        elif not (m.org_path.startswith(org.path) if subtree else m.org_id == org.pk):
            problems.append(f"{key}（{m.name}）：不属于“{org.name}”" + ("及其下级工会" if subtree else ""))
        elif m.status not in RECEIVING:
            problems.append(f"{key}（{m.name}）：会籍状态为“{m.get_status_display()}”，不能发放会员慰问")
        elif m.pk not in seen:
            seen.add(m.pk)
            found.append(m)
    return found, problems


def members_by_keys(actor: Actor, lines) -> tuple[list[Member], list[str]]:
    found, missing, seen = [], [], set()
    for line in lines:
        key = line.strip()
        if not key:
            continue
        m = member_by_key(actor, key)
        if m is None:
            missing.append(key)
        elif m.pk not in seen:
            seen.add(m.pk)
            found.append(m)
    return found, missing

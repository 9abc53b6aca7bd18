"""Reads of hardship archives and assistance records, always scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from gonghui.access.actor import Actor
from gonghui.access.scope import get_scoped_or_404
from gonghui.assistance.choices import (
    MANAGED,
    NON_MEMBER,
    VERIFY_EVERY_DAYS,
    Cause,
    Funding,
    Occasion,
    Recipient,
    Status,
    Step,
    Tier,
    YearClass,
)
from gonghui.assistance.models import (
    AssistanceBatch,
    AssistanceRecord,
    DibaoLine,
    Household,
    HouseholdSpell,
    RegionSetting,
)
from gonghui.orgs.models import Org


def households_for(actor: Actor) -> QuerySet:
    return Household.objects.for_actor(actor)


def household_get(actor: Actor, pk) -> Household:
    return get_scoped_or_404(Household.objects.select_related("org", "head"), actor, pk=pk)


def household_of_member(member) -> Household | None:
    return Household.objects.filter(head=member).first()


def member_by_id_number(actor: Actor, number: str):
    """The member of the actor's subtree with this resident ID number, matched exactly on
    the blind index (never a name search). ValidationError when malformed or unknown."""
    from gonghui.core.validators import parse_resident_id
    from gonghui.members.models import id_hash
    from gonghui.members.selectors import members_for

    if not (number or "").strip():
        raise ValidationError("请填写身份证号。")
    parsed = parse_resident_id(number)  # ValidationError in Chinese when malformed
    member = members_for(actor).select_related("org").filter(id_hash=id_hash(parsed.number)).first()
    if member is None:
        raise ValidationError("在您管辖的工会中找不到该身份证号的会员，请先登记会员。")
    return member


def household_search(actor: Actor, *, org: Org | None = None, subtree: bool = True, status: str = "", tier: str = "",
                     cause: str = "", q: str = "", year_class: str = "", year: int | None = None,
                     due: bool = False, today: dt.date | None = None, as_of: dt.date | None = None) -> QuerySet:
    qs = households_for(actor).select_related("org", "head")
    if as_of is not None:
        # under management at the union (or below) on that day: the rows behind count_as_of
        spells = _as_of(HouseholdSpell.objects.filter(status__in=list(MANAGED)), as_of)
        if org is not None:
            spells = spells.filter(org_path__startswith=org.path) if subtree else spells.filter(org=org)
        qs = qs.filter(pk__in=spells.values("household_id"))
        if tier in Tier.values:
            qs = qs.filter(pk__in=spells.filter(tier=tier).values("household_id"))
            tier = ""
        org, status = None, ""  # the spell says where and how it stood that day
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    if status == "managed":
        qs = qs.filter(status__in=MANAGED)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if tier in Tier.values:
        qs = qs.filter(tier=tier)
    if cause in Cause.values:
        qs = qs.filter(causes__contains=f",{cause},")
    if q:
        qs = qs.filter(head__name__startswith=q.strip())
    if due:
        qs = due_filter(qs, today or dt.date.today())
    if year_class in YearClass.values and year:
        ids = [pk for pk, c in year_classes(actor, org or actor.org, year).items() if c == year_class]
        qs = qs.filter(pk__in=ids)
    return qs


def due_filter(qs, today: dt.date):
    cutoff = today - dt.timedelta(days=VERIFY_EVERY_DAYS)
    return qs.filter(status__in=MANAGED).filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lte=cutoff))


def due_for_verification(actor: Actor, org: Org, today: dt.date | None = None) -> QuerySet:
    """Archives under management whose yearly re-verification is due."""
    return due_filter(households_for(actor).filter(org_path__startswith=org.path), today or dt.date.today()).select_related("head", "org")


def _as_of(qs, on: dt.date):
    return qs.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))


def count_as_of(actor: Actor, org: Org, on: dt.date, *, subtree: bool = True, statuses=MANAGED, tier: str = "",
                cause: str = "") -> int:
    """Households at `org` (and below) in one of `statuses` on the date `on`."""
    actor.require_covers(org)
    qs = HouseholdSpell.objects.filter(org_path__startswith=org.path) if subtree else HouseholdSpell.objects.filter(org=org)
    qs = _as_of(qs, on).filter(status__in=list(statuses))
    if tier:
        qs = qs.filter(tier=tier)
    if cause:
        qs = qs.filter(household__causes__contains=f",{cause},")
    return qs.count()


def breakdown_as_of(actor: Actor, org: Org, on: dt.date, field: str, *, statuses=MANAGED) -> dict[str, int]:
    actor.require_covers(org)
    qs = _as_of(HouseholdSpell.objects.filter(org_path__startswith=org.path), on).filter(status__in=list(statuses))
    return dict(qs.values_list(field).annotate(n=Count("id")))


def year_classes(actor: Actor, org: Org, year: int) -> dict[int, str]:
    """{household id: 存量/增量/返困} for the archives under management at any time in `year`."""
    actor.require_covers(org)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    spells = HouseholdSpell.objects.filter(org_path__startswith=org.path)
    managed = spells.filter(status__in=list(MANAGED), starts_on__lte=end).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=start))
    ids = set(managed.values_list("household_id", flat=True))
    new = set(spells.filter(household_id__in=ids, step=Step.FILE, starts_on__gte=start, starts_on__lte=end).values_list("household_id", flat=True))
    returned = set(spells.filter(household_id__in=ids, step=Step.RETURN, starts_on__gte=start, starts_on__lte=end).values_list("household_id", flat=True))
    return {pk: YearClass.NEW if pk in new else YearClass.RETURNED if pk in returned else YearClass.STOCK for pk in ids}


def timeline(household: Household, actor: Actor | None = None) -> list[HouseholdSpell]:
    """The archive's spells. Their notes hold the reasons for an override, 脱困, 返困 or
    不予建档, which are as sensitive as the income behind them: blanked unless `actor` may
    see assistance.sensitive."""
    spells = list(household.spells.order_by("starts_on", "id"))
    if actor is None or not actor.can("assistance.sensitive"):
        for s in spells:
            s.note = ""
    return spells


# --- assistance records ----------------------------------------------------------------


def records_for(actor: Actor) -> QuerySet:
    return AssistanceRecord.objects.for_actor(actor)


def record_get(actor: Actor, pk) -> AssistanceRecord:
    return get_scoped_or_404(AssistanceRecord.objects.select_related("org", "member", "household", "batch"), actor, pk=pk)


def record_search(actor: Actor, *, org: Org | None = None, occasion: str = "", funding: str = "", start: dt.date | None = None,
                  end: dt.date | None = None, household: Household | None = None, batch: AssistanceBatch | None = None,
                  month: str = "", subtree: bool = True, standing: bool = False, recipient: str = "") -> QuerySet:
    """`recipient`: "member" (会员), "nonmember" (both kinds below), "resident" or "group"."""
    qs = records_for(actor).select_related("org", "member", "household")
    if recipient == "nonmember":
        qs = qs.filter(recipient__in=list(NON_MEMBER))
    elif recipient in Recipient.values:
        qs = qs.filter(recipient=recipient)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path) if subtree else qs.filter(org=org)
    if standing:  # neither a reversal nor reversed: the records a summary counts
        qs = qs.filter(reversal_of__isnull=True, reversal__isnull=True)
    if occasion in Occasion.values:
        qs = qs.filter(occasion=occasion)
    if funding in Funding.values:
        qs = qs.filter(funding=funding)
    if start:
        qs = qs.filter(on__gte=start)
    if end:
        qs = qs.filter(on__lte=end)
    if month:
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            first = None
        if first:
            nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            qs = qs.filter(on__gte=first, on__lt=nxt)
    if household is not None:
        qs = qs.filter(household=household)
    if batch is not None:
        qs = qs.filter(batch=batch)
    return qs


CENT = Decimal("0.01")


def totals(qs) -> dict:
    """Amounts and counts of `qs`. Members and non-members are counted apart: `households`
    (archives) and `members` are members only; `residents` (distinct people by ID number),
    `groups` (distinct villages or groups by name), `group_households` and `group_people`
    (the households and people the group visits reached) are the non-members; `member_total`
    and `nonmember_total` split the money. `cash`, `goods`, `total` and `records` cover all."""
    # amounts are net of reversals (the mirror cancels the original); counts take only the
    # records that stand: neither a reversal nor reversed (the mirror's related_name is "reversal")
    standing = Q(reversal_of__isnull=True, reversal__isnull=True)
    members = Q(recipient=Recipient.MEMBER)
    residents = standing & Q(recipient=Recipient.RESIDENT)
    groups = standing & Q(recipient=Recipient.GROUP)
    agg = qs.aggregate(all_cash=Sum("cash"), all_goods=Sum("goods_value"), n=Count("id", filter=standing),
                       households=Count("household", filter=standing, distinct=True),
                       members=Count("member", filter=standing & members, distinct=True),
                       member_cash=Sum("cash", filter=members), member_goods=Sum("goods_value", filter=members),
                       residents=Count("id_hash", filter=residents, distinct=True),
                       groups=Count("recipient_name", filter=groups, distinct=True),
                       group_households=Sum("households_reached", filter=groups),
                       group_people=Sum("people_reached", filter=groups))
    # quantized: SQLite sums decimals to "1400", PostgreSQL to "1400.00"
    cash, goods, member_cash, member_goods = (Decimal(agg[k] or 0).quantize(CENT)
                                              for k in ("all_cash", "all_goods", "member_cash", "member_goods"))
    member_total = member_cash + member_goods
    return {"cash": cash, "goods": goods, "total": cash + goods, "records": agg["n"], "households": agg["households"],
            "members": agg["members"], "member_total": member_total, "nonmember_total": cash + goods - member_total,
            "residents": agg["residents"], "groups": agg["groups"], "group_households": agg["group_households"] or 0,
            "group_people": agg["group_people"] or 0}


def list_totals(qs, *, dated: bool, today: dt.date | None = None) -> dict:
    """The totals line of a list page: over the filtered records when a date range or month
    was chosen, otherwise over the current year only (not the whole subtree's history on
    every load); "year" says which."""
    if dated:
        return {**totals(qs), "year": None}
    year = (today or dt.date.today()).year
    return {**totals(qs.filter(on__gte=dt.date(year, 1, 1), on__lte=dt.date(year, 12, 31))), "year": year}


def batches_for(actor: Actor) -> QuerySet:
    return AssistanceBatch.objects.for_actor(actor)


def batch_get(actor: Actor, pk) -> AssistanceBatch:
    return get_scoped_or_404(AssistanceBatch.objects.select_related("org"), actor, pk=pk)


def batch_rows(batch: AssistanceBatch) -> list[AssistanceRecord]:
    return list(batch.records.filter(reversal_of__isnull=True).exclude(reversal__isnull=False)
                .select_related("member", "household", "org").order_by("member__name_pinyin", "recipient_name", "id"))


def batch_candidates(actor: Actor) -> QuerySet:
    """Archives a batch may go to: under management in the actor's subtree."""
    return households_for(actor).filter(status__in=MANAGED).select_related("head", "org").order_by("head__name_pinyin", "id")


# Rows of the 签收表 per printed A4 sheet. The sheet's CSS gives every row a fixed height so
# that this many rows, the page subtotal, the total and the signature block always fit one
# sheet: the server, not the browser, decides where a page ends, so each page can carry
# its own subtotal.
SHEET_ROWS = {"portrait": 25, "landscape": 20}


@dataclass
class SheetPage:
    number: int
    count: int
    first: int  # 序号 of its first row
    rows: list
    cash: Decimal
    goods: Decimal

    @property
    def total(self) -> Decimal:
        return self.cash + self.goods

    @property
    def last(self) -> bool:
        return self.number == self.count


def sign_sheet_pages(rows: list[AssistanceRecord], *, orientation: str = "portrait") -> list[SheetPage]:
    """The 签收表 cut into printed pages, each with its own subtotal (at least one page)."""
    size = SHEET_ROWS.get(orientation, SHEET_ROWS["portrait"])
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]
    return [SheetPage(number=n, count=len(chunks), first=(n - 1) * size + 1, rows=chunk,
                      cash=sum((r.cash for r in chunk), Decimal(0)), goods=sum((r.goods_value for r in chunk), Decimal(0)))
            for n, chunk in enumerate(chunks, start=1)]


# --- statistics ------------------------------------------------------------------------


def figures(actor: Actor, org: Org, *, on: dt.date, year: int) -> dict:
    """Counts and amounts for the statistics page and the dashboard panel; every row is
    [label, value, "?query"] so a chart click opens the records behind it."""
    tiers = breakdown_as_of(actor, org, on, "tier")
    statuses = breakdown_as_of(actor, org, on, "status", statuses=Status.values)
    causes = []
    if actor.can("assistance.sensitive"):  # causes (illness, disability, …) are sensitive details
        for c in Cause:
            n = count_as_of(actor, org, on, cause=c)
            if n:
                causes.append((c.label, n, f"?cause={c.value}&status=managed"))
    classes = year_classes(actor, org, year)
    per_class = {c: 0 for c in YearClass.values}
    for c in classes.values():
        per_class[c] += 1
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    recs = record_search(actor, org=org, start=start, end=end)
    by_occasion = dict(recs.values_list("occasion").annotate(n=Sum("cash") + Sum("goods_value")))
    by_funding = dict(recs.values_list("funding").annotate(n=Sum("cash") + Sum("goods_value")))
    months = dict(
        (m.strftime("%Y-%m") if hasattr(m, "strftime") else str(m)[:7], v)
        for m, v in recs.annotate(m=TruncMonth("on")).values_list("m").annotate(v=Sum("cash") + Sum("goods_value"))
    )
    sums = totals(recs)
    managed = sum(tiers.values())
    by_recipient = dict(recs.values_list("recipient").annotate(n=Sum("cash") + Sum("goods_value")))
    return {
        "managed": managed,
        "tiers": [(Tier(k).label if k else "未定级", v, f"?tier={k}&status=managed") for k, v in sorted(tiers.items())],
        "statuses": [(Status(k).label, v, f"?status={k}") for k, v in sorted(statuses.items())],
        "causes": causes,
        "show_causes": actor.can("assistance.sensitive"),
        "classes": [(YearClass(k).label, v, f"?year_class={k}&year={year}") for k, v in per_class.items()],
        "occasions": [(Occasion(k).label, float(v or 0), f"?occasion={k}&start={start}&end={end}") for k, v in by_occasion.items()],
        "funding": [(Funding(k).label, float(v or 0), f"?funding={k}&start={start}&end={end}") for k, v in by_funding.items()],
        "months": [(f"{year}-{m:02d}", float(months.get(f"{year}-{m:02d}", 0) or 0), f"?month={year}-{m:02d}") for m in range(1, 13)],
        "totals": sums,
        # members only: what went to residents and villages is not spread over members' households
        "per_household": (sums["member_total"] / sums["members"]).quantize(Decimal("0.01")) if sums["members"] else Decimal(0),
        "recipients": [(Recipient(k).label, float(v or 0), f"?recipient={k}&start={start}&end={end}")
                       for k, v in sorted(by_recipient.items(), key=lambda kv: Recipient.values.index(kv[0])) if v],
        "due": due_for_verification(actor, org, on).count(),
    }


# --- 低保 lines and regions ---------------------------------------------------------------------


def dibao_lines(*, region: str = "", year: int | None = None) -> QuerySet:
    """The lines (shared by every union, not secret): by region code or name, and year."""
    qs = DibaoLine.objects.all()
    region = (region or "").strip()
    if region:
        qs = qs.filter(region_code=region) if region.isdigit() else qs.filter(region_name__contains=region)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("region_code", "-year")


def dibao_line_get(pk) -> DibaoLine:
    return get_object_or_404(DibaoLine, pk=pk)


def dibao_regions() -> list[tuple[str, str]]:
    """[(code, name of its latest line)] of every region with a line on file."""
    names: dict[str, str] = {}
    for code, name in DibaoLine.objects.order_by("region_code", "-year").values_list("region_code", "region_name"):
        names.setdefault(code, name)
    return list(names.items())


def region_settings_for(actor: Actor) -> QuerySet:
    return RegionSetting.objects.for_actor(actor).select_related("org").order_by("org_path")

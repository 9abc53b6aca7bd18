"""Reads of donation drives, always scoped. Totals count a reversed donation and its
reversal together as nothing; donors are counted once per drive (members by person,
units and non-member persons by name)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from gonghui.access.actor import Actor
from gonghui.access.scope import get_scoped_or_404
from gonghui.donations.models import Donation, DonorKind, Drive
from gonghui.orgs.models import Org

ZERO = Decimal("0.00")
_ID_LIKE = re.compile(r"[0-9Xx][0-9Xx \-]*")  # what is typed for an ID number (never a name)


def drives_for(actor: Actor) -> QuerySet:
    return Drive.objects.for_actor(actor)


def drive_get(actor: Actor, pk) -> Drive:
    return get_scoped_or_404(Drive.objects.select_related("org"), actor, pk=pk)


def drive_by_ref(actor: Actor, ref: str, *, under: Org | None = None) -> Drive | None:
    """A drive named by its id or its exact name, inside the actor's scope (and `under`)."""
    qs = drives_for(actor)
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
    ref = (ref or "").strip()
    if ref.isdigit():
        found = qs.filter(pk=int(ref)).first()
        if found is not None:
            return found
    matches = list(qs.filter(name=ref)[:2])
    return matches[0] if len(matches) == 1 else None


def donations_for(actor: Actor) -> QuerySet:
    return Donation.objects.for_actor(actor)


def donation_get(actor: Actor, pk) -> Donation:
    return get_scoped_or_404(Donation.objects.select_related("drive", "drive__org", "member"), actor, pk=pk)


def drive_search(actor: Actor, *, q: str = "", org: Org | None = None, status: str = "", year: int | None = None) -> QuerySet:
    qs = drives_for(actor).select_related("org")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(starts_on__lte=dt.date(year, 12, 31), ends_on__gte=dt.date(year, 1, 1))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(purpose__contains=q))
    return qs


def in_period(qs: QuerySet, *, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    """Donations dated within [start, end] (either open); `end` alone is "as of"."""
    if start:
        qs = qs.filter(on__gte=start)
    if end:
        qs = qs.filter(on__lte=end)
    return qs


def _effective(qs: QuerySet) -> QuerySet:
    """Donations that stand: neither a reversal nor reversed."""
    return qs.filter(reversal_of__isnull=True, reversal__isnull=True)


def totals(qs: QuerySet) -> dict:
    """Totals of a set of donation rows (reversals included, so they cancel)."""
    amounts = qs.aggregate(
        total=Sum("amount"),
        members=Sum("amount", filter=Q(kind=DonorKind.MEMBER)),
        units=Sum("amount", filter=Q(kind=DonorKind.UNIT)),
        persons=Sum("amount", filter=Q(kind=DonorKind.PERSON)),
    )
    donors = _effective(qs).aggregate(
        members=Count("member", distinct=True, filter=Q(kind=DonorKind.MEMBER)),
        units=Count("name", distinct=True, filter=Q(kind=DonorKind.UNIT)),
        persons=Count("name", distinct=True, filter=Q(kind=DonorKind.PERSON)),
        entries=Count("id"),
    )
    return {
        "total": amounts["total"] or ZERO,
        "member_amount": amounts["members"] or ZERO,
        "unit_amount": amounts["units"] or ZERO,
        "person_amount": amounts["persons"] or ZERO,
        "member_donors": donors["members"],
        "unit_donors": donors["units"],
        "person_donors": donors["persons"],
        "donors": donors["members"] + donors["units"] + donors["persons"],
        "entries": donors["entries"],
    }


def drive_totals(actor: Actor, drive: Drive, *, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    actor.require_covers(drive.org)
    return totals(in_period(Donation.objects.filter(drive=drive), start=start, end=end))


def totals_by_drive(actor: Actor, drive_ids, *, start=None, end=None) -> dict[int, dict]:
    """{drive id: {total, donors}} for a page of drives, in two queries."""
    qs = in_period(donations_for(actor).filter(drive_id__in=list(drive_ids)), start=start, end=end)
    out = {pk: {"total": ZERO, "donors": 0} for pk in drive_ids}
    for row in qs.values("drive_id").annotate(total=Sum("amount")):
        out[row["drive_id"]]["total"] = row["total"] or ZERO
    eff = _effective(qs).values("drive_id").annotate(
        m=Count("member", distinct=True, filter=Q(kind=DonorKind.MEMBER)),
        n=Count("name", distinct=True, filter=~Q(kind=DonorKind.MEMBER)),
    )
    for row in eff:
        out[row["drive_id"]]["donors"] = row["m"] + row["n"]
    return out


def subtree_figures(actor: Actor, org: Org, *, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Each drive's totals in `org`'s subtree, each union's, and the rollup."""
    actor.require_covers(org)
    base = in_period(donations_for(actor).filter(org_path__startswith=org.path), start=start, end=end)
    drives = list(drives_for(actor).filter(org_path__startswith=org.path).select_related("org").order_by("-starts_on", "-id"))
    if start or end:
        lo, hi = start or dt.date.min, end or dt.date.max
        drives = [d for d in drives if d.starts_on <= hi and d.ends_on >= lo]
    per_drive = totals_by_drive(actor, [d.pk for d in drives], start=start, end=end)
    drive_rows = [{"drive": d, **per_drive[d.pk]} for d in drives]
    unions: dict[int, dict] = {}
    for row in drive_rows:
        u = unions.setdefault(row["drive"].org_id, {"org": row["drive"].org, "drives": 0, "total": ZERO, "donors": 0})
        u["drives"] += 1
        u["total"] += row["total"]
        u["donors"] += row["donors"]
    months = base.annotate(m=TruncMonth("on")).values_list("m").annotate(total=Sum("amount")).order_by("m")
    return {
        "rollup": totals(base),
        "drives": drive_rows,
        "unions": sorted(unions.values(), key=lambda u: (-u["total"], u["org"].code)),
        "months": [(m.strftime("%Y-%m") if hasattr(m, "strftime") else str(m)[:7], total or ZERO) for m, total in months],
    }


def acknowledgement(actor: Actor, drive: Drive) -> list[dict]:
    """捐款芳名录: each donor once, with the net amount they gave (names and amounts
    only — no ID numbers ever). Donors whose donations were all reversed are left out."""
    actor.require_covers(drive.org)
    rows: dict[tuple, dict] = {}
    for d in Donation.objects.filter(drive=drive).order_by("on", "id").values("kind", "member_id", "name", "amount"):
        key = ("m", d["member_id"]) if d["kind"] == DonorKind.MEMBER else (d["kind"], d["name"])
        row = rows.setdefault(key, {"name": d["name"], "kind": d["kind"], "amount": ZERO})
        row["amount"] += d["amount"]
    listed = [r for r in rows.values() if r["amount"] > 0]
    units = [r for r in listed if r["kind"] == DonorKind.UNIT]
    people = [r for r in listed if r["kind"] != DonorKind.UNIT]
    return units + people


def records(actor: Actor, *, drive: Drive | None = None, org: Org | None = None, month: str = "", kind: str = "",
            start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    """Donation rows behind a figure (click-through from the statistics)."""
    qs = donations_for(actor).select_related("drive", "drive__org")
    if drive is not None:
        qs = qs.filter(drive=drive)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if kind in DonorKind.values:
        qs = qs.filter(kind=kind)
    if month:
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            first = None
        if first is not None:
            nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            qs = qs.filter(on__gte=first, on__lt=nxt)
    return in_period(qs, start=start, end=end)


def records_start(*, drive: Drive | None, month: str, start: dt.date | None, end: dt.date | None,
                  org: Org | None = None, kind: str = "", today: dt.date | None = None) -> tuple[dt.date | None, bool]:
    """The start date of the records page: a bare listing (not narrowed to a drive, a
    union, a month, a donor type or a period, as the statistics' click-throughs are)
    shows the current year only, so loading it never totals the whole subtree.
    Returns (start, whether the current-year default applied)."""
    if drive is not None or org is not None or month or kind or start or end:
        return start, False
    return dt.date((today or dt.date.today()).year, 1, 1), True


def year_panel(actor: Actor, org: Org, year: int) -> dict:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    drives = drives_for(actor).filter(org_path__startswith=org.path, starts_on__lte=end, ends_on__gte=start)
    t = totals(in_period(donations_for(actor).filter(org_path__startswith=org.path), start=start, end=end))
    return {"drives": drives.count(), "open": drives.filter(status="open").count(), **t}


def _member_key(query: str) -> tuple[str, str]:
    """("id", hash) for an ID number, ("name", name) for anything else; a malformed ID
    number raises ValidationError with the Chinese reason."""
    from gonghui.core.validators import parse_resident_id
    from gonghui.members.models import id_hash

    if _ID_LIKE.fullmatch(query):
        return "id", id_hash(parse_resident_id(query).number)
    return "name", query


def resolve_members(actor: Actor, drive: Drive, queries) -> dict[str, object]:
    """{query: Member or a Chinese reason} for the members of the drive's union (or below)
    named by an ID number or an exact, unique name; one query for all (org preloaded)."""
    from django.core.exceptions import ValidationError

    from gonghui.members.models import Member

    out: dict[str, object] = {}
    keys: dict[str, tuple[str, str]] = {}
    for raw in queries:
        query = (raw or "").strip()
        if raw in out or raw in keys:
            continue
        if not query:
            out[raw] = "请填写会员姓名或身份证号。"
            continue
        try:
            keys[raw] = _member_key(query)
        except ValidationError as exc:
            out[raw] = exc.messages[0]
    names = {v for k, v in keys.values() if k == "name"}
    hashes = {v for k, v in keys.values() if k == "id"}
    by_name: dict[str, list] = {}
    by_hash: dict[str, object] = {}
    if names or hashes:
        qs = (Member.objects.for_actor(actor).filter(org_path__startswith=drive.org_path)
              .filter(Q(name__in=names) | Q(id_hash__in=hashes)).select_related("org"))
        for m in qs:
            by_hash[m.id_hash] = m
            if m.name in names:
                by_name.setdefault(m.name, []).append(m)
    where = f"“{drive.org.name}”及其下级工会"
    for raw, (kind, value) in keys.items():
        query = raw.strip()
        if kind == "id":
            out[raw] = by_hash.get(value) or f"{where}中找不到该身份证号的会员。"
            continue
        found = by_name.get(value, [])
        if len(found) == 1:
            out[raw] = found[0]
        elif found:
            out[raw] = f"{where}有{len(found)}名会员都叫“{query}”，请改填身份证号。"
        else:
            out[raw] = f"{where}中找不到会员“{query}”（须填写完整姓名或身份证号）。"
    return out


def member_for_drive(actor: Actor, drive: Drive, query: str):
    """The one member of the drive's union (or below) named by an ID number or an exact
    name; raises ValidationError({"member": ...}) with a Chinese reason otherwise."""
    from django.core.exceptions import ValidationError

    found = resolve_members(actor, drive, [query])[query]
    if isinstance(found, str):
        raise ValidationError({"member": found})
    return found

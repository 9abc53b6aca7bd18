"""Reads of the union tree, always scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from gonghui.access.actor import Actor
from gonghui.access.scope import get_scoped_or_404, org_by_code
from gonghui.orgs.models import POSITION_ORDER, Kind, Level, Org


@dataclass(frozen=True)
class ReportingScope:
    """Which rows a figure for `org` counts. `whole`: the union and every union below it,
    by the rows' copy of the union path; otherwise only the rows registered at it."""

    org: Org
    whole: bool

    def q(self, path_field: str = "org_path") -> Q:
        if self.whole:
            return Q(**{f"{path_field}__startswith": self.org.path})
        return Q(**{path_field: self.org.path})

    def covers(self, path: str) -> bool:
        return path.startswith(self.org.path) if self.whole else path == self.org.path

    @property
    def label(self) -> str:
        if not self.whole:
            return "本级"
        return "含下级工会" if self.org.level < Level.GRASSROOTS else "含所属分会、工会小组"


def reporting_scope(org: Org, subtree: bool) -> ReportingScope:
    """The one rule every figure (summary, statistics, dashboard, API) is counted by.

    A 基层工会 and its 分会 and 工会小组 are one unit: its members, records and employees
    include those registered at its branches and groups, whether or not the subtree is
    asked for (the same holds for a 分会 and its groups). Only a federation (总工会,
    街道/乡镇/行业工会) distinguishes its own office (`subtree=False`) from everything
    below it (`subtree=True`)."""
    return ReportingScope(org, bool(subtree) or org.level >= Level.GRASSROOTS)


def orgs_for(actor: Actor):
    return Org.objects.for_actor(actor)


def org_get(actor: Actor, pk) -> Org:
    return get_scoped_or_404(Org.objects.select_related("parent"), actor, pk=pk)


def org_get_by_code(actor: Actor, code: str) -> Org:
    return org_by_code(actor, code)


def org_search(actor: Actor, *, q: str = "", kind: str = "", level: str = "", status: str = "active", under: Org | None = None):
    qs = orgs_for(actor).select_related("parent")
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    if q:
        q = q.strip()
        # Codes and USCCs are stored upper-case, so exact matches can use their indexes.
        qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(code=q.upper()) | Q(uscc=q.upper()))
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if level and level.isdigit() and int(level) in Level.values:
        qs = qs.filter(level=int(level))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return qs


def org_children(actor: Actor, org: Org, *, include_inactive: bool = False) -> list[Org]:
    qs = orgs_for(actor).filter(parent=org)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    children = list(qs.order_by("level", "code"))
    # How many children each child has, for the tree's expand buttons, in one query.
    counts = dict(
        Org.objects.filter(parent__in=children, is_active=True).values_list("parent").annotate(n=Count("id"))
    )
    for child in children:
        child.child_count = counts.get(child.pk, 0)
    return children


def org_breadcrumbs(actor: Actor, org: Org) -> list[tuple[Org, bool]]:
    """Ancestors then the org itself, each with whether the actor may open it."""
    ancestors = {o.pk: o for o in Org.objects.filter(pk__in=org.ancestor_ids)}
    chain = [ancestors[i] for i in org.ancestor_ids if i in ancestors] + [org]
    return [(o, actor.covers(o)) for o in chain]


def org_subtree_figures(actor: Actor, org: Org) -> dict:
    """Key figures of a subtree for the dashboard, from one grouped scan of it."""
    groups = (
        Org.objects.filter(path__startswith=org.path)
        .values("is_active", "level", "kind", "home_level", "has_women_committee", "has_audit_committee")
        .annotate(n=Count("id"), employees=Sum("employee_count"))
    )
    by_level: dict[int, int] = {}
    by_kind: dict[str, int] = {}
    by_home: dict[str, int] = {}
    figures = {"grassroots": 0, "employees": 0, "with_women_committee": 0, "with_audit_committee": 0, "inactive": 0}
    for g in groups:
        if not g["is_active"]:
            figures["inactive"] += g["n"]
            continue
        by_level[g["level"]] = by_level.get(g["level"], 0) + g["n"]
        by_kind[g["kind"]] = by_kind.get(g["kind"], 0) + g["n"]
        if g["home_level"] != "none":
            by_home[g["home_level"]] = by_home.get(g["home_level"], 0) + g["n"]
        if g["level"] == Level.GRASSROOTS:
            figures["grassroots"] += g["n"]
            figures["employees"] += g["employees"] or 0
            figures["with_women_committee"] += g["n"] if g["has_women_committee"] else 0
            figures["with_audit_committee"] += g["n"] if g["has_audit_committee"] else 0
    return {
        **figures,
        "unions": sum(by_level.values()),
        "by_level": [(Level(k).label, by_level[k], f"?level={k}") for k in sorted(by_level)],
        "by_kind": [(Kind(k).label, n, f"?kind={k}") for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1])],
        "by_home": by_home,
    }


def home_levels_of(actor: Actor, org: Org):
    """The union's 职工之家 conferrals, latest first (scoped: another union's is none)."""
    from gonghui.orgs.models import HomeLevelAward

    return HomeLevelAward.objects.for_actor(actor).filter(org=org).order_by("-conferred_on", "-id")


def home_level_award_get(actor: Actor, org: Org, pk):
    from gonghui.access.scope import get_scoped_or_404
    from gonghui.orgs.models import HomeLevelAward

    return get_scoped_or_404(HomeLevelAward.objects.select_related("org").filter(org=org), actor, pk=pk)


def terms_for(org: Org):
    return org.terms.prefetch_related("officers").order_by("-number")


def current_term(org: Org, *, on: dt.date | None = None):
    on = on or dt.date.today()
    return org.terms.filter(starts_on__lte=on, ends_on__gte=on).prefetch_related("officers").order_by("-number").first()


def officers_sorted(term) -> list:
    order = {p: i for i, p in enumerate(POSITION_ORDER)}
    return sorted(term.officers.all(), key=lambda o: (order.get(o.position, 99), o.pk))

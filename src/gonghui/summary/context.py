"""What a contributor is handed: who asks, for which union and period, and the helpers
that keep every query inside the union (or its subtree) and every link on its records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from django.urls import reverse

from gonghui.access.actor import Actor
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import reporting_scope
from gonghui.summary.periods import Period


class SummaryContext:
    def __init__(self, *, actor: Actor, org: Org, period: Period, subtree: bool, today: dt.date | None = None):
        actor.require_covers(org)
        self.actor, self.org, self.period, self.subtree = actor, org, period, subtree
        self.today = today or dt.date.today()
        self.start, self.end = period.start, period.end
        self.as_of = period.as_of(self.today)
        # A grassroots union's figures include its branches even without `subtree`.
        self.scope = reporting_scope(org, subtree)

    @cached_property
    def earlier(self) -> SummaryContext:
        """The same union, the same period a year before (for 同比)."""
        return SummaryContext(actor=self.actor, org=self.org, period=self.period.year_earlier(), subtree=self.subtree,
                              today=self.today)

    def can(self, perm: str) -> bool:
        return self.actor.can(perm)

    def memo(self, key, compute):
        """`compute()` once per context and `key`: a figure several parts' rules share (the
        members a per-member rule divides by) is counted once per draft."""
        memos = self.__dict__.setdefault("_memos", {})
        if key not in memos:
            memos[key] = compute()
        return memos[key]

    # --- scope -----------------------------------------------------------------------------

    def within(self, qs, *, path_field: str = "org_path"):
        """The rows `self.scope` counts, by the rows' copy of the union's path: the union
        and everything below it, or a federation's own office without `subtree`."""
        return qs.filter(self.scope.q(path_field))

    def dated(self, qs, field: str = "on", *, period=None):
        period = period or self.period
        return qs.filter(**{f"{field}__gte": period.start, f"{field}__lte": period.end})

    @cached_property
    def children(self) -> list[Org]:
        """The direct child unions a subtree summary breaks its figures down by."""
        if not self.subtree:
            return []
        return list(Org.objects.filter(parent=self.org, is_active=True).order_by("code"))

    def by_child(self, rows) -> list[tuple[Org, Decimal]]:
        """Sum (org_path, value) rows up to the direct child unions; the union's own rows
        are left out (they belong to no child). Children with nothing are omitted."""
        sums = {c.path: Decimal(0) for c in self.children}
        for path, value in rows:
            if not path.startswith(self.org.path) or path == self.org.path:
                continue
            child = self.org.path + path[len(self.org.path):].split("/", 1)[0] + "/"
            if child in sums:
                sums[child] += Decimal(value or 0)
        return [(c, sums[c.path]) for c in self.children if sums[c.path]]

    def own_level(self, rows) -> Decimal:
        """Sum (org_path, value) rows of the union's own level (本级): with the children's
        rows of `by_child` the per-union tables add up to the figure in the text."""
        return sum((Decimal(value or 0) for path, value in rows if path == self.org.path), Decimal(0))

    @property
    def own_label(self) -> str:
        """The own level's row in the per-union tables: 临江精机工会（本级）."""
        return f"{self.org.display_name}（本级）"

    # --- links -----------------------------------------------------------------------------

    def link(self, name: str, *, org: Org | None = None, subtree: bool | None = None, **params) -> str:
        """The list of records behind a figure: the named URL filtered to this union (and
        its subtree) plus `params`; empty values are dropped."""
        org = org or self.org
        whole = subtree if subtree is not None else (self.scope.whole if org == self.org else self.subtree)
        query = {"org": org.code, "subtree": "1" if whole else "0"}
        query.update({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in params.items() if v not in (None, "")})
        return f"{reverse(name)}?{urlencode(query)}"

    def period_params(self, period=None) -> dict:
        period = period or self.period
        return {"start": period.start, "end": period.end}

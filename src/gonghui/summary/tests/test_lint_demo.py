"""The lint over every draft the demo can write: each union of the demo tree, for the years
the demo has its work in and their half-years, with and without its subtree where it has
children.

The demo is built once for this module (the `demo` fixture of the root conftest.py) and
each draft is generated once. The test carries no database marker, so it runs in both the
SQLite and the PostgreSQL pass of scripts/test.sh."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Max, Min

from gonghui.access.actor import Actor
from gonghui.summary.assemble import accept_all, generate
from gonghui.summary.lint import lint
from gonghui.summary.periods import parse_period
from gonghui.summary.tests.known_findings import DEMO, KNOWN, known_entry

# The drafts a demo user writes are for the running year and last year (and their halves);
# the years before hold only the older history of the demo's archives, the base of last
# year's 同比. Linting those too would triple the test's time for no new kind of sentence.
YEARS_OF_WORK = 2


def _data_years(today: dt.date) -> list[int]:
    """The years the demo has the year's work in (assistance, benefits, donations; its roster's
    joins and changes go back decades), up to its today: the last YEARS_OF_WORK of them."""
    from gonghui.assistance.models import AssistanceRecord
    from gonghui.benefits.models import BenefitRecord
    from gonghui.donations.models import Donation

    firsts, lasts = [], []
    for qs in (AssistanceRecord.objects, BenefitRecord.objects, Donation.objects):
        agg = qs.aggregate(first=Min("on"), last=Max("on"))
        if agg["first"]:
            firsts.append(agg["first"])
            lasts.append(min(agg["last"], today))
    return list(range(max(min(firsts).year, max(lasts).year - YEARS_OF_WORK + 1), max(lasts).year + 1))


def _periods(years: list[int], today: dt.date) -> list[str]:
    out = []
    for y in years:
        out.append(str(y))
        out += [f"{y}H{h}" for h in (1, 2) if parse_period(f"{y}H{h}").start <= today]
    return out


def test_every_demo_draft_passes_the_lint(demo, db):
    from gonghui.orgs.models import Org

    actor = Actor.system(source="cli")
    orgs = list(Org.objects.filter(is_active=True).order_by("path"))
    names = [n for o in orgs for n in (o.name, o.display_name)]
    parents = set(Org.objects.filter(is_active=True, parent__isnull=False).values_list("parent_id", flat=True))
    periods = _periods(_data_years(demo.today), demo.today)
    print(f"\ndemo periods: {periods}")
    assert len(periods) >= 5, periods  # last year and its halves, this year and its first half

    started = time.perf_counter()
    drafts, failures, seen = 0, [], set()
    for org in orgs:
        for code in periods:
            for subtree in (False, True) if org.pk in parents else (False,):
                generated = generate(actor=actor, org=org, period=parse_period(code), subtree=subtree, today=demo.today)
                drafts += 1
                if drafts % 100 == 0:
                    print(f"  {drafts} drafts, {time.perf_counter() - started:.0f}s", flush=True)
                for f in lint(accept_all(generated.document), names=names):
                    entry = known_entry(f)
                    seen.add(entry)
                    if entry is None:
                        failures.append(f"{org.code} {code}{' --subtree' if subtree else ''} {f}")
    elapsed = time.perf_counter() - started
    print(f"\nlinted {drafts} demo drafts ({len(orgs)} unions × {len(periods)} periods) in {elapsed:.1f}s")
    assert drafts > len(orgs) * len(periods)
    assert not failures, f"{len(failures)} findings in the demo drafts:\n" + "\n".join(failures)
    fixed = {k for k, (_why, where) in KNOWN.items() if DEMO in where} - seen
    assert not fixed, f"no longer found, remove from known_findings.KNOWN: {sorted(fixed)}"

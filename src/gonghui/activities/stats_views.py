"""活动统计: the activity figures of a union and a period (figures.py), every figure a link to
the list of the activities behind it. Input and display only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from gonghui.activities import figures as F
from gonghui.core.formats import doc_number, doc_percent
from gonghui.orgs.models import Level
from gonghui.orgs.selectors import org_get_by_code, reporting_scope
from gonghui.web.http import staff_view
from gonghui.web.params import BadRequestParam, param_choice, param_date, param_str, param_year

MAX_DAYS = 366 * 5  # the span one page counts, as the summary's periods
CLASSES_SHOWN = 30


def _choose(request):
    """(org, start, end, subtree) from the query string; a union outside the actor's subtree
    is a 404, a bad date a 400 with the reason."""
    actor = request.actor
    org = actor.org
    code = param_str(request, "org", max_length=32, label="工会编码").strip()
    if code:
        org = org_get_by_code(actor, code)
    if org is None:  # the console operator has no working union
        raise Http404("请指定工会编码。")
    year = param_year(request, "year", default=timezone.localdate().year)
    start = param_date(request, "start", label="开始日期") or dt.date(year, 1, 1)
    end = param_date(request, "end", label="结束日期") or (dt.date(year, 12, 31) if request.GET.get("start") is None
                                                         else dt.date(start.year, 12, 31))
    if end < start:
        raise BadRequestParam("结束日期不能早于开始日期。", name="end")
    if (end - start).days > MAX_DAYS:
        raise BadRequestParam("统计期间不能超过5年。", name="end")
    subtree = param_choice(request, "subtree", ("0", "1"), default="1", label="统计范围") == "1"
    return org, start, end, subtree


def _percent(ratio) -> str:
    return doc_percent(ratio) if ratio is not None else "—"


def _hours(value) -> str:
    return doc_number(Decimal(value).quantize(F.HOURS)) if value else "0"


def _chart(rows) -> list[list]:
    return [[label, value, link] for label, value, link in rows]


@staff_view("activities.view")
def stats(request):
    org, start, end, subtree = _choose(request)
    f = F.figures(request.actor, org, start, end, subtree=subtree)
    months = f.by_month
    kind_rows = []
    for r in f.by_kind:
        cells = [(f.kind_month.get((r.key, m.key), 0), f.link(kind=r.query["kind"], **m.query)) for m in months]
        kind_rows.append({"row": r, "link": f.link(**r.query), "cells": cells})
    month_totals = [(m.held, f.link(**m.query)) for m in months]
    charts = {
        "kinds": _chart((r.label, r.held, f.link(**r.query)) for r in f.by_kind),
        "months": _chart((m.label, m.checkins, f.link(**m.query)) for m in months),
        "branches": _chart((b.label, b.held, F.list_link(None, **{**f.query(), **b.query})) for b in f.by_branch),
        "funding": _chart((r.label, float(r.cost), f.link()) for r in f.funding),
        "partners": _chart((c.label, c.activities, f.link()) for c in f.partner_categories),
    }
    branches = [{"row": b, "link": F.list_link(None, **{**f.query(), **b.query}), "rate": _percent(b.rate)} for b in f.by_branch]
    # A district holds hundreds of classes: the page lists the latest, the link lists them all.
    classes = [{"activity": c.activity, "sessions": c.sessions, "teachers": c.teachers, "class_hours_text": _hours(c.class_hours),
                "hours_text": _hours(c.hours)} for c in f.training.latest(CLASSES_SHOWN)]
    return render(request, "activities/stats.html", {
        "f": f, "org": org, "start": start, "end": end, "subtree": subtree, "year": start.year,
        "scope_label": reporting_scope(org, subtree).label,
        "kind_rows": kind_rows, "months": months, "month_totals": month_totals, "branches": branches, "charts": charts,
        "all_link": f.link(), "training_link": f.link(training="1"),
        "can_choose_scope": org.level < Level.GRASSROOTS, "classes": classes,
        "classes_hidden": max(0, f.training.held - CLASSES_SHOWN), "rate": _percent(f.rate),
        "per_member": _hours(f.training.hours_per_member) if f.training.hours_per_member is not None else "—",
        "training_hours": _hours(f.training.hours), "class_hours": _hours(f.training.class_hours),
    })


urlpatterns = [path("stats/", stats, name="stats")]

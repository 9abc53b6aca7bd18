"""The statistics page and its .xlsx: every module's key figures for a union and period
(the same facts the summary is written from, so the two never disagree) and its charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gonghui.access.actor import Actor
from gonghui.exchange.sheets import Column, XlsxWriter
from gonghui.orgs.models import Org
from gonghui.summary import registry
from gonghui.summary.assemble import generate
from gonghui.summary.periods import Period


@dataclass
class Statistics:
    org: Org
    period: Period
    subtree: bool
    as_of: dt.date
    groups: list[dict]  # [{"title", "rows": [{"label", "text", "value", "link"}]}]
    charts: list[registry.Chart]
    tables: list[dict]

    @property
    def scope_label(self) -> str:
        from gonghui.orgs.selectors import reporting_scope

        return reporting_scope(self.org, self.subtree).label


def statistics(*, actor: Actor, org: Org, period: Period, subtree: bool, today: dt.date | None = None) -> Statistics:
    generated = generate(actor=actor, org=org, period=period, subtree=subtree, today=today)
    groups, tables = [], []
    for part in generated.document["parts"]:
        rows, seen, shown = [], set(), set()
        for section in part["sections"]:
            for item in section["items"]:
                for run in item["runs"]:
                    key = run.get("fact")
                    if not key or key in seen:
                        continue
                    seen.add(key)
                    fact = generated.facts[key]
                    if fact["text"].startswith("同比") or not any(ch.isdigit() for ch in fact["text"]):
                        continue  # comparisons and words are phrasing, not figures
                    if (fact["value"], fact["link"]) in shown and fact["link"]:
                        continue  # the same figure again in another sentence (会员总数 in 入会率)
                    shown.add((fact["value"], fact["link"]))
                    rows.append({"label": _label(key, fact), "text": fact["text"], "value": fact["value"], "link": fact["link"]})
            tables += section["tables"]
        if rows:
            groups.append({"title": part["title"], "rows": rows})
    charts = []
    ctx = generated.context
    for c in registry.contributors():
        if c.charts and (not c.permission or actor.can(c.permission)):
            charts += c.charts(ctx) or []
    return Statistics(org, period, subtree, ctx.as_of, groups, charts, tables)


def _label(key: str, fact: dict) -> str:
    """"元旦春节送温暖 · 受助户数": what the sentence is about and what the figure counts."""
    about, label = fact.get("about", ""), fact["label"]
    return f"{about} · {label}" if about and about not in label else label


def _number(value):
    try:
        return float(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def write_xlsx(stats: Statistics, path) -> None:
    book = XlsxWriter(path)
    cols = [Column("part", "部分", width=30), Column("label", "指标", width=40), Column("text", "表述", width=18),
            Column("value", "数值", kind="decimal", width=14)]
    ws = book.sheet("关键指标", cols)
    r = 1
    for g in stats.groups:
        for row in g["rows"]:
            value = _number(row["value"])
            book.write_row(ws, r, cols, {"part": g["title"], "label": row["label"], "text": row["text"],
                                         "value": Decimal(str(value)) if value is not None else None})
            r += 1
    from gonghui.orgs.selectors import reporting_scope

    scope = reporting_scope(stats.org, stats.subtree).label
    ws.write_string(r + 1, 0, f"{stats.org.name} · {stats.period.label} · {scope} · 截至{stats.as_of.isoformat()}")
    for i, chart in enumerate(stats.charts, 1):
        ccols = [Column("label", "项目", width=30), Column("value", f"数值（{chart.unit}）" if chart.unit else "数值", kind="decimal", width=16)]
        cws = book.sheet(f"{i}.{chart.title}"[:31].replace("/", "-").replace("（", "(").replace("）", ")").replace(":", " "), ccols)
        for n, (label, value, _link) in enumerate(chart.rows, 1):
            book.write_row(cws, n, ccols, {"label": label, "value": Decimal(str(value))})
    for i, table in enumerate(stats.tables, 1):
        tcols = [Column(f"c{j}", h, width=18) for j, h in enumerate(table["header"])]
        tws = book.sheet(f"表{i}.{table['caption']}"[:31], tcols)
        for n, row in enumerate(table["rows"], 1):
            book.write_row(tws, n, tcols, {f"c{j}": v for j, v in enumerate(row)})
    book.book.close()

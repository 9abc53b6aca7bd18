"""Assemble the summary from the registered contributors: order, phrase, number-free
document plus the snapshot of every figure (for links and for "what changed")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonghui.core.actor import Actor
from gonghui.core.scope import ancestor_paths
from gonghui.orgs.models import Org
from gonghui.summary import registry
from gonghui.summary.context import SummaryContext
from gonghui.summary.periods import Period
from gonghui.summary.phrasing import Fact, parse
from gonghui.summary.registry import PHRASES, THEMES, Item, Phrase, register_phrases


class Phrasebook:
    """The wording in force for a union: the nearest ancestor's override, else the default.
    Parsed once per template."""

    def __init__(self, org: Org):
        from gonghui.summary.models import PhraseOverride

        depth = {p: i for i, p in enumerate(ancestor_paths(org.path))}
        self.overrides: dict[str, tuple[int, str]] = {}
        for key, path, text in PhraseOverride.objects.filter(org_path__in=list(depth)).values_list("key", "org_path", "text"):
            if key not in self.overrides or depth[path] > self.overrides[key][0]:
                self.overrides[key] = (depth[path], text)
        self._parsed: dict[str, tuple] = {}

    def text(self, key: str) -> str:
        return self.overrides[key][1] if key in self.overrides else PHRASES[key].default

    def nodes(self, key: str):
        if key not in self._parsed:
            try:
                self._parsed[key] = parse(self.text(key), frozenset(PHRASES[key].fields))
            except Exception:  # an override saved before its phrase lost a field: fall back
                self._parsed[key] = parse(PHRASES[key].default, frozenset(PHRASES[key].fields))
        return self._parsed[key]


@dataclass
class Generated:
    document: dict
    facts: dict  # {fact key: {"text", "value", "label", "link"}}
    context: SummaryContext


OPENING = Phrase(
    "summary.opening", "开篇段落",
    "{period}，{org}[在{parent}的领导下，]紧紧围绕年度工作目标，团结带领广大会员和职工，扎实开展各项工作[。{highlights}]。现将{period}工作总结如下。",
    {"period": "期间，如“2025年”", "org": "工会名称", "parent": "上级工会名称", "highlights": "各部分的要点（由各模块提供）"},
    {"period": "2025年", "org": "某某工会", "parent": "某某街道总工会", "highlights": "全年新发展会员12人"},
)
register_phrases([OPENING])


def _title(org: Org, period: Period) -> str:
    return f"{org.name}{period.label}工作总结"


def _item_runs(item: Item, book: Phrasebook, key: str, facts_out: dict) -> list[dict] | None:
    from gonghui.summary.phrasing import render

    runs = render(book.nodes(item.phrase), item.facts, prefix=key)
    if runs is None:
        return None
    phrase = PHRASES[item.phrase]
    about = item.label or phrase.label.split("：")[-1]
    # Every figure the sentence was handed goes into the snapshot, not only those its
    # wording shows: a saved wording may use one the default no longer does (共计 of the
    # cash once the households stop getting the same amount), and refreshing must reach it.
    for name, f in item.facts.items():
        if f is not None and f.present and f.figure:
            facts_out[f"{key}.{name}"] = {"text": f.text, "value": f.value, "label": f.label or phrase.fields.get(name, name),
                                          "about": about, "link": f.link}
    return runs


def generate(*, actor: Actor, org: Org, period: Period, subtree: bool, today: dt.date | None = None) -> Generated:
    ctx = SummaryContext(actor=actor, org=org, period=period, subtree=subtree, today=today)
    book = Phrasebook(org)
    facts: dict = {}
    used_keys: set[str] = set()

    def unique(key: str) -> str:
        base, n = key, 2
        while key in used_keys:
            key, n = f"{base}_{n}", n + 1
        used_keys.add(key)
        return key

    def para(item: Item) -> dict | None:
        key = unique(item.key or item.phrase)
        runs = _item_runs(item, book, key, facts)
        if runs is None:
            used_keys.discard(key)
            return None
        return {"key": key, "runs": runs}

    parts: dict[str, dict] = {}
    headlines: list[list[dict]] = []
    suggestions: list[dict] = []
    for contributor in registry.contributors():
        if contributor.permission and not actor.can(contributor.permission):
            continue
        for section in contributor.collect(ctx) or []:
            items = [p for p in (para(i) for i in section.items) if p]
            tables = [{"key": t.key, "caption": t.caption, "header": t.header, "rows": t.rows} for t in section.tables if t.rows]
            if not items and not tables:
                continue
            part = parts.setdefault(contributor.theme, {"key": contributor.theme, "title": THEMES[contributor.theme][1],
                                                        "sections": []})
            part["sections"].append({"key": section.key, "title": section.title, "items": items, "tables": tables})
        if contributor.headline:
            item = contributor.headline(ctx)
            p = para(item) if item else None
            if p:
                headlines.append(p["runs"])
        if contributor.suggest:
            for s in contributor.suggest(ctx) or []:
                p = para(s.item)
                if p:
                    suggestions.append({"target": s.target, **p})
    ordered = [parts[t] for t in sorted(parts, key=lambda t: THEMES[t][0])]
    # A part of one untitled section, or of sections that all have titles, reads well;
    # a part mixing both gets titles for all (（一） numbering needs every section titled).
    for part in ordered:
        if len(part["sections"]) > 1:
            for s in part["sections"]:
                s["title"] = s["title"] or part["title"]

    highlight_runs: list[dict] = []
    for i, runs in enumerate(headlines):
        if i:
            highlight_runs.append({"text": "；" if i < len(headlines) else ""})
        highlight_runs.extend(runs)
    parent = org.parent.name if org.parent_id else ""
    opening_facts = {
        "period": registry.text(period.label), "org": registry.text(org.name), "parent": registry.text(parent),
        "highlights": Fact("", "1" if highlight_runs else None),
    }
    opening = para(Item("summary.opening", opening_facts, key="opening"))
    if opening:
        # the highlights slot is a placeholder for the clauses the contributors wrote
        runs = []
        for r in opening["runs"]:
            if r.get("fact") == "opening.highlights":
                runs.extend(highlight_runs)
            elif r.get("fact") in ("opening.period", "opening.org", "opening.parent"):
                runs.append({"text": r["text"]})  # names, not figures: no link to follow
            else:
                runs.append(r)
        opening["runs"] = _merge(runs)
        for k in ("opening.period", "opening.org", "opening.parent", "opening.highlights"):
            facts.pop(k, None)
    document = {
        "title": _title(org, period),
        "opening": [opening] if opening else [],
        "parts": ordered,
        "problems": [],
        "plans": [],
        "suggestions": suggestions,
        "signature": {"org": org.name, "date": ctx.today.isoformat()},
    }
    return Generated(document, facts, ctx)


def _merge(runs: list[dict]) -> list[dict]:
    out: list[dict] = []
    for r in runs:
        if out and "fact" not in r and "fact" not in out[-1]:
            out[-1] = {"text": out[-1]["text"] + r["text"]}
        elif r.get("text") or "fact" in r:
            out.append(r)
    return out


def accept_all(document: dict) -> dict:
    """The draft with every suggestion taken into 存在问题 / 下一步工作计划 (the command
    line's draft, where nobody is there to choose)."""
    doc = {**document, "problems": list(document.get("problems", [])), "plans": list(document.get("plans", []))}
    for s in document.get("suggestions", []):
        doc[s["target"]].append({"key": s["key"], "runs": s["runs"]})
    doc["suggestions"] = []
    return doc


# --- comparing with the records ---------------------------------------------------------------


def document_facts(document: dict) -> set[str]:
    keys = set()
    for section in _paragraph_lists(document):
        for p in section:
            keys.update(r["fact"] for r in p.get("runs", []) if "fact" in r)
    return keys


def _paragraph_lists(document: dict):
    yield document.get("opening", [])
    for part in document.get("parts", []):
        for s in part.get("sections", []):
            yield s.get("items", [])
    yield document.get("problems", [])
    yield document.get("plans", [])


def changed_figures(saved: dict, current: dict, used: set[str] | None = None) -> list[dict]:
    """Figures of the saved version whose records say otherwise now: changed values, and
    figures that no longer have any (records removed or moved out of the period)."""
    out = []
    for key, old in saved.items():
        if used is not None and key not in used:
            continue
        new = current.get(key)
        if new is None:
            out.append({"key": key, "label": old["label"], "old": old["text"], "new": "（已无数据）", "link": old.get("link", "")})
        elif new["value"] != old["value"]:
            out.append({"key": key, "label": old["label"], "old": old["text"], "new": new["text"], "link": new.get("link", "")})
    return out


def refresh_figures(document: dict, current: dict) -> tuple[dict, int]:
    """The document with each figure set to what the records say now (sentences the user
    rewrote keep their wording); returns it and how many figures changed."""
    import copy

    doc = copy.deepcopy(document)
    changed = 0
    for paragraphs in _paragraph_lists(doc):
        for p in paragraphs:
            for r in p.get("runs", []):
                new = current.get(r.get("fact", ""))
                if new is not None and new["text"] != r["text"]:
                    r["text"] = new["text"]
                    if new.get("link"):
                        r["link"] = new["link"]
                    changed += 1
    return doc, changed

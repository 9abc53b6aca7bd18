"""Assemble the summary from the registered contributors: order, phrase, number-free
document plus the snapshot of every figure (for links and for "what changed")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from gonghui.access.actor import Actor
from gonghui.access.scope import ancestor_paths
from gonghui.orgs.models import Org
from gonghui.summary import registry
from gonghui.summary.context import SummaryContext
from gonghui.summary.periods import Period
from gonghui.summary.phrasing import Fact, parse, slots
from gonghui.summary.prefs import Purposes, in_force
from gonghui.summary.ranking import MIN_RECORDS, rank
from gonghui.summary.registry import PHRASES, THEMES, Headline, Item, Phrase, register_phrases


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
    "{period}，{org}[在{leaders}的领导下，][{guiding}，]紧紧围绕全年的各项工作目标，团结带领广大会员和职工，"
    "扎实开展各项工作[：{highlights}]。现将{period}工作总结如下。",
    {"period": "期间，如“2025年”", "org": "工会名称", "parent": "上级工会名称",
     "party": "党组织名称（工作总结设置）", "leaders": "领导机关：党组织和上级工会，如“公司党委和某某街道工会”",
     "guiding": "指导思想（工作总结设置，如“以……为指导”）",
     "highlights": "全年最突出的至多三项成绩（按规模和重点工作排序选出）"},
    {"period": "2025年", "org": "某某工会", "parent": "某某街道工会", "party": "公司党委", "leaders": "公司党委和某某街道工会",
     "guiding": "以习近平新时代中国特色社会主义思想为指导", "highlights": "新发展会员12人"},
)
# The paragraph before the signature when the union wrote none for the year.
CLOSING = Phrase(
    "summary.closing", "结尾段落（默认）",
    "{since}，{org}的各项工作取得了一定成绩，这得益于[{leaders}的正确领导和关心支持，得益于]广大职工群众的共同努力。"
    "同时也要看到，工作中还存在一些差距和不足。{next}，我们将进一步履行维护职工合法权益、竭诚服务职工群众的基本职责，"
    "广泛开展形式多样的职工活动，切实为职工办实事、解难题，努力把工会建设成为职工群众信赖的“职工之家”。",
    {"since": "回顾的期间，如“一年来”“半年来”", "org": "工会名称", "leaders": "领导机关：党组织和上级工会",
     "next": "展望的期间，如“新的一年里”“下半年”"},
    {"since": "一年来", "org": "某某工会", "leaders": "公司党委和某某街道工会", "next": "新的一年里"},
)
register_phrases([OPENING, CLOSING])


_HIGHLIGHTS = "\x00highlights\x00"  # where the ranked clauses go in the rendered opening


def _leaders(org: Org, party: str) -> str:
    """在{leaders}的领导下: the union's Party organisation and its higher union."""
    names = [n for n in (party, org.parent.name if org.parent_id else "") if n]
    return "和".join(names)


def _span(period: Period) -> tuple[str, str]:
    """How the closing looks back and ahead: 一年来 / 新的一年里, 半年来 / 下半年, 本季度以来,
    本月以来 / 下一步, 一段时间以来 for a custom range (not "2025年第一季度以来": 以来 looks back from the period's own end)."""
    if period.kind == "year":
        return "一年来", "新的一年里"
    if period.kind == "half":
        return "半年来", ("下半年" if period.start.month == 1 else "新的一年里")
    if period.kind == "quarter":
        return "本季度以来", "下一步"
    if period.kind == "month":
        return "本月以来", "下一步"
    return "一段时间以来", "下一步"  # a custom range: "2025年3月1日至5月31日以来" is not Chinese


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

    settings = in_force(org, period.start.year)
    parts: dict[str, dict] = {}
    candidates: list[tuple[Headline, tuple]] = []
    size: int | None = None
    purposeful: dict[str, list[tuple[dict, Item]]] = {}  # part → sentences that may take an effect clause
    suggestions: list[dict] = []
    for contributor in registry.contributors():
        if contributor.permission and not actor.can(contributor.permission):
            continue
        if contributor.size and size is None:
            size = contributor.size(ctx)
        for section in contributor.collect(ctx) or []:
            items = []
            for i in section.items:
                p = para(i)
                if p:
                    items.append(p)
                    if registry.PURPOSE in slots(book.nodes(i.phrase)):
                        purposeful.setdefault(contributor.theme, []).append((p, i))
            tables = [{"key": t.key, "caption": t.caption, "header": t.header, "rows": t.rows} for t in section.tables if t.rows]
            if not items and not tables:
                continue
            part = parts.setdefault(contributor.theme, {"key": contributor.theme, "title": THEMES[contributor.theme][1],
                                                        "sections": []})
            part["sections"].append({"key": section.key, "title": section.title, "items": items, "tables": tables})
        if contributor.headline:
            for n, h in enumerate(_candidates(contributor.headline(ctx))):
                h.theme = h.theme or contributor.theme
                candidates.append((h, (contributor.order, contributor.key, n)))
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

    _add_purposes(ordered, purposeful, book, Purposes(org), org, period)

    headlines = []
    for ranked in rank(candidates, size=size, key_themes=set(settings.key_themes)):
        p = para(ranked.candidate.item)
        if p:
            headlines.append(p["runs"])
    highlight_runs: list[dict] = []
    for i, runs in enumerate(headlines):
        if i:
            highlight_runs.append({"text": "；"})
        highlight_runs.extend(runs)
    parent = org.parent.name if org.parent_id else ""
    leaders = _leaders(org, settings.party)
    opening_facts = {
        "period": registry.text(period.label), "org": registry.text(org.name), "parent": registry.text(parent),
        "party": registry.text(settings.party), "leaders": registry.text(leaders), "guiding": registry.text(settings.guiding),
        # a word, not a figure: an opening without highlights is still written
        "highlights": Fact(_HIGHLIGHTS, "1" if highlight_runs else None, figure=False),
    }
    opening = para(Item("summary.opening", opening_facts, key="opening"))
    if opening:
        # the highlights slot is a placeholder for the clauses the contributors wrote
        runs = []
        for r in opening["runs"]:
            if "fact" not in r and _HIGHLIGHTS in r["text"]:
                before, after = r["text"].split(_HIGHLIGHTS, 1)
                runs += [{"text": before}, *highlight_runs, {"text": after}]
            elif r.get("fact", "").startswith("opening."):
                runs.append({"text": r["text"]})  # names, not figures: no link to follow
            else:
                runs.append(r)
        opening["runs"] = _merge(runs)
        for k in [k for k in facts if k.startswith("opening.")]:
            facts.pop(k, None)
    # The default closing credits the results: a draft with no parts has none to credit.
    closing = _closing(settings.closing, book, org, period, leaders) if ordered or settings.closing else []
    document = {
        "title": _title(org, period),
        "opening": [opening] if opening else [],
        "parts": ordered,
        "problems": [],
        "plans": [],
        "suggestions": suggestions,
        "closing": closing,
        "signature": {"org": org.name, "date": ctx.today.isoformat()},
    }
    return Generated(document, facts, ctx)


def _candidates(got) -> list[Headline]:
    """A contributor's headline answer as a list of candidates."""
    if got is None:
        return []
    if isinstance(got, Headline):
        return [got]
    got = list(got)
    for h in got:
        if not isinstance(h, Headline):
            raise TypeError(f"headline() must return Headline candidates, not {type(h).__name__} (see summary/ranking.py)")
    return got


def _closing(own: str, book: Phrasebook, org: Org, period: Period, leaders: str) -> list[dict]:
    """The paragraph(s) before the signature: the union's own text for the year (one
    paragraph a line), else the closing phrase in force."""
    if own:
        lines = [line.strip() for line in own.splitlines() if line.strip()]
        return [{"key": "closing" if n == 0 else f"closing_{n + 1}", "runs": [{"text": line}]} for n, line in enumerate(lines)]
    since, next_ = _span(period)
    from gonghui.summary.phrasing import render

    runs = render(book.nodes("summary.closing"), {
        "since": registry.text(since), "org": registry.text(org.name), "leaders": registry.text(leaders),
        "next": registry.text(next_)}, prefix="closing")
    return [{"key": "closing", "runs": _merge(runs)}] if runs else []


def _add_purposes(parts: list[dict], purposeful: dict[str, list[tuple[dict, Item]]], book: Phrasebook, purposes: Purposes,
                  org: Org, period: Period) -> None:
    """Give at most one sentence of each part an effect clause from the part's set.

    The genre uses them sparingly, so one a part at most, and never the same clause twice in
    a document (nor one the text already says). The clause goes to the part's most
    significant sentence (`_significance`: its largest count, then its largest amount; the
    earlier sentence on a tie), never to one resting on a single person or household
    ("对1户…" does not "帮助困难职工树立了生活的信心"). Which clause follows from a digest of
    the part's sentences: the same records always give the same text."""
    import hashlib

    from gonghui.summary.document import runs_text
    from gonghui.summary.phrasing import render

    written = "".join(runs_text(p["runs"]) for part in parts for s in part["sections"] for p in s["items"])
    used: set[str] = set()
    for part in parts:
        eligible = purposeful.get(part["key"], [])
        clauses = purposes.of(part["key"])
        ranked = [(sig, -n, p, i) for n, (p, i) in enumerate(eligible) if (sig := _significance(p, i)) is not None]
        if not ranked or not clauses:
            continue
        seed = f"{org.code}|{period.code}|{part['key']}|" + "|".join(f"{p['key']}:{runs_text(p['runs'])}" for p, _ in eligible)
        digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
        *_, target, item = max(ranked, key=lambda r: r[:2])
        start = (digest // len(eligible)) % len(clauses)
        for clause in clauses[start:] + clauses[:start]:
            if clause in used or clause in written:
                continue
            runs = render(book.nodes(item.phrase), {**item.facts, registry.PURPOSE: registry.text(clause)}, prefix=target["key"])
            if runs and clause in runs_text(runs):
                target["runs"] = runs
                used.add(clause)
            break


def _significance(para: dict, item: Item) -> tuple[int, Decimal] | None:
    """How much a written sentence reports, to choose the one that takes its part's effect
    clause: (its largest count, its largest amount in 元), from the figures its text shows
    (counts are bare numbers, amounts end in 元; percentages and 同比 are neither). None for
    a sentence resting on fewer than ranking.MIN_RECORDS people, households or records: a
    sentence about one person takes no clause about the work's effect, nor one that reports
    a fall ("同比减少3人…，进一步壮大了会员队伍" contradicts itself)."""
    counts, amounts = [], []
    for r in para["runs"]:
        name = r.get("fact", "").removeprefix(para["key"] + ".")
        fact = item.facts.get(name)
        if fact is None or not fact.present or not fact.figure:
            continue
        if "减少" in fact.text:
            return None
        if fact.text.isdigit():
            counts.append(int(fact.text))
        elif fact.text.endswith("元"):  # money(): the value is the amount, "7800.00"
            amounts.append(Decimal(fact.value))
    if counts and max(counts) < MIN_RECORDS:
        return None
    return max(counts, default=0), max(amounts, default=Decimal(0))


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
    yield document.get("closing", [])


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

"""The summary as a document: the JSON shape a draft version stores, and its numbering.

A document is plain JSON so that a saved version never changes when code does:

    {
      "title": "某某工会2025年工作总结",
      "opening": [Para, ...],                 # the overall picture, before part 一
      "parts": [Part, ...],                   # numbered 一、二、… in this order
      "problems": [Para, ...],                # 存在问题: written or accepted by the user
      "plans": [Para, ...],                   # 下一步工作计划
      "suggestions": [{"target": "problems"|"plans", "key": str, "runs": [Run]}],
                                              # derived from the data, pending: never exported
      "closing": [Para, ...],                 # unnumbered, before the signature: the results
                                              # owe to…, the direction for next year
      "signature": {"org": "某某工会", "date": "2025-12-31"},
    }
    Part    = {"key": str, "title": str, "sections": [Section, ...]}
    Section = {"key": str, "title": str ("" = items sit directly under the part),
               "items": [Para, ...], "tables": [Table, ...]}
    Para    = {"key": str, "runs": [Run, ...]}
    Run     = {"text": str} or {"text": str, "fact": fact key, "link": url of the records}
    Table   = {"key": str, "caption": str, "header": [str, ...], "rows": [[str, ...], ...]}

Numbers are never stored: `blocks()` numbers from position, so moving or deleting a part
renumbers the rest, and no level of GB/T 9704's 一、（一）1. is ever skipped:
- parts 一、二、…;
- under a part, titled sections and the items that sit directly under it (untitled
  sections) share the second level （一）（二）…; a part holding a single item leaves it
  unnumbered;
- items of a titled section 1. 2. (only when it holds more than one);
- 存在问题 and 下一步工作计划 continue the parts' numbering, are left out when empty,
  and number every entry （一）（二）… (each is one problem or one plan).
Every exporter (Markdown, HTML, .docx) walks the same blocks.

Money: every amount the summary writes is in 元 (`core.formats.doc_money`, the one rule
for the whole document, tables headed 金额（元） included); figures saved in 万元 before
that rule are written in 元 when laid out (`figure_text`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from gonghui.core import formats
from gonghui.core.formats import cn_date, doc_money

PROBLEMS_TITLE = "存在问题"
PLANS_TITLE = "下一步工作计划"

def cn_numeral(n: int) -> str:
    """A heading's number: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings never
    go past 99; `core.formats.cn_numeral` writes any ordinal)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    return formats.cn_numeral(n)


@dataclass
class Block:
    """One line of the laid-out summary.

    kind: "title" | "para" (opening/body paragraph) | "h1" (一、…) | "h2" (（一）…)
          | "item" (a paragraph, `number` "1." or "") | "table" | "signature"
    """

    kind: str
    text: str = ""  # headings, title; for para/item the runs' joined text (without number)
    number: str = ""  # "一、", "（一）", "1." or ""
    runs: list = field(default_factory=list)
    table: dict | None = None
    key: str = ""
    date: str = ""  # signature only: 2025年12月31日

    @property
    def full_text(self) -> str:
        return f"{self.number}{self.text}"


def runs_text(runs) -> str:
    return "".join(r.get("text", "") for r in runs)


def _texts(paras) -> list[dict]:
    return [i for i in paras if runs_text(i.get("runs", [])).strip()]


def _item(para, number: str = "") -> Block:
    runs = [({**r, "text": figure_text(r["text"])} if r.get("fact") else r) for r in para["runs"]]
    return Block("item", text=runs_text(runs), number=number, runs=runs, key=para.get("key", ""))


def _items(section) -> list[Block]:
    """A titled section's items: 1. 2. when there is more than one."""
    items = _texts(section.get("items", []))
    many = len(items) > 1
    return [_item(i, f"{n}." if many else "") for n, i in enumerate(items, 1)]


def blocks(doc: dict) -> list[Block]:
    out = [Block("title", text=doc.get("title", ""))]
    for p in _texts(doc.get("opening", [])):
        b = _item(p)
        b.kind = "para"
        out.append(b)
    number = 0
    for part in doc.get("parts", []):
        sections = [s for s in part.get("sections", []) if _texts(s.get("items", [])) or s.get("tables")]
        if not sections:
            continue
        number += 1
        out.append(Block("h1", text=part["title"], number=f"{cn_numeral(number)}、", key=part.get("key", "")))
        # Items straight under the part are the second level, like titled sections: a lone
        # paragraph stays unnumbered, anything more counts （一）（二）… with the sections.
        second = sum(1 if s.get("title") else len(_texts(s.get("items", []))) for s in sections)
        sub = 0
        for s in sections:
            if s.get("title"):
                sub += 1
                out.append(Block("h2", text=s["title"], number=f"（{cn_numeral(sub)}）", key=s.get("key", "")))
                out.extend(_items(s))
            else:
                for i in _texts(s.get("items", [])):
                    if second > 1:
                        sub += 1
                    out.append(_item(i, f"（{cn_numeral(sub)}）" if second > 1 else ""))
            out.extend(Block("table", text=t.get("caption", ""), table=t, key=t.get("key", "")) for t in s.get("tables", []))
    for title, key in ((PROBLEMS_TITLE, "problems"), (PLANS_TITLE, "plans")):
        items = _texts(doc.get(key, []))
        if items:
            number += 1
            out.append(Block("h1", text=title, number=f"{cn_numeral(number)}、", key=key))
            out.extend(_item(i, f"（{cn_numeral(n)}）") for n, i in enumerate(items, 1))
    for p in _texts(doc.get("closing", [])):
        b = _item(p)
        b.kind = "para"
        out.append(b)
    sig = doc.get("signature") or {}
    if sig.get("org"):
        day = dt.date.fromisoformat(sig["date"]) if sig.get("date") else None
        out.append(Block("signature", text=sig["org"], date=cn_date(day) if day else ""))
    return out


# --- money ---------------------------------------------------------------------------------

_WAN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)万元")


def figure_text(text: str) -> str:
    """A figure as the money rule writes it: amounts in 元 (12.3456万元 → 123456元), for
    versions saved while large amounts were still written in 万元."""
    if "万元" not in text:
        return text
    return _WAN.sub(lambda m: doc_money(Decimal(m.group(1)) * 10000), text)


def in_yuan(doc: dict) -> dict:
    """`doc` with every figure written by the money rule (a copy when anything changes)."""
    def runs(rs):
        return [({**r, "text": figure_text(r.get("text", ""))} if r.get("fact") else r) for r in rs]

    def paras(ps):
        return [{**p, "runs": runs(p.get("runs", []))} for p in ps]

    return {**doc, "opening": paras(doc.get("opening", [])), "problems": paras(doc.get("problems", [])),
            "plans": paras(doc.get("plans", [])), "suggestions": paras(doc.get("suggestions", [])),
            "closing": paras(doc.get("closing", [])),
            "parts": [{**part, "sections": [{**s, "items": paras(s.get("items", []))} for s in part.get("sections", [])]}
                      for part in doc.get("parts", [])]}


# --- the title --------------------------------------------------------------------------------
# GB/T 9704 §7.3.2: a title that needs more than one line breaks where the words allow
# (回行时要做到词意完整) and keeps a trapezoid or diamond outline. A title is nearly always
# 〈union〉〈period〉工作总结, so the places a reader accepts a break are known: between the
# union and the period, before 工作总结, and after the words that end a unit's name
# (工会委员会, 有限公司, 街道 …). Only a name longer than a line is broken elsewhere, and
# never inside a number.

# (word, cost of breaking after it): whole organisations cost least, their parts more.
_NAME_ENDS = sorted([
    *((w, 60) for w in ("工会委员会", "工会工作委员会", "工会联合会", "联合工会", "总工会", "工会", "委员会", "联合会", "分会")),
    *((w, 120) for w in ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "集团", "街道办事处", "街道",
                         "办事处", "社区", "管理委员会", "管委会", "开发区", "工业园区", "园区", "医院", "学校", "大学",
                         "中心", "研究院", "研究所", "分公司", "车间")),
    *((w, 150) for w in ("自治区", "省", "市", "区", "县", "镇", "乡")),
], key=lambda wc: -len(wc[0]))
_PERIOD = re.compile(r"\d{4}年(?:度)?(?:上半年|下半年|第[一二三四]季度|\d{1,2}月(?:\d{1,2}日)?)?"
                     r"(?:至(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?)?")
_KIND = re.compile(r"(?:工作总结|工作报告|总结|报告)$")
_FALLBACK = 10_000  # a break no rule allows: only when a name outgrows the line
TITLE_EM = 20.0  # 2号 (22 pt) characters on GB/T 9704's 156 mm line


def text_em(text: str) -> float:
    """Printed width in ems, erring wide: full-width characters 1, others 0.6, plus the
    gap word processors put between Chinese and Latin letters or digits."""
    width, last = 0.0, None
    for c in text:
        wide = unicodedata.east_asian_width(c) in "WF"
        width += 1.0 if wide else 0.6
        if last is not None and wide != last and not unicodedata.category(c).startswith("P"):
            width += 0.25
        last = wide
    return width


def _break_costs(title: str) -> dict[int, int]:
    """{position: cost} of breaking the title before that character."""
    costs: dict[int, int] = {}
    for m in _PERIOD.finditer(title):
        if m.start() > 0:
            costs[m.start()] = 0
        if m.end() < len(title):
            costs[m.end()] = 20
    kind = _KIND.search(title)
    if kind and kind.start() > 0:
        costs.setdefault(kind.start(), 20)
    periods = [range(m.start(), m.end()) for m in _PERIOD.finditer(title)]
    i = 0
    while i < len(title):
        if any(i in r for r in periods):
            i += 1
            continue
        word = next(((w, c) for w, c in _NAME_ENDS if title.startswith(w, i)), None)
        if word:
            end = i + len(word[0])
            if 0 < end < len(title):
                costs[end] = min(costs.get(end, word[1]), word[1])
            i = end
        else:
            i += 1
    return costs


def title_lines(title: str, width_em: float = TITLE_EM) -> list[str]:
    """The title as the lines it is printed in (one line when it fits)."""
    title = title.strip()
    if not title or text_em(title) <= width_em:
        return [title] if title else []
    costs = _break_costs(title)
    for i in range(1, len(title)):
        digits = title[i - 1].isdigit() and title[i].isdigit() or title[i - 1:i + 1].replace(".", "").isdigit()
        # punctuation never starts a line; digits stay together
        if i not in costs and not digits and not unicodedata.category(title[i]).startswith("P"):
            costs[i] = _FALLBACK
    cuts = sorted(costs)

    def shape(widths: list[float]) -> float:
        widest = max(widths)
        cost = sum((widest - w) ** 2 for w in widths[:-1]) + (widest - widths[-1]) ** 2 / 4
        if any(widths[k] < widths[k - 1] and widths[k] < widths[k + 1] for k in range(1, len(widths) - 1)):
            cost += 500  # an hourglass is neither trapezoid nor diamond
        if widths[-1] <= 2:
            cost += 300  # a word or two left alone on the last line
        return cost

    def splits(start: int, count: int):
        """Every way to print title[start:] in `count` lines at the allowed cuts."""
        rest = title[start:]
        if count == 1:
            if text_em(rest) <= width_em:
                yield [rest], 0
            return
        if text_em(rest) > width_em * count:
            return
        for cut in cuts:
            if cut <= start:
                continue
            line = title[start:cut]
            if text_em(line) > width_em:
                break
            for tail, spent in splits(cut, count - 1):
                yield [line, *tail], costs[cut] + spent

    fewest = 2
    while not any(True for _ in splits(0, fewest)) and fewest < 12:
        fewest += 1
    best: tuple | None = None
    # one more line than needed is worth it when it spares a break inside a word
    for count in (fewest, fewest + 1) if fewest <= 4 else (fewest,):
        for lines, spent in splits(0, count):
            key = spent + shape([text_em(x) for x in lines]) + 400 * (count - fewest)
            if best is None or key < best[0]:
                best = (key, lines)
    return best[1] if best else [title]


def plain_text(doc: dict) -> str:
    """The summary as plain text (the API's `text`; `markdown` is the same layout escaped):
    one line per block, headings as lines starting with 一、 and （一）, items with 1. 2.,
    tables as pipe rows."""
    lines: list[str] = []
    for b in blocks(doc):
        if b.kind == "title":
            lines += [f"# {b.text}", ""]
        elif b.kind in ("h1", "h2") or b.kind in ("para", "item"):
            lines += [b.full_text, ""]
        elif b.kind == "table":
            t = b.table
            if b.text:
                lines += [b.text, ""]
            lines.append("| " + " | ".join(t["header"]) + " |")
            lines.append("|" + "---|" * len(t["header"]))
            lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in t["rows"]]
            lines.append("")
        elif b.kind == "signature":
            lines += ["", b.text, b.date, ""]
    return "\n".join(lines).rstrip() + "\n"


# --- Markdown -----------------------------------------------------------------------------
# What the user typed is shown as text, never interpreted: a paragraph reading
# "<script>…" or "**x**" renders as exactly those characters in any Markdown viewer.
# HTML's three characters become entities (a raw HTML block or inline tag can then not
# start); the inline Markdown characters get a backslash; at a line's start, the markers of
# headings, lists and setext underlines do too. Link, image and autolink syntax cannot
# form without an unescaped "[" or "<".

_MD_INLINE = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;",
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "~": "\\~", "|": "\\|",
})
_MD_BLOCK_MARKER = re.compile(r"^[#=+-]")  # heading, setext underline, list, thematic break
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")  # "1. " starts a numbered list


def md_inline(text: str) -> str:
    """Text for inside a Markdown line (a table cell): inline syntax escaped, one line."""
    return " ".join(str(text).splitlines()).translate(_MD_INLINE)


def md_text(text: str) -> str:
    """Text as Markdown lines that render as the text itself.

    Leading blanks go: four of them would make a code block, and Markdown shows none.
    """
    lines = []
    for line in str(text).splitlines() or [""]:
        line = line.strip(" \t").translate(_MD_INLINE)
        line = _MD_BLOCK_MARKER.sub(lambda m: "\\" + m.group(0), line)
        lines.append(_MD_ORDERED.sub(r"\1\\\2", line))
    return "\n".join(lines)


def markdown(doc: dict) -> str:
    """The Markdown export: the layout of `plain_text`, with every text escaped (`md_text`)."""
    lines: list[str] = []
    for b in blocks(doc):
        if b.kind == "title":
            lines += [f"# {md_text(b.text)}", ""]
        elif b.kind in ("h1", "h2", "para", "item"):
            lines += [b.number + md_text(b.text) if b.number else md_text(b.text), ""]
        elif b.kind == "table":
            t = b.table
            if b.text:
                lines += [md_text(b.text), ""]
            lines.append("| " + " | ".join(md_inline(h) for h in t["header"]) + " |")
            lines.append("|" + "---|" * len(t["header"]))
            lines += ["| " + " | ".join(md_inline(c) for c in row) + " |" for row in t["rows"]]
            lines.append("")
        elif b.kind == "signature":
            lines += ["", md_text(b.text), b.date, ""]
    return "\n".join(lines).rstrip() + "\n"

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
      "signature": {"org": "某某工会", "date": "2025-12-31"},
    }
    Part    = {"key": str, "title": str, "sections": [Section, ...]}
    Section = {"key": str, "title": str ("" = items sit directly under the part),
               "items": [Para, ...], "tables": [Table, ...]}
    Para    = {"key": str, "runs": [Run, ...]}
    Run     = {"text": str} or {"text": str, "fact": fact key, "link": url of the records}
    Table   = {"key": str, "caption": str, "header": [str, ...], "rows": [[str, ...], ...]}

Numbers are never stored: `blocks()` numbers parts 一、二、…, titled sections （一）（二）…
and items 1. 2. (only when a section holds more than one) from their position, so moving
or deleting a part renumbers the rest. 存在问题 and 下一步工作计划 continue the parts'
numbering and are left out when empty. Every exporter (Markdown, HTML, .docx) walks the
same blocks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from gonghui.core.formats import cn_date

PROBLEMS_TITLE = "存在问题"
PLANS_TITLE = "下一步工作计划"

_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings never go past 99)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


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


def _items(section) -> list[Block]:
    items = [i for i in section.get("items", []) if runs_text(i.get("runs", [])).strip()]
    many = len(items) > 1
    return [
        Block("item", text=runs_text(i["runs"]), number=f"{n}." if many else "", runs=i["runs"], key=i.get("key", ""))
        for n, i in enumerate(items, 1)
    ]


def blocks(doc: dict) -> list[Block]:
    out = [Block("title", text=doc.get("title", ""))]
    for p in doc.get("opening", []):
        if runs_text(p.get("runs", [])).strip():
            out.append(Block("para", text=runs_text(p["runs"]), runs=p["runs"], key=p.get("key", "")))
    number = 0
    for part in doc.get("parts", []):
        sections = [s for s in part.get("sections", []) if _items(s) or s.get("tables")]
        if not sections:
            continue
        number += 1
        out.append(Block("h1", text=part["title"], number=f"{cn_numeral(number)}、", key=part.get("key", "")))
        sub = 0
        for s in sections:
            if s.get("title"):
                sub += 1
                out.append(Block("h2", text=s["title"], number=f"（{cn_numeral(sub)}）", key=s.get("key", "")))
            out.extend(_items(s))
            out.extend(Block("table", text=t.get("caption", ""), table=t, key=t.get("key", "")) for t in s.get("tables", []))
    for title, key in ((PROBLEMS_TITLE, "problems"), (PLANS_TITLE, "plans")):
        items = _items({"items": doc.get(key, [])})
        if items:
            number += 1
            out.append(Block("h1", text=title, number=f"{cn_numeral(number)}、", key=key))
            out.extend(items)
    sig = doc.get("signature") or {}
    if sig.get("org"):
        day = dt.date.fromisoformat(sig["date"]) if sig.get("date") else None
        out.append(Block("signature", text=sig["org"], date=cn_date(day) if day else ""))
    return out


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

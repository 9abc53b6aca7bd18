"""The phrasing templates: a deliberately tiny language an administrator can edit safely.

    对{households}户困难职工进行慰问[，每户发放{per_household}]，共计{total}。

- `{name}` is replaced by the fact of that name handed to the template, and nothing else:
  names are plain identifiers checked against the phrase's declared facts when the
  template is saved, so no attribute, index, call, filter or tag exists to reach other
  data or run code (the sandbox is the grammar itself).
- `[ … ]` is optional: it is kept only when every fact inside it has a value (a 同比 that
  needs last year's data, a 每户 amount that only exists when all households got the
  same). Brackets nest.
- `{{`, `}}`, `[[`, `]]` write a literal brace or bracket.
A sentence whose required fact has no value is dropped as a whole, so a part with no
records writes nothing rather than zeros. So is a sentence none of whose figures has a
value: the words around them (a period, a date, a festival) are only its frame, and
"2025年办理会员会籍信息及时更新。" says nothing.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_LENGTH = 1000
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class Fact:
    """One figure handed to a template.

    text: as the sentence writes it ("23", "11500元", "92.3%", "同比增加3户").
    value: what a later regeneration compares ("23", "11500.00"); None = no value, so the
        sentence or optional segment that needs it is left out.
    link: the filtered list of the records behind the figure ("" when none).
    """

    text: str
    value: str | None
    link: str = ""
    label: str = ""
    figure: bool = True  # False for words (a festival, goods, a name): plain, editable text

    @property
    def present(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Slot:
    name: str


@dataclass(frozen=True)
class _Optional:
    nodes: tuple


def parse(text: str, names: set[str] | frozenset[str] | None = None) -> tuple:
    """The template's nodes; ValidationError in Chinese when it is malformed or names a
    fact that `names` does not hold."""
    if len(text) > MAX_LENGTH:
        raise ValidationError(f"模板不能超过{MAX_LENGTH}个字符。")
    stack: list[list] = [[]]
    buf: list[str] = []
    i = 0

    def flush():
        if buf:
            stack[-1].append(_Text("".join(buf)))
            buf.clear()

    while i < len(text):
        ch = text[i]
        pair = text[i:i + 2]
        if pair in ("{{", "}}", "[[", "]]"):
            buf.append(ch)
            i += 2
            continue
        if ch == "{":
            end = text.find("}", i)
            if end < 0:
                raise ValidationError("模板中的“{”没有对应的“}”。")
            name = text[i + 1:end].strip()
            if not _NAME.fullmatch(name):
                raise ValidationError(f"“{{{name}}}”不是有效的数据项名称：花括号内只能写数据项名称（小写字母、数字和下划线）。")
            if names is not None and name not in names:
                allowed = "、".join(f"{{{n}}}" for n in sorted(names)) or "（无）"
                raise ValidationError(f"“{{{name}}}”不是这句话可用的数据项。可用的数据项：{allowed}。")
            flush()
            stack[-1].append(_Slot(name))
            i = end + 1
            continue
        if ch == "}":
            raise ValidationError("模板中的“}”没有对应的“{”（要写花括号本身请写“}}”）。")
        if ch == "[":
            flush()
            stack.append([])
            i += 1
            continue
        if ch == "]":
            if len(stack) == 1:
                raise ValidationError("模板中的“]”没有对应的“[”（要写方括号本身请写“]]”）。")
            flush()
            nodes = tuple(stack.pop())
            stack[-1].append(_Optional(nodes))
            i += 1
            continue
        buf.append(ch)
        i += 1
    if len(stack) != 1:
        raise ValidationError("模板中的“[”没有对应的“]”。")
    flush()
    return tuple(stack[0])


def slots(nodes) -> set[str]:
    out = set()
    for n in nodes:
        if isinstance(n, _Slot):
            out.add(n.name)
        elif isinstance(n, _Optional):
            out |= slots(n.nodes)
    return out


class _Missing(Exception):
    pass


def _render(nodes, facts: dict[str, Fact | None], prefix: str, filled: list) -> list[dict]:
    runs: list[dict] = []
    for n in nodes:
        if isinstance(n, _Text):
            runs.append({"text": n.text})
        elif isinstance(n, _Slot):
            fact = facts.get(n.name)
            if fact is None or not fact.present:
                raise _Missing(n.name)
            filled.append(n.name)
            if not fact.figure:
                runs.append({"text": fact.text})
                continue
            run = {"text": fact.text, "fact": f"{prefix}.{n.name}"}
            if fact.link:
                run["link"] = fact.link
            runs.append(run)
        else:
            inner: list = []
            with contextlib.suppress(_Missing):  # an optional segment missing a value is dropped
                runs.extend(_render(n.nodes, facts, prefix, inner))
                filled.extend(inner)
    return runs


def render(nodes, facts: dict[str, Fact | None], *, prefix: str) -> list[dict] | None:
    """The runs of the sentence (adjacent text merged), or None when a required fact has
    no value, when every fact it names is optional and none has one, or when it names
    figures and none of them has one (only its frame of words would be left). Each
    figure run names its fact as `prefix.name`."""
    filled: list = []
    try:
        runs = _render(nodes, facts, prefix, filled)
    except _Missing:
        return None
    names = slots(nodes)
    if names and not filled:
        return None
    figures = {n for n in names if isinstance(facts.get(n), Fact) and facts[n].figure}
    if figures and not figures & set(filled):
        return None
    merged: list[dict] = []
    for r in runs:
        if merged and "fact" not in r and "fact" not in merged[-1]:
            merged[-1] = {"text": merged[-1]["text"] + r["text"]}
        elif r["text"] or "fact" in r:
            merged.append(r)
    return merged

"""A lint for generated summary text: the defects a reader who knows the genre stops at.

`lint(document)` takes a summary document (the JSON of summary/document.py, as
`assemble.generate` returns it or a version stores it) and returns `Finding`s: the rule's
code, a message in Chinese, the paragraph's text and where it stands. The rules:

- `empty-frame`: a paragraph of a part whose facts are all gone, leaving its phrase's fixed
  words and a date ("2025年办理会员会籍信息及时更新。"; a sentence of words such as an honour
  keeps the words its facts gave it), a slot left empty inside a sentence ("对户困难职工", "共计。"), or a zero
  written as a figure ("参与捐款的会员0人").
- `per-one`: a per-unit phrase after a count of one ("对1户……每户发放500元").
- `percent-bound`: a 同比 percentage above the comparison rule's bound
  (`registry.YOY_MAX_RATIO`), a rate (…率) outside 0–100%, or any other percentage above 100%.
- `repeated-purpose`: the same effect clause ("，丰富了职工的业余文化生活") twice in one document.
- `latin-or-code`: English letters or programme leftovers ("festival", "None", "{", "}")
  in the text; the names of unions passed as `names` are allowed to hold Latin letters.
- `number-format`: a number written outside the 公文 rules (thousands separators, 万元,
  full-width digits, "1.0人", a fractional count, more than two decimals in money or
  percentages, leading zeros in dates, a term written "第3届" instead of "第三届").
- `repeated-figure`: two paragraphs of one 一、 part stating the same fact twice: the same
  value and unit of the same thing counted ("共有会员120人" … "（会员120人，职工150人）"), or a
  total beside the one amount it sums ("共计7800元" … "发放慰问金7800元"). Only figures that do not recur by chance count: counts of at least 10,
  amounts of at least 1000元 that are not a multiple of 500元; percentages, 同比 changes and
  amounts after 每户/每人 (a standard repeated on purpose) never.

The rules read text, not templates, so they hold for the defaults, an administrator's
reworded phrases and a user's edited version alike. docs/architecture.md ("How a module
writes phrases that pass the lint") explains how to write phrases that pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from gonghui.core.formats import doc_number
from gonghui.summary.registry import YOY_MAX_RATIO

RULES: dict[str, str] = {
    "empty-frame": "句子只剩框架，没有数字",
    "per-one": "数量为1时不应写“每户/每人”",
    "percent-bound": "百分比超出合理范围",
    "repeated-purpose": "同一成效语句在文中重复",
    "latin-or-code": "正文中出现英文字母或程序代码",
    "number-format": "数字写法不符合公文规范",
    "repeated-figure": "同一部分中两句写了同一个数字",
}


@dataclass(frozen=True)
class Finding:
    rule: str  # a key of RULES
    message: str  # in Chinese, for a person reading the list
    text: str  # the paragraph (or heading, table cell) as written
    where: str = ""  # 标题 / 开篇 / the part's heading / 存在问题 …
    key: str = ""  # the paragraph's key (its phrase, "members.rate"); "" for headings and cells

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}（{self.key or '—'}）：{self.message}\n    {self.text}"


@dataclass(frozen=True)
class _Para:
    text: str
    runs: tuple  # the runs, () for headings and table cells
    where: str
    part: str  # the 一、 part a paragraph counts in for repeated-figure ("" = none)
    body: bool  # a paragraph under a 一、 part, which must carry a figure
    key: str = ""


def _runs_text(runs) -> str:
    return "".join(r.get("text", "") for r in runs)


def _paragraphs(doc: dict) -> Iterator[_Para]:
    if doc.get("title"):
        yield _Para(doc["title"], (), "标题", "", False)
    for p in doc.get("opening", []):
        yield _Para(_runs_text(p.get("runs", [])), tuple(p.get("runs", [])), "开篇", "", False, p.get("key", ""))
    for i, part in enumerate(doc.get("parts", [])):
        title = part.get("title", "")
        part_id = f"part{i}"
        if title:
            yield _Para(title, (), title, "", False)
        for s in part.get("sections", []):
            where = f"{title}／{s['title']}" if s.get("title") else title
            if s.get("title"):
                yield _Para(s["title"], (), where, "", False)
            for p in s.get("items", []):
                yield _Para(_runs_text(p.get("runs", [])), tuple(p.get("runs", [])), where, part_id, True, p.get("key", ""))
            for t in s.get("tables", []):
                cells = [t.get("caption", ""), *t.get("header", []), *(str(c) for row in t.get("rows", []) for c in row)]
                for c in cells:
                    if c:
                        yield _Para(c, (), f"{where}（表格）", "", False)
    for key, label in (("problems", "存在问题"), ("plans", "下一步工作计划")):
        for p in doc.get(key, []):
            yield _Para(_runs_text(p.get("runs", [])), tuple(p.get("runs", [])), label, key, False, p.get("key", ""))
    # Suggestions pending in the editor are text the user may accept as is: they are
    # linted where they would go.
    for s in doc.get("suggestions", []):
        label = "存在问题（建议）" if s.get("target") == "problems" else "下一步工作计划（建议）"
        yield _Para(_runs_text(s.get("runs", [])), tuple(s.get("runs", [])), label, s.get("target", ""), False, s.get("key", ""))
    sig = doc.get("signature") or {}
    if sig.get("org"):
        yield _Para(sig["org"], (), "落款", "", False)


# --- helpers over text ----------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。；！？]")
_CLAUSE_END = re.compile(r"[，。；：！？]")
# Dates and period words carry digits but are no figure: "2025年上半年", "3月5日", "10月底".
_DATES = re.compile(
    r"\d{4}年(?:度)?(?:上半年|下半年|第[一二三四]季度|\d{1,2}月(?:\d{1,2}日|底|初|中旬|上旬|下旬)?)?"
    r"|\d{1,2}月(?:\d{1,2}日|底|初|中旬|上旬|下旬)?|\d{1,2}日"
)
_NUMBER = r"(?<![\d.０-９])\d+(?:\.\d+)?"
# Units a figure is counted in, longest first so 人次 is not read as 人.
_UNITS = "户次|人次|万元|元|户|人|名|个|家|场|笔|项|次|期|届|篇|条|件|天|%"
_FIGURE = re.compile(rf"({_NUMBER})({_UNITS})")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_END.split(text) if c.strip()]


def _has_figure(para: _Para) -> bool:
    if any("fact" in r and r.get("text", "").strip() for r in para.runs):
        return True
    return bool(re.search(r"\d|[０-９]", _DATES.sub("", para.text)))


# --- the rules ----------------------------------------------------------------------------------------

# A number's slot left empty: a measure word straight after a word that needs a count or an
# amount before it ("对户困难职工", "共计元"), or 共计/合计/折合 with nothing after it.
_DANGLING = re.compile(
    r"(?:对|共计|合计|折合|共有|达到|惠及|资助|新发展会员|发放(?:慰问金|助学金|救助金)?)(?:户次|人次|户|名|元|场|笔|项)"
    r"(?![数均主员口籍型外内])"
    r"|(?:共计|合计|折合|每户|每人|发放慰问金|发放助学金|发放救助金)[，。；、）]"
)


# A figure of nothing: "参与捐款的会员0人，占会员总数的0%" is a frame with a zero in it.
_ZERO = re.compile(rf"(?<![\d.])0(?:\.0+)?(?:{_UNITS})")


def _frame_words(key: str) -> list[str] | None:
    """The words a paragraph's phrase writes whatever its facts (the default template's text
    outside slots and brackets), found by the paragraph key ("members.changes",
    "orgs.home_level_own.6", "assistance.occasion.new_year_2"); None for text of no phrase."""
    from gonghui.summary.phrasing import _Text, parse
    from gonghui.summary.registry import PHRASES

    k = re.sub(r"_\d+$", "", key)
    while k and k not in PHRASES:
        k = k.rpartition(".")[0]
    if not k:
        return None
    return [n.text for n in parse(PHRASES[k].default) if isinstance(n, _Text)]


def _only_frame(p: _Para) -> bool:
    """Whether the paragraph is its phrase's fixed words plus dates and period words only:
    every fact it was written from was empty ("2025年办理会员会籍信息及时更新。"). A sentence of
    words ("2023年11月，本会被评为区县级模范职工之家。") keeps the words its facts gave it."""
    words = _frame_words(p.key)
    if not words:
        return False
    rest, found = p.text, False
    for w in words:
        if w and w in rest:
            rest = rest.replace(w, "", 1)
            found = True
    rest = re.sub(r"[\s，。；、：（）]", "", _DATES.sub("", rest))
    return found and not rest


def _empty_frame(p: _Para) -> Iterator[Finding]:
    if p.body and not _has_figure(p) and _only_frame(p):
        yield Finding("empty-frame", "这段话没有任何数字，只剩句子框架（所需数据为空时整句应省略）。", p.text, p.where, p.key)
        return
    m = _DANGLING.search(p.text)
    if m:
        yield Finding("empty-frame", f"“{m.group(0)}”处缺少数字（数据为空时这一分句应省略）。", p.text, p.where, p.key)
        return
    m = _ZERO.search(p.text)
    if m:
        yield Finding("empty-frame", f"写了“{m.group(0)}”：没有数据的分句应省略，不写0。", p.text, p.where, p.key)


# 1户 … 每户, 1人 / 1人次 / 1名 … 每人 / 每名, in the same sentence.
_ONE = re.compile(r"(?<![\d.])1(户|人次|人|名|家)")
_PER = {"户": "每户", "家": "每家", "人": "每人", "人次": "每人", "名": "每人"}


def _per_one(p: _Para) -> Iterator[Finding]:
    for sentence in _sentences(p.text):
        for m in _ONE.finditer(sentence):
            per = _PER[m.group(1)]
            rest = sentence[m.end():]
            if per in rest or (per == "每人" and "每名" in rest):
                yield Finding("per-one", f"只有1{m.group(1)}，不应再写“{per}”（直接写金额即可）。", p.text, p.where, p.key)
                return


_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)%")
YOY_MAX_PERCENT = YOY_MAX_RATIO * 100
RATE_MAX_PERCENT = Decimal(100)


def _percent_bound(p: _Para) -> Iterator[Finding]:
    for clause in re.split(r"[，。；]", p.text):
        for m in _PERCENT.finditer(clause):
            value = Decimal(m.group(1))
            before = clause[:m.start()]
            if "同比" in before or "比上年" in before or "较上年" in before:
                if abs(value) > YOY_MAX_PERCENT:
                    yield Finding("percent-bound", f"同比变化{m.group(0)}超过{YOY_MAX_PERCENT:g}%：应写增减的数量，不写百分比。",
                                  p.text, p.where, p.key)
            elif "率" in before:
                if not Decimal(0) <= value <= RATE_MAX_PERCENT:
                    yield Finding("percent-bound", f"比率{m.group(0)}不在0—100%之间，计算口径可能有误。", p.text, p.where, p.key)
            elif value > RATE_MAX_PERCENT or value < 0:
                yield Finding("percent-bound", f"百分比{m.group(0)}超出0—100%，请核对。", p.text, p.where, p.key)


# An effect clause: what the work achieved, with no figure of its own. Its verbs are the
# genre's ("丰富了职工的业余文化生活", "增强了职工的安全意识", "让困难职工感受到工会的温暖").
_PURPOSE = re.compile(
    r"^(?:从而|进一步|有效|切实|充分|不断|更好地|较好地)?"
    r"(?:丰富|增强|提高|提升|激发|促进|营造|推动|密切|凝聚|传递|弘扬|展现|展示|彰显|树立|保障|维护|夯实|增进|融洽|"
    r"锻炼|陶冶|调动|加深|拓宽|营造|让|使|帮助|得到|受到)"
)


def _purpose_clauses(p: _Para) -> list[str]:
    return [c for c in _clauses(p.text) if len(c) >= 6 and _PURPOSE.match(c) and not re.search(r"\d", c)]


def _repeated_purpose(paras: list[_Para]) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for p in paras:
        if not p.runs:  # headings and table cells are no sentences
            continue
        for c in _purpose_clauses(p):
            if c in seen:
                yield Finding("repeated-purpose", f"成效语句“{c}”已在“{seen[c]}”中用过，同一篇总结中不应重复。", p.text, p.where, p.key)
            else:
                seen[c] = p.where


# Letters, template braces and brackets, and the words a programme leaks ("None", "nan").
_LATIN = re.compile(r"[A-Za-z]+|[{}\[\]<>_\\]|[Ａ-Ｚａ-ｚ]+")


def _latin(p: _Para, names: tuple[str, ...]) -> Iterator[Finding]:
    text = p.text
    for name in names:
        if name:
            text = text.replace(name, "")
    m = _LATIN.search(text)
    if m:
        yield Finding("latin-or-code", f"出现“{m.group(0)}”：总结正文只写中文和阿拉伯数字，不应出现英文、代码或模板符号。",
                      p.text, p.where, p.key)


_FORMAT_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"\d{1,3}(?:,\d{3})+"), "数字中使用了千位分隔符"),
    (re.compile(r"万元"), "金额应以“元”为单位，不写“万元”"),
    (re.compile(r"[０-９]"), "使用了全角数字"),
    (re.compile(rf"(?<![\d.])\d+\.\d*0(?!\d)(?:{_UNITS})?"), "小数末尾有多余的0（如“1.0人”应写“1人”）"),
    (re.compile(r"(?<![\d.])\d+\.\d+(?:户次|人次|户|人|名|个|家|场|笔|项|次|届|篇|条|件)"), "人数、户数等计数不应有小数"),
    (re.compile(r"(?<![\d.])\d+\.\d{3,}(?:元|%)"), "金额或百分比超过两位小数"),
    (re.compile(r"(?<!\d)0\d(?:月|日)|月0\d日"), "日期中有多余的前导0"),
    (re.compile(r"第\d+(?:届|次会员代表大会|次职代会)"), "届次用汉字书写（如“第三届”）"),
)


def _number_format(p: _Para) -> Iterator[Finding]:
    for pattern, message in _FORMAT_RULES:
        m = pattern.search(p.text)
        if m:
            yield Finding("number-format", f"{message}：“{m.group(0)}”。", p.text, p.where, p.key)


# Small counts, small or round amounts and percentages recur by coincidence ("慰问困难职工2户"
# beside "医疗救助2户", 800元 for a birth beside 800元 for a stay in hospital, two 同比 of
# 4.9%); a repeated count of ten or more, or a repeated amount of 1000元 or more that is not
# a multiple of 500元 ("共计7800元" over one occasion of 7800元), is nearly always one fact
# written twice.
REPEAT_MIN_COUNT = 10
REPEAT_MIN_MONEY = Decimal(1000)
REPEAT_ROUND_MONEY = Decimal(500)


def _distinctive(value: Decimal, unit: str) -> bool:
    if unit == "%":
        return False
    if unit in ("元", "万元"):
        return value >= REPEAT_MIN_MONEY and value % REPEAT_ROUND_MONEY != 0
    return value >= REPEAT_MIN_COUNT


def _figures(text: str) -> set[tuple[str, str, str]]:
    """The figures a paragraph states, as (value, unit, what it counts): the words right
    before the number ("共有会员172人" → 会员, "（会员172人" → 会员, "共计7800元" → 共计).
    Per-unit standards (每户500元), 同比 changes and figures that recur by chance are left out."""
    out = set()
    scrubbed = _DATES.sub(" ", text)
    for m in _FIGURE.finditer(scrubbed):
        value, unit = m.group(1), m.group(2)
        before = scrubbed[:m.start()]
        if re.search(r"(?:每户|每人|每名|每家|户均|人均)(?:发放)?(?:慰问金|助学金|救助金)?$", before):
            continue
        if re.search(r"(?:同比|比上年同期|较上年同期?)(?:增加|减少|增长|下降)$", before):
            continue  # a change is a difference of two figures, often equal to a count beside it
        if not _distinctive(Decimal(value), unit):
            continue
        noun = re.search(r"[\u4e00-\u9fff]{0,4}$", before).group(0)
        out.add((doc_number(value), unit, noun))
    return out


_TOTAL_WORDS = ("共计", "合计")


def _money_kind(noun: str) -> str:
    """total (共计), goods (物品折合) or cash (慰问金, 助学金 …): a total restates one amount
    of cash it sums; goods valued beside cash are another thing."""
    if noun.endswith(_TOTAL_WORDS):
        return "total"
    return "goods" if noun.endswith("折合") else "cash"


def _same_fact(a: str, b: str, unit: str) -> bool:
    """Whether two figures of one value and unit, counted as `a` and `b`, state one fact:
    the same thing counted (one word ends the other: 会员 / 共有会员), or a total beside an
    amount of cash it sums (共计7800元 / 发放慰问金7800元); two totals are of two things, and
    goods valued (物品折合) are no cash."""
    if unit in ("元", "万元"):
        ka, kb = _money_kind(a), _money_kind(b)
        if {ka, kb} == {"total", "cash"}:
            return True
        if ka != kb or ka == "total":
            return False
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 2 and long_.endswith(short)


def _repeated_figure(paras: list[_Para]) -> Iterator[Finding]:
    by_part: dict[str, list[tuple[tuple[str, str, str], str]]] = {}
    for p in paras:
        if not p.part or not p.runs:
            continue
        seen = by_part.setdefault(p.part, [])
        figures = sorted(_figures(p.text))
        hit = next(((fig, text) for fig in figures for (v, u, noun), text in seen
                    if (v, u) == fig[:2] and _same_fact(noun, fig[2], u)), None)
        if hit:
            (value, unit, _noun), text = hit
            earlier = text if len(text) <= 40 else text[:39] + "…"
            yield Finding("repeated-figure", f"“{value}{unit}”在本部分前面已经写过（“{earlier}”）：同一个数字只写一次。",
                          p.text, p.where, p.key)
        seen.extend((fig, p.text) for fig in figures)


def lint(document: dict, *, names: Iterable[str] = ()) -> list[Finding]:
    """The findings for a summary document, in document order per rule. `names` are words
    allowed to contain Latin letters (the unions' names)."""
    names = tuple(sorted({n for n in names if n}, key=len, reverse=True))
    paras = [p for p in _paragraphs(document) if p.text.strip()]
    out: list[Finding] = []
    for p in paras:
        if p.runs:
            out.extend(_empty_frame(p))
            out.extend(_per_one(p))
            out.extend(_percent_bound(p))
        out.extend(_latin(p, names))
        out.extend(_number_format(p))
    out.extend(_repeated_purpose(paras))
    out.extend(_repeated_figure(paras))
    return out


def report(findings: Iterable[Finding]) -> str:
    """The findings as lines a person reads in a failing test."""
    return "\n".join(str(f) for f in findings)

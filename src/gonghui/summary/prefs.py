"""What a union sets for its summaries (summary/models.py SummarySetting, PurposeClauseSet)
and what is in force where it set nothing: the defaults, the checks on what it types, and
the inheritance down the tree.

- guiding text (以…为指导): the union's own for the year, else the nearest higher union's
  for that year (a federation usually sets it for everyone below), else DEFAULT_GUIDING;
- Party organisation, closing paragraph and key parts: the union's own for the year only
  (they describe that union); the closing falls back to the phrase "summary.closing";
- effect clauses of a part: the nearest union's set for that part, else DEFAULT_PURPOSES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from gonghui.access.scope import ancestor_paths
from gonghui.orgs.models import Org
from gonghui.summary.registry import THEMES

# The Party's current guiding formulation as unions wrote it after the 20th Central
# Committee's fourth plenum (October 2025). It changes with every plenum and congress:
# the settings page asks unions to keep it current, and a federation's text applies below it.
DEFAULT_GUIDING = ("以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届历次全会精神，"
                   "深入学习贯彻习近平总书记关于工人阶级和工会工作的重要论述")

# A few effect clauses per part, in the genre's words (../shared/examples/); an
# administrator replaces a part's set for the subtree.
DEFAULT_PURPOSES: dict[str, tuple[str, ...]] = {
    "organization": ("为工会工作进一步发展提供了有力保障", "增强了工会组织的凝聚力和战斗力"),
    "members": ("进一步壮大了会员队伍", "夯实了工会工作的群众基础"),
    "education": ("提高了职工的思想政治素质和业务能力", "营造了比学赶超的良好氛围"),
    "democracy": ("保障了职工的知情权、参与权、表达权和监督权", "增强了职工的主人翁意识"),
    "rights": ("切实维护了职工的合法权益", "增强了职工的安全意识", "促进了劳动关系和谐稳定"),
    "assistance": ("把党和政府的温暖送到了困难职工心中", "帮助困难职工树立了生活的信心"),
    "care": ("让会员切实感受到了工会组织的关怀", "增强了会员对工会组织的归属感"),
    "activities": ("丰富了职工的业余文化生活", "增强了职工队伍的凝聚力和向心力"),
    "finance": ("保证了工会经费使用规范、公开透明",),
}

GUIDING_MAX = 200
PARTY_MAX = 40
CLOSING_MAX = 1000
CLOSING_MIN = 10
CLAUSE_MIN, CLAUSE_MAX = 4, 30
CLAUSES_MAX = 8
KEY_THEMES_MAX = 3
YEAR_MIN, YEAR_MAX = 2000, 2100

_CJK = re.compile(r"[\u4e00-\u9fff]")
# a clause is the tail of a sentence: the sentence writes the punctuation around it, and
# figures come from records, never from a fixed clause
_CLAUSE_BAD = re.compile(r"[。！？；;!?{}\[\]【】<>《》\"'“”‘’A-Za-z0-9０-９\n\r\t]")


def clean_text(value, *, label: str, limit: int) -> str:
    text = (value or "").replace("\r", "").replace("\x00", "").strip()
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过{limit}个字（现有{len(text)}个字）。")
    return text


def clean_guiding(value) -> str:
    text = clean_text(value, label="指导思想", limit=GUIDING_MAX).rstrip("，,。；;")
    if "\n" in text:
        raise ValidationError("指导思想请写成一句，不要换行。")
    if text and not _CJK.search(text):
        raise ValidationError("指导思想应为中文表述，如“以习近平新时代中国特色社会主义思想为指导”。")
    return text


def clean_party(value) -> str:
    text = clean_text(value, label="党组织名称", limit=PARTY_MAX)
    if any(c in text for c in "，,。；;\n"):
        raise ValidationError("党组织名称只写名称，如“公司党委”“局党组”，不要加标点。")
    if text.startswith("在") or text.endswith("领导下"):
        raise ValidationError("党组织名称只写名称，如“公司党委”；“在……的领导下”由系统按上级工会组成。")
    return text


def clean_closing(value) -> str:
    text = clean_text(value, label="结尾段落", limit=CLOSING_MAX)
    if text and len(text) < CLOSING_MIN:
        raise ValidationError(f"结尾段落太短（至少{CLOSING_MIN}个字）；留空则使用系统默认的结尾。")
    return text


def clean_key_themes(values) -> list[str]:
    out: list[str] = []
    for v in values or []:
        if v not in THEMES:
            raise ValidationError(f"没有“{v}”这个工作部分。")
        if v not in out:
            out.append(v)
    if len(out) > KEY_THEMES_MAX:
        raise ValidationError(f"重点工作最多选{KEY_THEMES_MAX}项（开篇至多列出三项成绩）。")
    return sorted(out, key=lambda t: THEMES[t][0])


def clean_clauses(value) -> list[str]:
    """One clause a line (or a list); ValidationError naming the first bad one."""
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    out: list[str] = []
    for raw in lines:
        clause = str(raw).strip().strip("，,、 ")
        if not clause:
            continue
        if not CLAUSE_MIN <= len(clause) <= CLAUSE_MAX:
            raise ValidationError(f"成效语“{clause}”应为{CLAUSE_MIN}至{CLAUSE_MAX}个字。")
        bad = _CLAUSE_BAD.search(clause)
        if bad:
            raise ValidationError(f"成效语“{clause}”含有“{bad.group(0).strip() or '换行'}”：成效语是句末的一个分句，"
                                  "不能含句号、分号、引号、括号、字母或数字（数字只能来自记录）。")
        if not _CJK.search(clause):
            raise ValidationError(f"成效语“{clause}”应为中文。")
        if clause in out:
            raise ValidationError(f"成效语“{clause}”重复了。")
        out.append(clause)
    if not out:
        raise ValidationError("请至少填写一条成效语（每行一条）；要恢复系统默认请点“恢复默认”。")
    if len(out) > CLAUSES_MAX:
        raise ValidationError(f"每个部分最多{CLAUSES_MAX}条成效语。")
    return out


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError("年度应为四位数字，如2025。") from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(f"年度应在{YEAR_MIN}至{YEAR_MAX}之间。")
    return year


# --- in force -----------------------------------------------------------------------------


@dataclass
class InForce:
    """A union's settings for a year as the summary uses them."""

    guiding: str
    guiding_from: str  # the union whose text it is, "" for the default
    party: str = ""
    closing: str = ""
    key_themes: list[str] = field(default_factory=list)


def in_force(org: Org, year: int) -> InForce:
    from gonghui.summary.models import SummarySetting

    paths = ancestor_paths(org.path)
    depth = {p: i for i, p in enumerate(paths)}
    rows = sorted(SummarySetting.objects.filter(org_path__in=paths, year=year).select_related("org"),
                  key=lambda s: -depth.get(s.org_path, -1))
    own = next((s for s in rows if s.org_id == org.pk), None)
    guide = next((s for s in rows if s.guiding), None)  # nearest first
    return InForce(guiding=guide.guiding if guide else DEFAULT_GUIDING, guiding_from=guide.org.name if guide else "",
                   party=own.party if own else "", closing=own.closing if own else "",
                   key_themes=list(own.key_themes) if own else [])


class Purposes:
    """The effect clauses in force at a union, per part: the nearest union's set wins."""

    def __init__(self, org: Org):
        from gonghui.summary.models import PurposeClauseSet

        depth = {p: i for i, p in enumerate(ancestor_paths(org.path))}
        self.sets: dict[str, tuple[int, list[str]]] = {}
        for theme, path, clauses in PurposeClauseSet.objects.filter(org_path__in=list(depth)).values_list(
                "theme", "org_path", "clauses"):
            if theme not in self.sets or depth[path] > self.sets[theme][0]:
                self.sets[theme] = (depth[path], list(clauses))

    def of(self, theme: str) -> list[str]:
        if theme in self.sets:
            return self.sets[theme][1]
        return list(DEFAULT_PURPOSES.get(theme, ()))

    def overridden(self, theme: str) -> bool:
        return theme in self.sets

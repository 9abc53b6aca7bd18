"""Writes of the summary module: drafts, their versions, and per-federation phrasing."""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record
from gonghui.core.services import audited
from gonghui.orgs.models import Org
from gonghui.summary.assemble import changed_figures, generate, refresh_figures
from gonghui.summary.models import (
    PhraseOverride,
    PurposeClauseSet,
    SummaryDraft,
    SummarySetting,
    SummaryVersion,
)
from gonghui.summary.periods import Period, parse_period
from gonghui.summary.phrasing import parse
from gonghui.summary.registry import PHRASES

MAX_DOCUMENT_BYTES = 1_000_000
FIRST_VERSION = "系统生成初稿"


def _user(actor: Actor):
    return actor.user if actor.user is not None and actor.user.pk else None


@audited("summary.create", object_type="summary.SummaryDraft")
def summary_create(*, actor: Actor, org: Org, period: Period | str, subtree: bool, today: dt.date | None = None) -> SummaryDraft:
    """Generate a draft from the records and keep it as version 1."""
    actor.require("summary.edit")
    actor.require_covers(org)
    period = parse_period(period) if isinstance(period, str) else period
    generated = generate(actor=actor, org=org, period=period, subtree=subtree, today=today)
    draft = SummaryDraft.objects.create(org=org, org_path=org.path, period=period.code, subtree=subtree,
                                        title=generated.document["title"], created_by=_user(actor))
    SummaryVersion.objects.create(draft=draft, number=1, name=FIRST_VERSION, document=generated.document, facts=generated.facts,
                                  generated_at=timezone.now(), created_by=_user(actor))
    audit_record(actor=actor, action="summary.create", obj=draft, org=org,
                 changes={"期间": [None, period.code], "含下级工会": [None, "是" if subtree else "否"]})
    return draft


# --- the edited document -------------------------------------------------------------------------

def _err(message: str):
    raise ValidationError(f"文档内容格式不正确：{message}。请刷新页面后重试。")


def _str(value, limit: int, what: str, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        _err(f"{what}应为文字")
    value = value.replace("\r", "").replace("\x00", "")
    if len(value) > limit:
        raise ValidationError(f"{what}不能超过{limit}个字。")
    if required and not value.strip():
        raise ValidationError(f"{what}不能为空。")
    return value


def _list(value, what: str, limit: int = 500) -> list:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > limit:
        _err(f"{what}应为列表")
    return value


def _runs(raw, facts: dict) -> list[dict]:
    runs = []
    for r in _list(raw, "段落"):
        if not isinstance(r, dict):
            _err("段落内容")
        text = _str(r.get("text"), 4000, "一段文字")
        fact = r.get("fact")
        # A figure keeps its link only when it is one the summary generated: a saved
        # document can never point a reader at an address of the user's choosing.
        if isinstance(fact, str) and fact in facts:
            run = {"text": text, "fact": fact}
            if facts[fact].get("link"):
                run["link"] = facts[fact]["link"]
            runs.append(run)
        elif text:
            if runs and "fact" not in runs[-1]:
                runs[-1] = {"text": runs[-1]["text"] + text}
            else:
                runs.append({"text": text})
    return runs


def _paras(raw, facts: dict, what: str) -> list[dict]:
    out = []
    for p in _list(raw, what):
        if not isinstance(p, dict):
            _err(what)
        runs = _runs(p.get("runs"), facts)
        if "".join(r["text"] for r in runs).strip():
            out.append({"key": _str(p.get("key"), 120, "段落标识"), "runs": runs})
    return out


def _table(t) -> dict:
    if not isinstance(t, dict):
        _err("表格")
    header = [_str(h, 100, "表头") for h in _list(t.get("header"), "表头", 30)]
    rows = [[_str(c, 200, "表格内容") for c in _list(row, "表格行", 30)] for row in _list(t.get("rows"), "表格", 2000)]
    return {"key": _str(t.get("key"), 120, "表格标识"), "caption": _str(t.get("caption"), 100, "表格标题"), "header": header, "rows": rows}


def clean_document(raw, facts: dict, base: dict | None = None) -> dict:
    """The document as the editor sent it, checked field by field and reduced to the
    known shape (anything else is dropped); ValidationError in Chinese. Tables are not
    edited: each kept section gets its tables back from `base` (the version edited)."""
    base_tables = {s.get("key"): s.get("tables", []) for part in (base or {}).get("parts", []) for s in part.get("sections", [])}
    if isinstance(raw, str):
        if len(raw.encode()) > MAX_DOCUMENT_BYTES:
            raise ValidationError("文档太大，无法保存。")
        try:
            raw = json.loads(raw)
        except ValueError:
            _err("无法读取")
    if not isinstance(raw, dict):
        _err("无法读取")
    parts = []
    for part in _list(raw.get("parts"), "部分", 60):
        if not isinstance(part, dict):
            _err("部分")
        sections = []
        for s in _list(part.get("sections"), "小节", 60):
            if not isinstance(s, dict):
                _err("小节")
            sections.append({"key": _str(s.get("key"), 120, "小节标识"), "title": _str(s.get("title"), 100, "小节标题"),
                             "items": _paras(s.get("items"), facts, "条目"),
                             "tables": [_table(t) for t in (base_tables.get(s.get("key"), []) if base is not None
                                                            else _list(s.get("tables"), "表格", 20))]})
        parts.append({"key": _str(part.get("key"), 120, "部分标识"), "title": _str(part.get("title"), 100, "部分标题", required=True),
                      "sections": sections})
    suggestions = []
    for s in _list(raw.get("suggestions"), "建议"):
        if isinstance(s, dict) and s.get("target") in ("problems", "plans"):
            suggestions.append({"target": s["target"], "key": _str(s.get("key"), 120, "建议标识"), "runs": _runs(s.get("runs"), facts)})
    sig = raw.get("signature") if isinstance(raw.get("signature"), dict) else {}
    date = _str(sig.get("date"), 10, "落款日期")
    if date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise ValidationError("落款日期格式不正确，请选择日期。") from None
    return {
        "title": _str(raw.get("title"), 200, "标题", required=True).strip(),
        "opening": _paras(raw.get("opening"), facts, "开篇段落"),
        "parts": parts,
        "problems": _paras(raw.get("problems"), facts, "存在问题"),
        "plans": _paras(raw.get("plans"), facts, "下一步工作计划"),
        "suggestions": suggestions,
        "closing": _paras(raw.get("closing"), facts, "结尾段落"),
        "signature": {"org": _str(sig.get("org"), 100, "落款单位"), "date": date},
    }


def _next_number(draft: SummaryDraft) -> int:
    last = draft.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请为这个版本起个名字，如“提交党组审阅稿”。"})
    if len(name) > 60:
        raise ValidationError({"name": "版本名称不能超过60个字。"})
    return name


@audited("summary.save", object_type="summary.SummaryDraft")
def summary_save(*, actor: Actor, draft: SummaryDraft, document, name: str, base: SummaryVersion | None = None) -> SummaryVersion:
    """Save the edited document as a new named version. Figures stay tied to the facts of
    the version the user was editing (`base`, else the latest)."""
    actor.require("summary.edit")
    actor.require_covers(draft.org)
    SummaryDraft.objects.select_for_update().filter(pk=draft.pk).first()  # one version number at a time
    base = base or draft.latest
    name = _clean_name(name)
    doc = clean_document(document, base.facts, base.document)
    version = SummaryVersion.objects.create(draft=draft, number=_next_number(draft), name=name, document=doc, facts=base.facts,
                                            generated_at=base.generated_at, created_by=_user(actor))
    if doc["title"] != draft.title:
        draft.title = doc["title"]
    draft.save(update_fields=["title", "updated_at"])
    audit_record(actor=actor, action="summary.save", obj=draft, org=draft.org, changes={"版本": [None, f"{version.number} {name}"]})
    return version


def draft_period(draft: SummaryDraft) -> Period:
    return parse_period(draft.period)


@audited("summary.save", object_type="summary.SummaryDraft")
def summary_refresh(*, actor: Actor, draft: SummaryDraft, name: str = "", today: dt.date | None = None) -> tuple[SummaryVersion, list]:
    """Take the figures from the records again: a new version whose figures are today's
    (the user's wording kept), and the list of figures that changed."""
    actor.require("summary.edit")
    actor.require_covers(draft.org)
    SummaryDraft.objects.select_for_update().filter(pk=draft.pk).first()
    base = draft.latest
    generated = generate(actor=actor, org=draft.org, period=draft_period(draft), subtree=draft.subtree, today=today)
    changes = changed_figures(base.facts, generated.facts)
    doc, _ = refresh_figures(base.document, generated.facts)
    # facts the old wording still points at but the records no longer have stay as saved
    facts = {**{k: v for k, v in base.facts.items() if k not in generated.facts}, **generated.facts}
    known = {s["key"] for s in doc.get("suggestions", [])} | {p["key"] for p in doc.get("problems", []) + doc.get("plans", [])}
    doc["suggestions"] = doc.get("suggestions", []) + [s for s in generated.document["suggestions"] if s["key"] not in known]
    version = SummaryVersion.objects.create(draft=draft, number=_next_number(draft), name=_clean_name(name or "按最新数据更新"),
                                            document=doc, facts=facts, generated_at=timezone.now(), created_by=_user(actor))
    draft.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="summary.save", obj=draft, org=draft.org,
                 changes={"版本": [None, f"{version.number} {version.name}"], "更新的数字": [None, str(len(changes))]})
    return version, changes


@audited("summary.delete", object_type="summary.SummaryDraft")
def summary_delete(*, actor: Actor, draft: SummaryDraft) -> None:
    actor.require("summary.edit")
    actor.require_covers(draft.org)
    audit_record(actor=actor, action="summary.delete", obj=draft, org=draft.org, changes={"标题": [draft.title, None]})
    draft.delete()


def summary_exported(*, actor: Actor, draft: SummaryDraft | None, org: Org, fmt: str, period: str) -> None:
    """Audit an export (the summary names no person, but what left the system is logged)."""
    audit_record(actor=actor, action="summary.export", obj=draft, object_type="summary.SummaryDraft", org=org,
                 changes={"格式": [None, fmt], "期间": [None, period]})


# --- phrasing ---------------------------------------------------------------------------------


@audited("phrase.set", object_type="summary.PhraseOverride")
def phrase_set(*, actor: Actor, org: Org, key: str, text: str) -> PhraseOverride:
    """Reword a sentence for a union's whole subtree (checked against the facts the sentence
    is handed, so a template can only ever print those)."""
    actor.require("summary.phrases")
    actor.require_covers(org)
    phrase = PHRASES.get(key)
    if phrase is None:
        raise ValidationError({"key": "没有这个语句。"})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "模板不能为空；要恢复默认措辞请点“恢复默认”。"})
    try:
        parse(text, frozenset(phrase.fields))
    except ValidationError as exc:
        raise ValidationError({"text": exc.messages}) from None
    override = PhraseOverride.objects.filter(org=org, key=key).first()
    before = override.text if override else phrase.default
    if override is None:
        override = PhraseOverride(org=org, org_path=org.path, key=key)
    override.text, override.updated_by = text, _user(actor)
    override.save()
    audit_record(actor=actor, action="phrase.set", obj=override, org=org, changes={phrase.label: [before, text]})
    return override


@audited("phrase.reset", object_type="summary.PhraseOverride")
def phrase_reset(*, actor: Actor, org: Org, key: str) -> None:
    actor.require("summary.phrases")
    actor.require_covers(org)
    override = PhraseOverride.objects.filter(org=org, key=key).first()
    if override is None:
        return
    audit_record(actor=actor, action="phrase.reset", obj=override, org=org,
                 changes={PHRASES[key].label if key in PHRASES else key: [override.text, None]})
    override.delete()


# --- a union's settings for its summaries (summary/prefs.py) ----------------------------------


def _field_errors(checks: dict) -> dict:
    """Run every check and collect the Chinese refusals by field, so the page can show
    them all at once and nothing is saved while any remains."""
    cleaned, errors = {}, {}
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


@audited("summary_setting.set", object_type="summary.SummarySetting")
def summary_setting_set(*, actor: Actor, org: Org, year, guiding: str = "", party: str = "", closing: str = "",
                        key_themes=()) -> SummarySetting | None:
    """Set a union's guiding text, Party organisation, closing paragraph and key parts for
    a year (blank = the default or, for the guiding text, the higher union's). Clearing
    every field of a saved setting deletes it (None): the year then uses the defaults."""
    from gonghui.summary import prefs

    actor.require("summary.phrases")
    actor.require_covers(org)
    data = _field_errors({
        "year": lambda: prefs.check_year(year), "guiding": lambda: prefs.clean_guiding(guiding),
        "party": lambda: prefs.clean_party(party), "closing": lambda: prefs.clean_closing(closing),
        "key_themes": lambda: prefs.clean_key_themes(key_themes),
    })
    setting = SummarySetting.objects.select_for_update().filter(org=org, year=data["year"]).first()
    if not (data["guiding"] or data["party"] or data["closing"] or data["key_themes"]):
        if setting is None:
            raise ValidationError({"__all__": ["没有填写任何内容：请至少填写一项；全部使用默认时无需保存设置。"]})
        # every field cleared: the year goes back to the defaults, as if the setting were deleted
        summary_setting_delete(actor=actor, setting=setting)
        return None
    labels = {"guiding": "指导思想", "party": "党组织名称", "closing": "结尾段落", "key_themes": "重点工作"}
    created = setting is None
    if created:
        setting = SummarySetting(org=org, org_path=org.path, year=data["year"])
    changes = {"年度": [None, setting.year]} if created else {}
    for name, label in labels.items():
        before, after = None if created else getattr(setting, name), data[name]
        if before != after:
            changes[label] = [before, after]
        setattr(setting, name, after)
    setting.updated_by = _user(actor)
    _save_first(setting, f"{org.name}{setting.year}年度的工作总结设置")
    audit_record(actor=actor, action="summary_setting.set", obj=setting, org=org, changes=changes)
    return setting


def _save_first(row, what: str) -> None:
    """Save `row`; two first saves at once both find no row under the lock and the second
    hits the unique constraint: answer it in Chinese (the other save stands) instead of a 500.
    The savepoint keeps the caller's transaction usable for the failure's audit."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"__all__": [f"{what}刚刚已由其他人保存，请刷新页面查看后再修改。"]}) from None


@audited("summary_setting.delete", object_type="summary.SummarySetting")
def summary_setting_delete(*, actor: Actor, setting: SummarySetting) -> None:
    actor.require("summary.phrases")
    actor.require_covers(setting.org)
    audit_record(actor=actor, action="summary_setting.delete", obj=setting, org=setting.org,
                 changes={"年度": [setting.year, None]})
    setting.delete()


@audited("purpose.set", object_type="summary.PurposeClauseSet")
def purpose_clauses_set(*, actor: Actor, org: Org, theme: str, clauses) -> PurposeClauseSet:
    """Replace a part's effect clauses for the union's whole subtree (one a line)."""
    from gonghui.summary import prefs
    from gonghui.summary.registry import THEMES

    actor.require("summary.phrases")
    actor.require_covers(org)
    if theme not in THEMES:
        raise ValidationError({"theme": "没有这个工作部分。"})
    try:
        cleaned = prefs.clean_clauses(clauses)
    except ValidationError as exc:
        raise ValidationError({"clauses": exc.messages}) from None
    row = PurposeClauseSet.objects.select_for_update().filter(org=org, theme=theme).first()
    before = row.clauses if row else list(prefs.Purposes(org).of(theme))
    if row is None:
        row = PurposeClauseSet(org=org, org_path=org.path, theme=theme)
    row.clauses, row.updated_by = cleaned, _user(actor)
    _save_first(row, "这部分的成效语")
    audit_record(actor=actor, action="purpose.set", obj=row, org=org,
                 changes={THEMES[theme][1]: ["；".join(before), "；".join(cleaned)]})
    return row


@audited("purpose.reset", object_type="summary.PurposeClauseSet")
def purpose_clauses_reset(*, actor: Actor, org: Org, theme: str) -> None:
    from gonghui.summary.registry import THEMES

    actor.require("summary.phrases")
    actor.require_covers(org)
    row = PurposeClauseSet.objects.filter(org=org, theme=theme).first()
    if row is None:
        return
    audit_record(actor=actor, action="purpose.reset", obj=row, org=org,
                 changes={THEMES.get(theme, (0, theme))[1]: ["；".join(row.clauses), None]})
    row.delete()

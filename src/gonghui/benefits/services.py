"""Writes of member benefits, and the spending-rule engine they all go through.

`check_plan` takes planned records (one per member) and returns every rule they would
break, each as (member, rule, Chinese explanation). A record or batch that breaks a rule
is refused with those explanations, unless an override reason is given by a role with
"benefits.override"; the override is stored on the records and is an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record, field_changes, snapshot
from gonghui.benefits import selectors
from gonghui.benefits.models import (
    BenefitBatch,
    BenefitRecord,
    Festival,
    Form,
    Kind,
    Rule,
    RuleChoice,
    RuleSet,
)
from gonghui.core.crypto import blind_index
from gonghui.core.formats import cn_date, yuan
from gonghui.core.services import audited
from gonghui.members.models import Member
from gonghui.orgs.models import Org

MAX_AMOUNT = Decimal("100000")
DAYS_AHEAD = 31  # a batch may be prepared up to a month before it is handed out
RECEIVING = selectors.RECEIVING


@dataclass
class Planned:
    member: Member
    kind: str
    on: dt.date
    form: str
    amount: Decimal
    festival: str = ""
    goods: str = ""
    illness: str = ""
    note: str = ""
    row: int | None = None  # the spreadsheet row it came from, for import errors


@dataclass
class Violation:
    member: Member
    rule: Rule | None
    code: str  # dues, goods, cap, annual, illness
    message: str
    index: int = 0  # position in the plan

    def __iter__(self):  # (member, rule, explanation)
        return iter((self.member, self.rule, self.message))


@dataclass
class Check:
    plan: list[Planned]
    violations: list[Violation] = field(default_factory=list)
    rulesets: list[RuleSet | None] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [v.message for v in self.violations]

    @property
    def unlisted(self) -> list[str]:
        """A notice for each kind of benefit the applicable standard does not list (such as
        六一, which provincial rules leave to the union): given as the union's own occasion,
        within its budget, with no cap checked."""
        seen, cache = [], {}
        for p, rs in zip(self.plan, self.rulesets, strict=False):
            if rs is not None and p.kind in Kind.values and p.kind not in selectors.rules_of(rs, cache=cache):
                notice = f"{Kind(p.kind).label}：《{rs.name}》未列此项，作为本单位自定的慰问项目发放，不作上限检查（须在预算内）。"
                if notice not in seen:
                    seen.append(notice)
        return seen


def illness_key(text: str) -> str:
    return "".join((text or "").split()).lower()


def illness_index(text: str) -> str:
    """The keyed hash of an illness, for "same illness" comparisons without the text."""
    key = illness_key(text)
    return blind_index(key, purpose="illness") if key else ""


def _label(kind: str, festival: str = "") -> str:
    label = Kind(kind).label
    return f"{label}（{Festival(festival).label}）" if festival else label


def clean_planned(p: Planned, *, today: dt.date | None = None) -> dict[str, str]:
    """Field errors of one planned record (not the spending rules)."""
    today = today or dt.date.today()
    errors: dict[str, str] = {}
    if p.kind not in Kind.values:
        errors["kind"] = "请选择慰问类别。"
    if p.form not in Form.values:
        errors["form"] = "请选择发放形式（实物或现金）。"
    if p.kind == Kind.FESTIVAL:
        if p.festival not in Festival.values:
            errors["festival"] = "节日慰问请选择节日。"
    elif p.festival:
        errors["festival"] = "只有节日慰问才填写节日。"
    if p.kind == Kind.HOSPITAL and not illness_key(p.illness):
        errors["illness"] = "生病住院慰问请填写病情或住院事由（用于核对“同一病情每年一次”）。"
    if p.on is None:
        errors["on"] = "请填写发放日期。"
    elif p.on > today + dt.timedelta(days=DAYS_AHEAD):
        errors["on"] = f"发放日期不能晚于{DAYS_AHEAD}天后。"
    elif p.on.year < 2000:
        errors["on"] = "发放日期有误。"
    try:
        amount = Decimal(p.amount)
    except (InvalidOperation, TypeError):
        errors["amount"] = "请填写金额。"
    else:
        if not amount.is_finite() or amount <= 0:
            errors["amount"] = "金额应大于0。"
        elif amount > MAX_AMOUNT:
            errors["amount"] = f"金额不能超过{yuan(MAX_AMOUNT)}元，请核对。"
        elif amount != amount.quantize(Decimal("0.01")):
            errors["amount"] = "金额最多保留两位小数。"
    if p.member is not None and p.member.status not in RECEIVING:
        errors["member"] = f"{p.member.name}：会籍状态为“{p.member.get_status_display()}”，不能发放会员慰问。"
    return errors


def _existing(plan: list[Planned], exclude_ids=()) -> tuple[dict, dict]:
    """Amounts already given this year per (member, kind), and illnesses already visited
    per (member, year, illness key) → date, from records on the platform."""
    members = {p.member.pk for p in plan}
    years = {p.on.year for p in plan if p.on}
    kinds = {p.kind for p in plan}
    totals: dict = defaultdict(Decimal)
    visited: dict = {}
    if not members or not years:
        return totals, visited
    ids = list(members)
    for i in range(0, len(ids), 2000):
        base = BenefitRecord.objects.filter(member_id__in=ids[i : i + 2000], kind__in=kinds,
                                            on__gte=dt.date(min(years), 1, 1), on__lte=dt.date(max(years), 12, 31))
        base = base.exclude(pk__in=list(exclude_ids))
        for member_id, kind, on, amount in base.values_list("member_id", "kind", "on", "amount"):
            totals[(member_id, kind, on.year)] += amount
        sick = base.filter(kind=Kind.HOSPITAL, reversal_of__isnull=True, is_reversed=False).exclude(illness_index="")
        for member_id, on, index in sick.values_list("member_id", "on", "illness_index"):
            visited.setdefault((member_id, on.year, index), on)
    return totals, visited


def check_plan(plan: list[Planned], *, exclude_ids=()) -> Check:
    """Every spending rule the planned records would break, in plan order. Amounts given
    earlier in the year (other batches, single records, reversals netted) and earlier
    entries of the same plan count towards annual caps."""
    result = Check(plan=plan)
    totals, visited = _existing(plan, exclude_ids)
    ruleset_cache: dict = {}
    rules_cache: dict = {}
    for i, p in enumerate(plan):
        m = p.member
        ruleset = selectors.ruleset_for(m.org_path, p.on, cache=ruleset_cache)
        result.rulesets.append(ruleset)
        rule = selectors.rules_of(ruleset, cache=rules_cache).get(p.kind)
        if rule is None:
            continue
        label, rs = _label(p.kind, p.festival), ruleset.name
        amount = Decimal(p.amount)

        def add(code, message, rule=rule, member=m, index=i):
            result.violations.append(Violation(member, rule, code, message, index))

        if rule.requires_dues and not m.pays_dues:
            add("dues", f"{m.name}：未按时缴纳会费，按{rs}不享受集体福利（{label}）")
        if rule.goods_only and p.form == Form.CASH:
            add("goods", f"{m.name}：{label}只能发放实物，不能发放现金或购物卡（{rs}）")
        if rule.cap_per_event is not None and amount > rule.cap_per_event:
            add("cap", f"{m.name}：{label}{yuan(amount)}元，超过{rs}每次{yuan(rule.cap_per_event)}元")
        key = (m.pk, p.kind, p.on.year)
        totals[key] += amount
        if rule.annual_cap is not None and totals[key] > rule.annual_cap:
            add("annual", f"{m.name}：{Kind(p.kind).label}全年累计将达{yuan(totals[key])}元，"
                          f"超过{rs}每人每年{yuan(rule.annual_cap)}元")
        if rule.once_per_illness and p.kind == Kind.HOSPITAL:
            # The illness itself stays out of the message: messages are stored on the
            # record, shown to every benefits.view role and copied into the audit log.
            ikey = (m.pk, p.on.year, illness_index((p.illness or "").strip()[:100]))
            if ikey in visited:
                add("illness", f"{m.name}：同一病情本年度已于{cn_date(visited[ikey])}慰问过，"
                               f"{rs}规定同一病情每年慰问一次")
            else:
                visited[ikey] = p.on
    return result


def _refuse_or_override(actor: Actor, check: Check, override_reason: str) -> str:
    """'' when nothing is broken; the override reason when a permitted role gave one;
    otherwise a ValidationError (or PermissionDenied) explaining why."""
    reason = (override_reason or "").strip()
    if not check.violations:
        return ""
    if not reason:
        shown = check.messages[:50]
        more = len(check.messages) - len(shown)
        raise ValidationError({"rules": shown + ([f"……另有{more}条超出标准"] if more > 0 else []) +
                               ["如确需超标准发放，须由有“批准超标准慰问”权限的人员填写超标准说明。"]})
    actor.require("benefits.override")
    if actor.user is None or not actor.user.pk:
        # the records name their approver (the 合规检查 page, the audit): a console or system
        # actor is nobody to name
        raise PermissionDenied("超标准慰问须由有“批准超标准慰问”权限的人员用本人账号批准（命令行请用 --as 指定账号）。")
    if len(reason) < 4:
        raise ValidationError({"override_reason": "请具体说明超标准发放的原因（如经工会委员会研究同意的文号）。"})
    return reason[:500]


def _audit_override(actor: Actor, org: Org, obj, check: Check, reason: str) -> None:
    audit_record(actor=actor, action="benefit.override", obj=obj, org=org,
                 message=f"超标准说明：{reason}；超出：" + "；".join(check.messages[:20])
                 + (f"（共{len(check.messages)}条）" if len(check.messages) > 20 else ""),
                 changes={"violations": [None, len(check.messages)]})


def _record(p: Planned, *, actor: Actor, ruleset, violations: list[str], reason: str, batch=None) -> BenefitRecord:
    illness = (p.illness or "").strip()[:100] if p.kind == Kind.HOSPITAL else ""
    return BenefitRecord(
        member=p.member, org_id=p.member.org_id, org_path=p.member.org_path, kind=p.kind, festival=p.festival or "",
        on=p.on, form=p.form, amount=Decimal(p.amount).quantize(Decimal("0.01")), goods=(p.goods or "").strip()[:200],
        illness=illness, illness_index=illness_index(illness), note=(p.note or "").strip()[:200],
        batch=batch, ruleset=ruleset, violations=violations, override_reason=reason if violations else "",
        overridden_by=actor.user if violations and actor.user is not None and actor.user.pk else None,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )


def _lock(member_ids) -> None:
    """Serialise benefits per member, so two clerks cannot both use the same annual room."""
    ids = sorted(set(member_ids))
    for i in range(0, len(ids), 2000):
        list(Member.objects.select_for_update().filter(pk__in=ids[i : i + 2000]).values_list("pk", flat=True))


# --- single records ---------------------------------------------------------------------------


@audited("benefit.create", object_type="benefits.BenefitRecord")
def benefit_create(
    *, actor: Actor, member: Member, kind: str, on: dt.date, form: str, amount, festival: str = "", goods: str = "",
    illness: str = "", note: str = "", override_reason: str = "", _exclude=(),
) -> BenefitRecord:
    actor.require("benefits.manage")
    actor.require_covers(member.org)
    p = Planned(member=member, kind=kind, on=on, form=form, amount=amount, festival=festival or "", goods=goods,
                illness=illness, note=note)
    errors = clean_planned(p)
    if errors:
        raise ValidationError(errors)
    _lock([member.pk])
    member.refresh_from_db(fields=["pays_dues", "status", "org", "org_path"])
    check = check_plan([p], exclude_ids=_exclude)
    reason = _refuse_or_override(actor, check, override_reason)
    record = _record(p, actor=actor, ruleset=check.rulesets[0], violations=check.messages, reason=reason)
    record.save()
    audit_record(actor=actor, action="benefit.create", obj=record, org=member.org,
                 message=f"{member.name} {record.kind_label} {record.get_form_display()}{yuan(record.amount)}元",
                 changes={"amount": [None, record.amount], "kind": [None, kind]})
    if reason:
        _audit_override(actor, member.org, record, check, reason)
    return record


@audited("benefit.reverse", object_type="benefits.BenefitRecord")
def benefit_reverse(*, actor: Actor, record: BenefitRecord, reason: str) -> BenefitRecord:
    """Cancel a record by a reversal dated like it (so its year and month net to zero)."""
    actor.require("benefits.manage")
    actor.require_covers(record.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写冲销原因。"})
    locked = BenefitRecord.objects.select_for_update().get(pk=record.pk)
    if locked.reversal_of_id is not None:
        raise ValidationError({"reason": "这是一条冲销记录，不能再冲销。"})
    if locked.is_reversed:
        raise ValidationError({"reason": "该记录已冲销。"})
    reversal = BenefitRecord.objects.create(
        member_id=locked.member_id, org_id=locked.org_id, org_path=locked.org_path, kind=locked.kind, festival=locked.festival,
        on=locked.on, form=locked.form, amount=-locked.amount, goods=locked.goods, illness=locked.illness,
        illness_index=locked.illness_index,
        batch=locked.batch, ruleset=locked.ruleset, reversal_of=locked, note=f"冲销：{reason}"[:200],
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    BenefitRecord.objects.filter(pk=locked.pk).update(is_reversed=True)
    record.is_reversed = True
    audit_record(actor=actor, action="benefit.reverse", obj=locked, org=locked.org, message=reason,
                 changes={"is_reversed": [False, True], "reversal": [None, reversal.pk]})
    return reversal


@audited("benefit.correct", object_type="benefits.BenefitRecord")
def benefit_correct(*, actor: Actor, record: BenefitRecord, reason: str, **new) -> BenefitRecord:
    """A correction: the record is reversed and a new one written, in one transaction."""
    benefit_reverse(actor=actor, record=record, reason=reason)
    member = Member.objects.select_related("org").get(pk=record.member_id)
    return benefit_create(actor=actor, member=member, **new)


@audited("benefit.illness.view", object_type="benefits.BenefitRecord")
def benefit_illness_reveal(*, actor: Actor, record: BenefitRecord, purpose: str = "查看") -> str:
    """The illness of a record, for a role with "benefits.sensitive"; every view is audited
    (the message names the record and the purpose, never the illness)."""
    actor.require("benefits.sensitive")
    actor.require_covers(record.org)
    if not record.illness:
        return ""
    audit_record(actor=actor, action="benefit.illness.view", obj=record, org=record.org,
                 message=f"{purpose}慰问记录中的病情信息（{record.member.name} {cn_date(record.on)}）")
    return str(record.illness)


@audited("benefit.import", object_type="benefits.BenefitRecord")
def benefit_import_write(*, actor: Actor, org: Org, plan: list[Planned], reasons: list[str], filename: str = "",
                         summary: str = "") -> list[BenefitRecord]:
    """Write imported rows, all or nothing, under the same rules as single records: the
    members are locked, the spending rules re-checked inside the lock, and a row that
    breaks them needs an override reason (at least 4 characters) from a role with
    "benefits.override"."""
    actor.require("benefits.manage")
    actor.require_covers(org)
    if len(plan) != len(reasons):
        raise ValidationError("导入数据有误，请重新导入。")
    for p in plan:
        actor.require_covers(p.member.org)
    _lock([p.member.pk for p in plan])
    fresh = {m.pk: m for m in Member.objects.filter(pk__in=[p.member.pk for p in plan]).select_related("org")}
    for p in plan:
        p.member = fresh[p.member.pk]
    errors = []
    for p in plan:
        problems = clean_planned(p)
        if problems:
            errors += [f"第{p.row}行：{m}" if p.row else m for m in problems.values()]
    if errors:
        raise ValidationError({"rows": errors})
    check = check_plan(plan)
    broken = defaultdict(list)
    for v in check.violations:
        broken[v.index].append(v)
    records, overrides = [], []
    for i, p in enumerate(plan):
        reason = ""
        if broken.get(i):
            sub = Check(plan=[p], violations=broken[i], rulesets=[check.rulesets[i]])
            try:
                reason = _refuse_or_override(actor, sub, reasons[i])
            except ValidationError as exc:
                raise ValidationError({"rows": [f"第{p.row}行：{m}" if p.row else m for m in exc.messages]}) from None
            except PermissionDenied:
                raise PermissionDenied(f"第{p.row}行超出慰问标准，须由有“批准超标准慰问”权限的人员导入并填写超标准说明。") from None
            overrides.append((len(records), sub))
        records.append(_record(p, actor=actor, ruleset=check.rulesets[i], violations=[v.message for v in broken.get(i, [])],
                               reason=reason))
    BenefitRecord.objects.bulk_create(records, batch_size=1000)
    for index, sub in overrides:
        r = records[index]
        _audit_override(actor, r.member.org, r, sub, r.override_reason)
    audit_record(actor=actor, action="benefit.import", object_type="benefits.BenefitRecord", org=org,
                 message=summary or f"新增{len(records)}", changes={"file": [None, filename]})
    return records


# --- batches ----------------------------------------------------------------------------------


@dataclass
class Preview:
    plan: list[Planned]
    check: Check
    excluded: list[tuple[Member, str]]
    errors: dict[str, str]

    @property
    def total(self) -> Decimal:
        return sum((Decimal(p.amount) for p in self.plan), Decimal(0))

    def rows(self):
        by_index = defaultdict(list)
        for v in self.check.violations:
            by_index[v.index].append(v.message)
        for i, p in enumerate(self.plan):
            yield p, by_index.get(i, [])


def batch_check(*, actor: Actor, members, selection: str, kind: str, on: dt.date, form: str, amount, festival: str = "",
                goods: str = "", illness: str = "") -> Preview:
    """Who would get what, and which rules it would break (nothing is written). For an
    eligibility selection, members excluded by the dues rule are left out and listed; for
    an explicit list they are violations like any other."""
    actor.require("benefits.manage")
    plan = [Planned(member=m, kind=kind, on=on, form=form, amount=amount, festival=festival or "", goods=goods, illness=illness)
            for m in members]
    errors: dict[str, str] = {}
    if plan:
        errors = {k: v for k, v in clean_planned(Planned(member=None, kind=kind, on=on, form=form, amount=amount,
                                                           festival=festival or "", illness=illness)).items()}
    else:
        errors["members"] = "没有符合条件的会员。"
    if errors:
        return Preview(plan=plan, check=Check(plan=plan), excluded=[], errors=errors)
    excluded: list[tuple[Member, str]] = []
    check = check_plan(plan)
    if selection != "list":
        dropped = {v.index for v in check.violations if v.code == "dues"}
        if dropped:
            excluded = [(plan[i].member, "未按时缴纳会费，不享受集体福利") for i in sorted(dropped)]
            plan = [p for i, p in enumerate(plan) if i not in dropped]
            check = check_plan(plan)
            if not plan:
                errors["members"] = "没有符合条件的会员（均未按时缴纳会费）。"
    return Preview(plan=plan, check=check, excluded=excluded, errors=errors)


@audited("benefit.batch", object_type="benefits.BenefitBatch")
def benefit_batch_create(
    *, actor: Actor, org: Org, title: str, selection: str, members, kind: str, on: dt.date, form: str, amount,
    festival: str = "", goods: str = "", illness: str = "", override_reason: str = "", selection_label: str = "",
) -> BenefitBatch:
    """One record per member, all or nothing."""
    actor.require("benefits.manage")
    actor.require_covers(org)
    members = list(members)
    for m in members:
        actor.require_covers(m.org)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写批次名称，如“2025年中秋节慰问”。"})
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"members": "名单中有重复的会员。"})
    _lock([m.pk for m in members])
    members = list(Member.objects.filter(pk__in=[m.pk for m in members]).select_related("org").order_by("org_path", "name_pinyin", "id"))
    preview = batch_check(actor=actor, members=members, selection=selection, kind=kind, on=on, form=form, amount=amount,
                          festival=festival, goods=goods, illness=illness)
    if preview.errors:
        raise ValidationError(preview.errors)
    reason = _refuse_or_override(actor, preview.check, override_reason)
    batch = BenefitBatch.objects.create(
        org=org, org_path=org.path, title=title[:100], kind=kind, festival=festival or "", on=on, form=form,
        amount=Decimal(amount), goods=(goods or "").strip()[:200], selection=(selection_label or selection)[:200],
        override_reason=reason, overridden_by=actor.user if reason and actor.user is not None and actor.user.pk else None,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    broken = defaultdict(list)
    for v in preview.check.violations:
        broken[v.index].append(v.message)
    records = [_record(p, actor=actor, ruleset=preview.check.rulesets[i], violations=broken.get(i, []), reason=reason, batch=batch)
               for i, p in enumerate(preview.plan)]
    BenefitRecord.objects.bulk_create(records, batch_size=1000)
    audit_record(actor=actor, action="benefit.batch", obj=batch, org=org,
                 message=f"{batch.title}：{len(records)}人，每人{yuan(batch.amount)}元，共{yuan(preview.total)}元"
                 + (f"；未缴会费不发放{len(preview.excluded)}人" if preview.excluded else ""),
                 changes={"records": [None, len(records)], "total": [None, preview.total]})
    if reason:
        _audit_override(actor, org, batch, preview.check, reason)
    return batch


# --- rule table -----------------------------------------------------------------------------

RULE_FIELDS = ("cap_per_event", "annual_cap", "goods_only", "once_per_illness", "requires_dues")
RULESET_FIELDS = ("name", "region", "effective_from", "effective_to", "notes")


def _require_maintains(actor: Actor, ruleset: RuleSet) -> None:
    actor.require("benefits.rules")
    if ruleset.org_id is None:
        if not actor.is_operator:
            raise PermissionDenied("全平台通用的慰问标准只能由平台运维人员维护；请复制为本单位的标准后修改。")
    else:
        actor.require_covers(ruleset.org)


def _clean_ruleset(values: dict, *, instance: RuleSet | None = None) -> dict:
    errors = {}
    values = {k: v for k, v in values.items() if k in RULESET_FIELDS}
    for key in ("name", "region", "notes"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "name" in values:
        if not values["name"]:
            errors["name"] = "请填写标准名称。"
        elif RuleSet.objects.filter(name=values["name"]).exclude(pk=getattr(instance, "pk", None)).exists():
            errors["name"] = f"已有名为“{values['name']}”的慰问标准。"
    if "region" in values and not values["region"]:
        errors["region"] = "请填写适用地区。"
    start = values.get("effective_from", getattr(instance, "effective_from", None))
    end = values.get("effective_to", getattr(instance, "effective_to", None))
    if "effective_from" in values and not start:
        errors["effective_from"] = "请填写生效日期。"
    elif start and end and end < start:
        errors["effective_to"] = "失效日期不能早于生效日期。"
    if errors:
        raise ValidationError(errors)
    return values


@audited("benefit.ruleset.create", object_type="benefits.RuleSet")
def ruleset_create(*, actor: Actor, org: Org, copy_from: RuleSet, **fields) -> RuleSet:
    """A union's own rule set, starting as a copy of one it can see."""
    actor.require("benefits.rules")
    actor.require_covers(org)
    values = _clean_ruleset({"name": "", "region": "", "effective_from": None, **fields})
    ruleset = RuleSet.objects.create(org=org, org_path=org.path, is_default=False, is_sample=False, **values)
    Rule.objects.bulk_create([Rule(ruleset=ruleset, **{f: getattr(r, f) for f in (*RULE_FIELDS, "kind")}) for r in copy_from.rules.all()])
    audit_record(actor=actor, action="benefit.ruleset.create", obj=ruleset, org=org,
                 message=f"新建慰问标准“{ruleset.name}”（复制自“{copy_from.name}”）")
    return ruleset


@audited("benefit.ruleset.update", object_type="benefits.RuleSet")
def ruleset_update(*, actor: Actor, ruleset: RuleSet, rules: dict[str, dict] | None = None, **fields) -> RuleSet:
    """Change a rule set's name, dates and notes, and its rules ({kind: {field: value}})."""
    _require_maintains(actor, ruleset)
    before = snapshot(ruleset, RULESET_FIELDS)
    values = _clean_ruleset(fields, instance=ruleset)
    for key, value in values.items():
        setattr(ruleset, key, value)
    changes = field_changes(before, snapshot(ruleset, RULESET_FIELDS))
    errors = {}
    current = {r.kind: r for r in ruleset.rules.all()}
    for kind, new in (rules or {}).items():
        if kind not in Kind.values:
            continue
        for cap in ("cap_per_event", "annual_cap"):
            if new.get(cap) is not None and Decimal(new[cap]) <= 0:
                errors[f"{kind}-{cap}"] = f"{Kind(kind).label}的上限应大于0（不设上限请留空）。"
        rule = current.get(kind) or Rule(ruleset=ruleset, kind=kind)
        old = snapshot(rule, RULE_FIELDS)
        for key in RULE_FIELDS:
            if key in new:
                setattr(rule, key, new[key])
        diff = field_changes(old, snapshot(rule, RULE_FIELDS))
        if diff or rule.pk is None:
            rule.save()
            changes.update({f"{kind}.{k}": v for k, v in diff.items()})
    if errors:
        raise ValidationError(errors)
    if not changes:
        return ruleset
    ruleset.save()
    audit_record(actor=actor, action="benefit.ruleset.update", obj=ruleset, org=ruleset.org, changes=changes,
                 message=f"修改慰问标准“{ruleset.name}”")
    return ruleset


@audited("benefit.ruleset.choose", object_type="benefits.RuleChoice")
def ruleset_choose(*, actor: Actor, org: Org, ruleset: RuleSet | None) -> RuleChoice | None:
    """The rule set `org` and its subtree work under; None: inherit from the higher union."""
    actor.require("benefits.rules")
    actor.require_covers(org)
    current = RuleChoice.objects.filter(org=org).first()
    old = current.ruleset_id if current else None
    if ruleset is None:
        if current:
            current.delete()
        audit_record(actor=actor, action="benefit.ruleset.choose", object_type="benefits.RuleChoice", object_id=str(org.pk),
                     org=org, changes={"ruleset": [old, None]}, message="改为沿用上级工会的慰问标准")
        return None
    if ruleset.org_id is not None and not org.path.startswith(ruleset.org_path):
        raise ValidationError({"ruleset": "只能选用全平台通用的标准，或本单位及上级工会维护的标准。"})
    choice, _ = RuleChoice.objects.update_or_create(
        org=org, defaults={"org_path": org.path, "ruleset": ruleset, "chosen_by": actor.user if actor.user and actor.user.pk else None}
    )
    audit_record(actor=actor, action="benefit.ruleset.choose", obj=choice, org=org, changes={"ruleset": [old, ruleset.pk]},
                 message=f"采用慰问标准“{ruleset.name}”")
    return choice

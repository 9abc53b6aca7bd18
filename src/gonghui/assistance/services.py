"""Writes to hardship archives and assistance records.

The tier rule (domain.md): per-capita monthly = (annual income − rigid expenses) ÷ 12 ÷
household size. Below the local 低保 line → 深度困难; below twice the line → 相对困难;
otherwise 意外致困 when a major accident or disaster applies, or when hardship spending is
above 80 % of the annual income. The rule only suggests: staff confirm or override it
with a reason, and both are audited. Comparisons are done in whole yuan-per-year terms
(no division), so the boundaries are exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.access.actor import Actor
from gonghui.assistance.choices import (
    ACCIDENT_CAUSES,
    MANAGED,
    NON_MEMBER,
    TRANSITIONS,
    VERIFY_EVERY_DAYS,
    Cause,
    Funding,
    Housing,
    Hukou,
    Insurance,
    Occasion,
    Recipient,
    Relation,
    Status,
    Step,
    Tier,
)
from gonghui.assistance.models import (
    AssistanceBatch,
    AssistanceRecord,
    DibaoLine,
    FamilyMember,
    Household,
    HouseholdSpell,
    RegionSetting,
)
from gonghui.audit.services import audit_record, field_changes, snapshot
from gonghui.core.formats import cn_date, yuan
from gonghui.core.services import audited
from gonghui.core.validators import mask_id, parse_resident_id
from gonghui.members.models import Member
from gonghui.orgs.models import Org

ARCHIVE_FIELDS = (
    "causes", "housing", "hukou", "insurance", "zero_employment", "single_parent", "size", "annual_income",
    "rigid_expenses", "hardship_spending", "health", "disability", "situation",
)
SENSITIVE = frozenset({"causes", "annual_income", "rigid_expenses", "hardship_spending", "health", "disability", "situation"})
MONEY_FIELDS = {"annual_income": "家庭年收入", "rigid_expenses": "刚性支出", "hardship_spending": "致困支出"}
ACCIDENT_SHARE = Decimal("0.8")
MAX_MONEY = Decimal("100000000")


# --- the tier rule ---------------------------------------------------------------------


def suggest_tier(*, income: Decimal | None, expenses: Decimal, size: int, line: Decimal | None,
                 causes=(), hardship_spending: Decimal | None = None) -> str:
    """The tier the rule suggests ("" when none applies). `line` is the monthly 低保 line.
    An unknown income (None, a blank field) is not an income of 0: the 低保 comparison and
    the 80 % spending test are skipped, and only an accident cause can suggest a tier."""
    if income is not None and line is not None and size >= 1:
        yearly_per_household = (income - expenses)  # compared with line × 12 × size
        limit = line * 12 * size
        if yearly_per_household < limit:
            return Tier.DEEP
        if yearly_per_household < 2 * limit:
            return Tier.RELATIVE
    if set(causes) & ACCIDENT_CAUSES:
        return Tier.ACCIDENT
    if income is not None and hardship_spending is not None and hardship_spending > ACCIDENT_SHARE * income:
        return Tier.ACCIDENT
    return ""


def per_capita_monthly(income: Decimal, expenses: Decimal, size: int) -> Decimal:
    return ((income - expenses) / 12 / max(size, 1)).quantize(Decimal("0.01"))


def region_of(org: Org) -> str:
    """The 低保 region of a union: its own setting or its nearest ancestor's."""
    settings = [s for s in RegionSetting.objects.filter(org_id__in=[*org.ancestor_ids, org.pk])]
    if not settings:
        return ""
    return max(settings, key=lambda s: len(s.org_path)).region_code


def dibao_line_for(org: Org, year: int) -> DibaoLine | None:
    """The line of the union's region for `year` (or the latest earlier year on file)."""
    code = region_of(org)
    if not code:
        return None
    return DibaoLine.objects.filter(region_code=code, year__lte=year).order_by("-year").first()


# --- helpers ---------------------------------------------------------------------------


def _money(value, label: str) -> str:
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}应为金额，如 36000 或 36000.50。") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_MONEY:
        raise ValidationError(f"{label}应为不小于0的金额。")
    return str(amount.quantize(Decimal("0.01")))


def _clean_archive(data: dict) -> dict:
    errors: dict[str, str] = {}
    values = {k: v for k, v in data.items() if k in ARCHIVE_FIELDS}
    if "causes" in values:
        causes = values["causes"]
        if isinstance(causes, str):
            causes = [c for c in causes.replace("，", ",").split(",") if c]
        bad = [c for c in causes if c not in Cause.values]
        if bad:
            errors["causes"] = f"致困原因“{'、'.join(bad)}”无效。"
        elif not causes:
            errors["causes"] = "请至少选择一项致困原因。"
        else:
            values["causes"] = "," + ",".join(sorted(set(causes), key=Cause.values.index)) + ","
    for key, choices, label in (("housing", Housing, "住房情况"), ("hukou", Hukou, "户口类型"), ("insurance", Insurance, "医保")):
        if values.get(key) and values[key] not in choices.values:
            errors[key] = f"请选择{label}。"
    if "size" in values:
        try:
            size = int(values["size"])
        except (TypeError, ValueError):
            size = 0
        if not 1 <= size <= 30:
            errors["size"] = "家庭人口应为1至30人。"
        values["size"] = size
    for key, label in MONEY_FIELDS.items():
        if key in values:
            try:
                values[key] = _money(values[key], label)
            except ValidationError as exc:
                errors[key] = exc.messages[0]
    for key in ("health", "disability", "situation"):
        if key in values:
            values[key] = (values[key] or "").strip()[:1000]
    for key in ("zero_employment", "single_parent"):
        if key in values:
            values[key] = bool(values[key])
    if errors:
        raise ValidationError(errors)
    return values


def _suggest(household: Household, on: dt.date) -> None:
    line = dibao_line_for(household.org, on.year)
    household.region_code = line.region_code if line else ""
    household.dibao_year = line.year if line else None
    household.suggested_tier = suggest_tier(
        income=household.income, expenses=household.expenses or Decimal(0), size=household.size,
        line=line.monthly_amount if line else None, causes=household.cause_list,
        hardship_spending=Decimal(household.hardship_spending) if household.hardship_spending else None,
    )


def _last_spell(household: Household) -> HouseholdSpell | None:
    return household.spells.order_by("-starts_on", "-id").first()


def _move(household: Household, *, step: str, status: str, tier: str, on: dt.date, actor: Actor, note: str = "") -> None:
    """Close the open spell and open the next one (same-day changes replace nothing: the
    zero-length spell they leave never counts as of any date)."""
    last = _last_spell(household)
    if last is not None and on < last.starts_on:
        raise ValidationError({"on": f"日期不能早于该档案上一次变动（{last.starts_on:%Y-%m-%d}）。"})
    HouseholdSpell.objects.filter(household=household, ends_on__isnull=True).update(ends_on=on)
    HouseholdSpell.objects.create(
        household=household, org=household.org, org_path=household.org_path, status=status, tier=tier, step=step,
        starts_on=on, note=note[:200], created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )


def _check_date(on: dt.date | None, field: str = "on") -> dt.date:
    if on is None:
        raise ValidationError({field: "请填写日期。"})
    if on > dt.date.today():
        raise ValidationError({field: "日期不能晚于今天。"})
    return on


# --- archives --------------------------------------------------------------------------


@audited("hardship.create", object_type="assistance.Household")
def household_create(*, actor: Actor, head: Member, on: dt.date | None = None, self_applied: bool = False, **fields) -> Household:
    """A new archive, at 申请, headed by `head` (a member of the actor's subtree)."""
    if not self_applied:
        actor.require("assistance.manage")
    elif not actor.can("self.member") or actor.user is None or head.user_id != actor.user.pk:
        raise PermissionDenied("只能为本人提出申请。")
    actor.require_covers(head.org)
    on = _check_date(on or dt.date.today(), "applied_on")
    if Household.objects.filter(head=head).exists():
        raise ValidationError({"head": f"“{head.name}”已有困难职工档案，请在原档案中更新。"})
    from gonghui.members.choices import GOOD_STANDING

    if head.status not in GOOD_STANDING:
        raise ValidationError({"head": f"“{head.name}”的会籍状态为“{head.get_status_display()}”，不能建立困难档案。"})
    fields.setdefault("causes", [])
    fields.setdefault("size", 1)
    values = _clean_archive(fields)
    household = Household(org=head.org, org_path=head.org.path, head=head, applied_on=on, self_applied=self_applied,
                          status=Status.APPLIED, **values)
    _suggest(household, on)
    household.save()
    _move(household, step=Step.APPLY, status=Status.APPLIED, tier="", on=on, actor=actor, note="本人申请" if self_applied else "")
    audit_record(actor=actor, action="hardship.create", obj=household,
                 changes=field_changes({}, snapshot(household, ARCHIVE_FIELDS), sensitive=SENSITIVE),
                 message=f"{head.name}{'（本人申请）' if self_applied else ''}")
    return household


@audited("hardship.apply", object_type="assistance.Household")
def household_apply(*, actor: Actor, member: Member, **fields) -> Household:
    """A member's own application from the self-service login."""
    actor.require("self.member")
    if actor.user is None or member.user_id != actor.user.pk:
        raise PermissionDenied("只能为本人提出申请。")
    return household_create(actor=actor, head=member, self_applied=True, **fields)


@audited("hardship.update", object_type="assistance.Household")
def household_update(*, actor: Actor, household: Household, **fields) -> Household:
    actor.require("assistance.manage")
    actor.require_covers(household.org)
    before = snapshot(household, ARCHIVE_FIELDS)
    for key, value in _clean_archive(fields).items():
        setattr(household, key, value)
    changes = field_changes(before, snapshot(household, ARCHIVE_FIELDS), sensitive=SENSITIVE)
    if not changes:
        return household
    _suggest(household, dt.date.today())
    household.save()
    audit_record(actor=actor, action="hardship.update", obj=household, changes=changes)
    return household


FAMILY_FIELDS = ("relation", "name", "id_number", "income", "school_or_work", "health", "disability")
FAMILY_SENSITIVE = frozenset({"id_number", "income", "health", "disability"})


def _clean_family(*, relation: str, name: str, id_number: str = "", income="", school_or_work: str = "", health: str = "",
                  disability: str = "") -> dict:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写姓名。"
    if relation not in Relation.values:
        errors["relation"] = "请选择与户主关系。"
    number = ""
    if (id_number or "").strip():
        try:
            number = parse_resident_id(id_number).number
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    try:
        income = _money(income, "年收入")
    except ValidationError as exc:
        errors["income"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    return {"relation": relation, "name": name[:50], "id_number": number, "income": income,
            "school_or_work": (school_or_work or "").strip()[:100], "health": (health or "").strip()[:500],
            "disability": (disability or "").strip()[:500]}


@audited("hardship.family", object_type="assistance.Household")
def family_member_add(*, actor: Actor, household: Household, relation: str, name: str, id_number: str = "",
                      income="", school_or_work: str = "", health: str = "", disability: str = "") -> FamilyMember:
    actor.require("assistance.manage")
    actor.require_covers(household.org)
    values = _clean_family(relation=relation, name=name, id_number=id_number, income=income, school_or_work=school_or_work,
                           health=health, disability=disability)
    number = values["id_number"]
    person = FamilyMember.objects.create(household=household, id_masked=mask_id(number) if number else "", **values)
    audit_record(actor=actor, action="hardship.family", obj=household,
                 changes={"family": [None, f"{Relation(relation).label} {values['name']}"], "id_number": [None, "******"]})
    return person


@audited("hardship.family", object_type="assistance.Household")
def family_member_update(*, actor: Actor, person: FamilyMember, **fields) -> FamilyMember:
    """Change the given fields of a family member (the others keep their values); saved
    and audited only when something differs."""
    actor.require("assistance.manage")
    actor.require_covers(person.household.org)
    unknown = set(fields) - set(FAMILY_FIELDS)
    if unknown:
        raise ValidationError(f"无法修改家庭成员的“{'、'.join(sorted(unknown))}”。")
    before = snapshot(person, FAMILY_FIELDS)
    values = _clean_family(**{**before, **fields})
    changes = field_changes(before, values, sensitive=FAMILY_SENSITIVE)
    if not changes:
        return person
    for key, value in values.items():
        setattr(person, key, value)
    person.id_masked = mask_id(person.id_number) if person.id_number else ""
    person.save()
    audit_record(actor=actor, action="hardship.family", obj=person.household, changes=changes,
                 message=f"修改家庭成员 {person.get_relation_display()} {person.name}")
    return person


@audited("hardship.family", object_type="assistance.Household")
def family_member_remove(*, actor: Actor, person: FamilyMember) -> None:
    actor.require("assistance.manage")
    actor.require_covers(person.household.org)
    audit_record(actor=actor, action="hardship.family", obj=person.household,
                 changes={"family": [f"{person.get_relation_display()} {person.name}", None]})
    person.delete()


@audited("hardship.tier", object_type="assistance.Household")
def household_confirm_tier(*, actor: Actor, household: Household, tier: str, reason: str = "", on: dt.date | None = None) -> Household:
    """Staff confirm the suggested tier, or choose another with a reason."""
    actor.require("assistance.manage")
    actor.require_covers(household.org)
    reason = (reason or "").strip()
    if tier not in Tier.values:
        raise ValidationError({"tier": "请选择困难类别。"})
    if household.status in (Status.CLOSED, Status.REJECTED):
        raise ValidationError({"tier": f"“{household.get_status_display()}”的档案不能调整困难类别。"})
    if tier != household.suggested_tier and not reason:
        suggested = Tier(household.suggested_tier).label if household.suggested_tier else "不符合困难标准"
        raise ValidationError({"reason": f"系统建议为“{suggested}”，选择“{Tier(tier).label}”请填写理由。"})
    on = _check_date(on or dt.date.today())
    old = household.tier
    household.tier = tier
    household.override_reason = reason[:200] if tier != household.suggested_tier else ""
    household.save(update_fields=["tier", "override_reason", "updated_at"])
    if old != tier:
        _move(household, step=Step.TIER, status=household.status, tier=tier, on=on, actor=actor, note=reason)
    audit_record(actor=actor, action="hardship.tier", obj=household, changes={"tier": [old, tier]},
                 message=("确认系统建议" if tier == household.suggested_tier else f"调整类别：{reason}"))
    return household


STEP_LABELS = {s: Step(s).label for s in TRANSITIONS}


@audited("hardship.transition", object_type="assistance.Household")
def household_transition(*, actor: Actor, household: Household, step: str, on: dt.date | None = None, reason: str = "") -> Household:
    """审核, 建档, 不予建档, 开始帮扶, 脱困 (date and reason) or 返困 (reopens)."""
    actor.require("assistance.manage")
    actor.require_covers(household.org)
    if step not in TRANSITIONS:
        raise ValidationError({"step": "请选择办理事项。"})
    allowed, new_status = TRANSITIONS[step]
    label = Step(step).label
    if household.status not in allowed:
        raise ValidationError({"step": f"“{household.get_status_display()}”状态的档案不能办理“{label}”。"})
    reason = (reason or "").strip()
    if step in (Step.CLOSE, Step.RETURN, Step.REJECT) and not reason:
        raise ValidationError({"reason": f"办理“{label}”请填写原因。"})
    if step == Step.FILE and not household.tier:
        raise ValidationError({"step": "建档前请先确定困难类别。"})
    on = _check_date(on or dt.date.today())
    if step == Step.RETURN and household.closed_on and on < household.closed_on:
        raise ValidationError({"on": "返困日期不能早于脱困日期。"})
    old = household.status
    _move(household, step=step, status=new_status, tier=household.tier, on=on, actor=actor, note=reason)
    household.status = new_status
    if step == Step.FILE:
        household.filed_on = household.filed_on or on
        household.last_verified_on = on
    elif step == Step.CLOSE:
        household.closed_on, household.close_reason = on, reason[:200]
    elif step == Step.RETURN:
        household.closed_on, household.close_reason = None, ""
        household.last_verified_on = on
    elif step == Step.REAPPLY:
        household.applied_on = on
    household.save()
    audit_record(actor=actor, action="hardship.transition", obj=household, changes={"status": [old, new_status]},
                 message=f"{label} {on:%Y-%m-%d} {reason}".strip())
    return household


@audited("hardship.transfer", object_type="assistance.Household")
def household_follow_member(*, actor: Actor, member: Member, from_org: Org, to_org: Org, on: dt.date) -> Household | None:
    """A MEMBER_MOVED_HOOKS hook: the archive headed by a member who transfers moves with
    them to the new union, with a spell there from `on` keeping its status and tier. It
    runs inside the confirmation of the transfer, whose actor holds member.manage."""
    household = Household.objects.select_for_update().filter(head=member).first()
    if household is None or household.org_id == to_org.pk:
        return household
    old_org = household.org
    household.org, household.org_path = to_org, to_org.path
    household.save(update_fields=["org", "org_path", "updated_at"])
    last = _last_spell(household)
    on = max(on, last.starts_on) if last is not None else on
    _move(household, step=Step.TRANSFER, status=household.status, tier=household.tier, on=on, actor=actor,
          note=f"{old_org.name} → {to_org.name}")
    audit_record(actor=actor, action="hardship.transfer", obj=household, org=to_org,
                 changes={"org": [old_org.pk, to_org.pk]}, message=f"随会员转会：{old_org.name} → {to_org.name}")
    return household


@audited("hardship.apply", object_type="assistance.Household")
def household_reapply(*, actor: Actor, member: Member, **fields) -> Household:
    """A member whose application was not accepted (不予建档) applies again from the
    self-service login: the same archive (one per head) goes back to 申请 with the new details."""
    actor.require("self.member")
    if actor.user is None or member.user_id != actor.user.pk:
        raise PermissionDenied("只能为本人提出申请。")
    household = Household.objects.select_for_update().filter(head=member).first()
    if household is None or household.status != Status.REJECTED:
        raise ValidationError("只有未予建档的申请可以重新提出。")
    on = dt.date.today()
    before = snapshot(household, ARCHIVE_FIELDS)
    for key, value in _clean_archive(fields).items():
        setattr(household, key, value)
    _suggest(household, on)
    _move(household, step=Step.REAPPLY, status=Status.APPLIED, tier=household.tier, on=on, actor=actor, note="本人重新申请")
    household.status, household.applied_on, household.self_applied = Status.APPLIED, on, True
    household.save()
    audit_record(actor=actor, action="hardship.apply", obj=household,
                 changes={"status": [Status.REJECTED, Status.APPLIED],
                          **field_changes(before, snapshot(household, ARCHIVE_FIELDS), sensitive=SENSITIVE)},
                 message=f"{member.name}（本人重新申请）")
    return household


@audited("hardship.verify", object_type="assistance.Household")
def household_verify(*, actor: Actor, household: Household, on: dt.date | None = None, note: str = "") -> Household:
    """The yearly re-verification (动态管理核实)."""
    actor.require("assistance.manage")
    actor.require_covers(household.org)
    if household.status not in MANAGED:
        raise ValidationError({"on": "只有在册管理的档案需要年度核实。"})
    on = _check_date(on or dt.date.today())
    old = household.last_verified_on
    household.last_verified_on = on
    household.save(update_fields=["last_verified_on", "updated_at"])
    audit_record(actor=actor, action="hardship.verify", obj=household, changes={"last_verified_on": [old, on]}, message=note[:200])
    return household


@audited("hardship.view", object_type="assistance.Household")
def household_view_sensitive(*, actor: Actor, household: Household) -> Household:
    """Record that someone looked at a household's income, health and family details."""
    actor.require("assistance.sensitive")
    actor.require_covers(household.org)
    audit_record(actor=actor, action="hardship.view", obj=household, message="查看困难家庭收入、健康等敏感信息")
    return household


@audited("assistance.region", object_type="assistance.RegionSetting")
def region_set(*, actor: Actor, org: Org, region_code: str) -> RegionSetting:
    """Which 低保 region `org` (and the unions below it that set none) uses."""
    actor.require("assistance.manage")
    actor.require_covers(org)
    code = (region_code or "").strip()
    if not code:
        raise ValidationError({"region_code": "请选择低保地区。"})
    if not DibaoLine.objects.filter(region_code=code).exists():
        raise ValidationError({"region_code": f"没有地区代码“{code}”的低保标准，请先录入。"})
    old = RegionSetting.objects.filter(org=org).values_list("region_code", flat=True).first()
    setting, _ = RegionSetting.objects.update_or_create(org=org, defaults={"org_path": org.path, "region_code": code})
    if old != code:
        audit_record(actor=actor, action="assistance.region", obj=setting, org=org, changes={"region_code": [old, code]})
    return setting


MAX_DIBAO = Decimal("20000")  # yuan per person-month; a larger figure is almost surely a yearly one


def dibao_year_range() -> tuple[int, int]:
    """Years a 低保 line may be entered for: from 2000 to next year (lines are announced ahead)."""
    return 2000, dt.date.today().year + 1


def dibao_editable(actor: Actor) -> bool:
    """The lines are shared by every union: only an installation-wide administrator edits them."""
    return actor.can("assistance.manage") and (
        actor.is_operator or (actor.role == "sysadmin" and actor.org is not None and actor.org.parent_id is None))


@audited("assistance.dibao", object_type="assistance.DibaoLine")
def dibao_line_save(*, actor: Actor, region_code: str, region_name: str, year: int, monthly_amount, note: str = "",
                    line: DibaoLine | None = None) -> DibaoLine:
    """Add a line, or change `line` (its region and year stay; saving confirms a sample)."""
    actor.require("assistance.manage")
    if not dibao_editable(actor):
        raise PermissionDenied("低保标准由平台最高一级的系统管理员维护。")
    if line is not None:
        region_code, year = line.region_code, line.year
    errors = {}
    region_code = str(region_code or "").strip()
    if not (region_code.isdigit() and region_code.isascii() and len(region_code) in (6, 12)):
        errors["region_code"] = "地区代码应为6位（或12位）数字行政区划代码，如 330100。"
    region_name = str(region_name or "").strip()
    if not region_name:
        errors["region_name"] = "请填写地区名称。"
    elif len(region_name) > 50:
        errors["region_name"] = "地区名称不能超过50个字。"
    first, last = dibao_year_range()
    if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= last:
        errors["year"] = f"年度应为{first}年至{last}年之间的四位年份。"
    try:
        amount = Decimal(str(monthly_amount if monthly_amount is not None else "").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        errors["monthly_amount"] = "低保标准应为金额（元/人·月），如 1185。"
    elif amount <= 0:
        errors["monthly_amount"] = "低保标准应大于0。"
    elif amount > MAX_DIBAO:
        errors["monthly_amount"] = f"低保标准是每人每月的金额，不能超过{MAX_DIBAO:,}元；请检查是否填成了年标准。"
    else:
        amount = amount.quantize(Decimal("0.01"))
    if line is None and "region_code" not in errors and "year" not in errors \
            and DibaoLine.objects.filter(region_code=region_code, year=year).exists():
        errors["year"] = f"地区代码{region_code}已有{year}年的低保标准，请在列表中修改。"
    if errors:
        raise ValidationError(errors)
    note = str(note or "").strip()[:200]
    if line is None:
        line = DibaoLine.objects.create(region_code=region_code, region_name=region_name, year=year, monthly_amount=amount,
                                        note=note)
        audit_record(actor=actor, action="assistance.dibao", obj=line,
                     changes={"monthly_amount": [None, amount]}, message=f"新增{region_name}{year}年低保标准")
        return line
    before = {"region_name": line.region_name, "monthly_amount": line.monthly_amount, "is_sample": line.is_sample, "note": line.note}
    line.region_name, line.monthly_amount, line.is_sample, line.note = region_name, amount, False, note
    after = {"region_name": region_name, "monthly_amount": amount, "is_sample": False, "note": note}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        line.save()
        audit_record(actor=actor, action="assistance.dibao", obj=line, changes=changes,
                     message=f"修改{region_name}{year}年低保标准" + ("（确认示例数据）" if before["is_sample"] else ""))
    return line


def hardship_block_deactivation(org: Org) -> str:
    n = Household.objects.filter(org=org, status__in=[Status.APPLIED, Status.REVIEWING, *MANAGED]).count()
    if n:
        return f"该工会还有{n}户在管或待审核的困难职工档案，请先办理脱困或移交。"
    return ""


# --- assistance records ----------------------------------------------------------------


def _clean_package(*, on, occasion, cash, goods, funding, partner_name) -> tuple[Decimal, list, Decimal, str]:
    errors: dict[str, str] = {}
    if on is None:
        errors["on"] = "请填写日期。"
    elif on > dt.date.today() + dt.timedelta(days=30):
        errors["on"] = "日期不能晚于30天后。"
    if occasion not in Occasion.values:
        errors["occasion"] = "请选择帮扶类型。"
    if funding not in Funding.values:
        errors["funding"] = "请选择资金来源。"
    partner_name = (partner_name or "").strip()
    if funding == Funding.PARTNER and not partner_name:
        errors["partner_name"] = "资金来源为合作单位时，请填写合作单位名称。"
    try:
        cash_value = Decimal(_money(cash, "现金金额") or "0")
    except ValidationError as exc:
        errors["cash"], cash_value = exc.messages[0], Decimal(0)
    items, goods_value = [], Decimal(0)
    for i, g in enumerate(goods or [], start=1):
        item = str(g.get("item", "")).strip()
        if not item:
            continue
        try:
            quantity = Decimal(str(g.get("quantity") or "1"))
            value = Decimal(_money(g.get("value"), f"第{i}项物品价值") or "0")
            if quantity <= 0 or not quantity.is_finite():
                raise ValidationError("数量应大于0。")
        except (ValidationError, InvalidOperation) as exc:
            errors["goods"] = f"第{i}项物品：" + (exc.messages[0] if isinstance(exc, ValidationError) else "数量应为数字。")
            continue
        items.append({"item": item[:30], "quantity": str(quantity.normalize()), "unit": str(g.get("unit", "")).strip()[:10], "value": str(value)})
        goods_value += value
    if not errors and cash_value == 0 and goods_value == 0:
        errors["cash"] = "请填写现金金额或物品及其价值。"
    if errors:
        raise ValidationError(errors)
    return cash_value, items, goods_value, partner_name[:100]


def _new_record(*, actor, org, household, member, on, occasion, cash, items, goods_value, funding, partner_name,
                handled_by, note, batch=None, import_key="", beneficiary: dict | None = None) -> AssistanceRecord:
    """`beneficiary` (from `clean_beneficiary`) names a non-member instead of `member`."""
    return AssistanceRecord.objects.create(
        org=org, org_path=org.path, on=on, occasion=occasion, household=household, member=member, cash=cash, goods=items,
        goods_value=goods_value, funding=funding, partner_name=partner_name, handled_by=(handled_by or "").strip()[:50],
        note=(note or "").strip()[:200], batch=batch, import_key=import_key,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
        **(beneficiary or {"recipient": Recipient.MEMBER}),
    )


# --- beneficiaries who are not members ------------------------------------------------------

MAX_REACHED = 100000  # households or people one record may say it reached


def _count(value, label: str, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ValidationError(f"请填写{label}。")
        return None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{label}应为整数。") from None
    if n < 1 or n > MAX_REACHED:
        raise ValidationError(f"{label}应为1至{MAX_REACHED}之间的整数。")
    return n


def clean_beneficiary(*, recipient: str, name: str, id_number: str = "", households=None, people=None) -> dict:
    """The record fields naming a non-member beneficiary, checked: a resident needs a name
    and a valid resident ID number (GB 11643 check digit); a village or group of
    households needs its name and how many households it reached (people optional, not
    fewer than households). ValidationError keyed by field, in Chinese."""
    errors: dict[str, str] = {}
    if recipient not in NON_MEMBER:
        raise ValidationError({"recipient": "请选择受助对象：非会员居民，或包联村/群众户组。"})
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = "请填写受助居民的姓名。" if recipient == Recipient.RESIDENT else "请填写包联村或群众户组的名称，如“包联村红星村”。"
    elif len(name) > (50 if recipient == Recipient.RESIDENT else 100):
        errors["name"] = "姓名不能超过50个字。" if recipient == Recipient.RESIDENT else "名称不能超过100个字。"
    values: dict = {"recipient": recipient, "recipient_name": name, "id_number": "", "id_hash": "", "id_masked": "",
                    "households_reached": None, "people_reached": None}
    if recipient == Recipient.RESIDENT:
        if not str(id_number or "").strip():
            errors["id_number"] = "请填写受助居民的身份证号。"
        else:
            try:
                number = parse_resident_id(id_number).number
            except ValidationError as exc:
                errors["id_number"] = exc.messages[0]
            else:
                from gonghui.members.models import id_hash

                values.update(id_number=number, id_hash=id_hash(number), id_masked=mask_id(number))
    else:
        try:
            values["households_reached"] = _count(households, "受助户数", required=True)
        except ValidationError as exc:
            errors["households"] = exc.messages[0]
        try:
            values["people_reached"] = _count(people, "受助人数", required=False)
        except ValidationError as exc:
            errors["people"] = exc.messages[0]
        if (values["households_reached"] and values["people_reached"]
                and values["people_reached"] < values["households_reached"]):
            errors["people"] = "受助人数不能少于受助户数。"
    if errors:
        raise ValidationError(errors)
    return values


MEMBER_NOT_RESIDENT = "该身份证号是本工会（或下级工会）的会员，请按会员登记帮扶，不能作为非会员居民。"


def _is_member_of(org: Org, hashed: str) -> bool:
    return Member.objects.filter(org_path__startswith=org.path, id_hash=hashed).exists()


def members_among(org: Org, hashes) -> set[str]:
    """Those of the ID hashes that are members of `org` or a union under it (one query)."""
    hashes = {h for h in hashes if h}
    if not hashes:
        return set()
    return set(Member.objects.filter(org_path__startswith=org.path, id_hash__in=hashes).values_list("id_hash", flat=True))


def _beneficiary_of(record: AssistanceRecord) -> dict:
    """The beneficiary fields of a record, to repeat on its reversal or correction."""
    return {"recipient": record.recipient, "recipient_name": record.recipient_name, "id_number": record.id_number,
            "id_hash": record.id_hash, "id_masked": record.id_masked, "households_reached": record.households_reached,
            "people_reached": record.people_reached}


@audited("assistance.create_nonmember", object_type="assistance.AssistanceRecord")
def nonmember_record_create(*, actor: Actor, org: Org, recipient: str, name: str, on: dt.date, occasion: str, funding: str,
                            id_number: str = "", households=None, people=None, cash=0, goods=(), partner_name: str = "",
                            handled_by: str = "", note: str = "", import_key: str = "",
                            member_hashes: Collection[str] | None = None) -> AssistanceRecord:
    """One record for a beneficiary who is not a member: a resident the union helped (a
    community union's 困难居民) or a paired village / group of households (a 机关 union's
    包联村). Counted apart from members everywhere. `member_hashes`: an importer that has
    loaded `members_among(org, …)` for all its rows' ID hashes passes that set, and the
    resident's number is checked against it instead of with one query per row."""
    actor.require("assistance.manage")
    actor.require_covers(org)
    if not org.is_active:
        raise ValidationError({"org": f"“{org.name}”已停用，不能登记帮扶。"})
    errors: dict = {}
    try:
        who = clean_beneficiary(recipient=recipient, name=name, id_number=id_number, households=households, people=people)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        cash, items, goods_value, partner_name = _clean_package(on=on, occasion=occasion, cash=cash, goods=goods,
                                                                funding=funding, partner_name=partner_name)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not errors and who["id_hash"] and (who["id_hash"] in member_hashes if member_hashes is not None
                                          else _is_member_of(org, who["id_hash"])):
        errors["id_number"] = MEMBER_NOT_RESIDENT
    if errors:
        raise ValidationError(errors)
    record = _new_record(actor=actor, org=org, household=None, member=None, on=on, occasion=occasion, cash=cash, items=items,
                         goods_value=goods_value, funding=funding, partner_name=partner_name, handled_by=handled_by, note=note,
                         import_key=import_key, beneficiary=who)
    reached = f"，{who['households_reached']}户" if who["households_reached"] else ""
    audit_record(actor=actor, action="assistance.create_nonmember", obj=record, org=org,
                 changes={"recipient": [None, recipient], "id_number": [None, "******" if who["id_number"] else ""],
                          "cash": [None, cash], "goods_value": [None, goods_value]},
                 message=f"{Occasion(occasion).label} {Recipient(recipient).label} {who['recipient_name']}{reached}")
    return record


@audited("assistance.reveal", object_type="assistance.AssistanceRecord")
def record_reveal_id(*, actor: Actor, record: AssistanceRecord) -> str:
    """The full ID number of a non-member resident, for a role that may see members' full
    numbers (member.reveal); always audited, exactly like member_reveal."""
    actor.require("assistance.view")
    actor.require("member.reveal")
    actor.require_covers(record.org)
    if record.recipient != Recipient.RESIDENT or not record.id_number:
        raise ValidationError("该记录没有非会员居民的身份证号。")
    audit_record(actor=actor, action="assistance.reveal", obj=record, org=record.org,
                 message=f"查看受助居民{record.recipient_name}的完整身份证号")
    return record.id_number


@audited("assistance.create", object_type="assistance.AssistanceRecord")
def record_create(*, actor: Actor, on: dt.date, occasion: str, funding: str, household: Household | None = None,
                  member: Member | None = None, cash=0, goods=(), partner_name: str = "", handled_by: str = "",
                  note: str = "", import_key: str = "") -> AssistanceRecord:
    """One record for a household (its head signs) or for a member without an archive."""
    actor.require("assistance.manage")
    if household is None and member is None:
        raise ValidationError({"member": "请选择受助的困难户或会员。"})
    member = household.head if household is not None else member
    org = household.org if household is not None else member.org
    actor.require_covers(org)
    cash, items, goods_value, partner_name = _clean_package(on=on, occasion=occasion, cash=cash, goods=goods,
                                                            funding=funding, partner_name=partner_name)
    record = _new_record(actor=actor, org=org, household=household, member=member, on=on, occasion=occasion, cash=cash,
                         items=items, goods_value=goods_value, funding=funding, partner_name=partner_name,
                         handled_by=handled_by, note=note, import_key=import_key)
    audit_record(actor=actor, action="assistance.create", obj=record,
                 changes={"member": [None, member.pk], "cash": [None, cash], "goods_value": [None, goods_value]},
                 message=f"{Occasion(occasion).label} {member.name}")
    return record


# --- batches: preview, then confirm -----------------------------------------------------------

PLAN_SALT = "gonghui.assistance.batch-plan"
PACKAGE_LABELS = {"org": "发放工会", "title": "批次名称", "on": "发放日期", "occasion": "帮扶类型", "funding": "资金来源",
                  "partner_name": "合作单位", "handled_by": "经办人", "note": "说明", "cash": "现金（元）", "goods": "物品"}


class PlanChanged(ValidationError):
    """The confirmation of a batch found the plan different from the preview the user saw."""


@dataclass
class PlanRow:
    household: Household | None  # None for a non-member resident (`resident`)
    cash: Decimal
    goods_value: Decimal
    warnings: list[str] = field(default_factory=list)
    problem: str = ""  # why this household cannot be given the batch
    resident: dict | None = None  # the cleaned beneficiary fields of a non-member resident

    @property
    def total(self) -> Decimal:
        return self.cash + self.goods_value

    @property
    def name(self) -> str:
        return self.household.head.name if self.household is not None else (self.resident or {}).get("recipient_name", "")

    @property
    def is_member(self) -> bool:
        return self.household is not None


@dataclass
class BatchPlan:
    """What a batch would write (nothing is written to build it) and what to check first."""

    org: Org | None
    title: str
    package: dict
    rows: list[PlanRow]
    errors: dict[str, str]

    @property
    def per_household(self) -> Decimal:
        return self.package["cash"] + self.package["goods_value"]

    @property
    def cash_total(self) -> Decimal:
        return sum((r.cash for r in self.rows), Decimal(0))

    @property
    def goods_total(self) -> Decimal:
        return sum((r.goods_value for r in self.rows), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.cash_total + self.goods_total

    @property
    def warnings(self) -> list[str]:
        return [f"{r.name}：{w}" for r in self.rows for w in r.warnings]

    @property
    def residents(self) -> int:
        return sum(1 for r in self.rows if not r.is_member)

    def snapshot(self) -> dict:
        """Everything the confirmation must find unchanged: the package, and per household
        its state and the warnings shown for it."""
        p = self.package
        return {
            "org": self.org.pk if self.org else None, "title": self.title, "on": p["on"].isoformat() if p["on"] else "",
            "occasion": p["occasion"], "funding": p["funding"], "partner_name": p["partner_name"], "handled_by": p["handled_by"],
            "note": p["note"], "cash": str(p["cash"]), "goods": p["items"],
            "households": [[r.household.pk, r.household.status, r.household.org_id, r.household.tier, r.warnings]
                           for r in sorted((r for r in self.rows if r.is_member), key=lambda r: r.household.pk)],
            "residents": [[r.resident["id_hash"], r.resident["recipient_name"], r.warnings]
                          for r in sorted((r for r in self.rows if not r.is_member), key=lambda r: r.resident["id_hash"])],
        }

    @property
    def token(self) -> str:
        return signing.dumps(self.snapshot(), salt=PLAN_SALT, compress=True)


def verification_overdue(household: Household, today: dt.date) -> bool:
    # the same cutoff as the 待年度核实 list (selectors.due_filter)
    return household.status in MANAGED and (
        household.last_verified_on is None or household.last_verified_on <= today - dt.timedelta(days=VERIFY_EVERY_DAYS))


def _plan(*, actor: Actor, org: Org, title: str, households, on, occasion, funding, cash, goods, partner_name,
          handled_by, note, residents=()) -> BatchPlan:
    from gonghui.members.choices import GOOD_STANDING

    title = (title or "").strip()[:100]
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "请填写批次名称，如“2025年元旦春节送温暖”。"
    try:
        cash, items, goods_value, partner_name = _clean_package(on=on, occasion=occasion, cash=cash, goods=goods,
                                                                funding=funding, partner_name=partner_name)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        cash, items, goods_value, partner_name = Decimal(0), [], Decimal(0), (partner_name or "").strip()[:100]
    package = {"on": on, "occasion": occasion, "funding": funding, "cash": cash, "items": items, "goods_value": goods_value,
               "partner_name": partner_name, "handled_by": (handled_by or "").strip()[:50], "note": (note or "").strip()[:200]}
    households = list(households)
    residents = list(residents or ())
    if not households and not residents:
        errors["households"] = "请选择至少一户困难职工，或填写非会员居民名单。"
    today = dt.date.today()
    received: dict[int, list[AssistanceRecord]] = {}
    if on is not None and occasion in Occasion.values and households:
        earlier = AssistanceRecord.objects.filter(household_id__in=[h.pk for h in households], occasion=occasion,
                                                  on__year=on.year, reversal_of__isnull=True, reversal__isnull=True)
        for r in earlier.order_by("on", "id"):
            received.setdefault(r.household_id, []).append(r)
    rows, seen = [], set()
    for h in households:
        name, problem = h.head.name, ""
        if h.pk in seen:
            errors["households"] = problem = f"“{name}”重复选择。"
        seen.add(h.pk)
        if not actor.covers(h.org) or not h.org_path.startswith(org.path):
            errors["households"] = problem = "所选困难户不在该工会之下。"
        elif h.status not in MANAGED:
            errors["households"] = problem = f"“{name}”的档案状态为“{h.get_status_display()}”，不在帮扶范围内。"
        warnings = []
        if verification_overdue(h, today):
            last = cn_date(h.last_verified_on) if h.last_verified_on else "从未核实"
            warnings.append(f"档案逾期未年度核实（最近核实：{last}）")
        if h.status == Status.FILED:
            warnings.append("发放后档案状态由“建档”转为“帮扶中”")
        if h.head.status not in GOOD_STANDING:
            warnings.append(f"户主会籍状态为“{h.head.get_status_display()}”")
        for r in received.get(h.pk, []):
            warnings.append(f"本年度已领取过{Occasion(occasion).label}（{cn_date(r.on)}，{yuan(r.total)}元）")
        rows.append(PlanRow(household=h, cash=cash, goods_value=goods_value, warnings=warnings, problem=problem))
    rows += _resident_rows(org=org, residents=residents, on=on, occasion=occasion, cash=cash, goods_value=goods_value,
                           errors=errors)
    return BatchPlan(org=org, title=title, package=package, rows=rows, errors=errors)


def _resident_rows(*, org: Org, residents: list, on, occasion, cash, goods_value, errors: dict) -> list[PlanRow]:
    """The plan rows of non-member residents ({"name", "id_number"} each), checked like a
    single record; the same person twice, or a bad ID number, refuses the batch."""
    rows, seen, problems = [], {}, []
    cleaned = []
    people = []
    for i, person in enumerate(residents, start=1):
        name = str(person.get("name") or "").strip()
        try:
            people.append((i, name, clean_beneficiary(recipient=Recipient.RESIDENT, name=name,
                                                      id_number=person.get("id_number", "")), None))
        except ValidationError as exc:
            people.append((i, name, None, exc))
    members = members_among(org, [who["id_hash"] for _, _, who, _ in people if who is not None])
    for i, name, who, exc in people:
        if exc is not None:
            message = "；".join(v[0] for v in exc.message_dict.values())
            problems.append(f"第{i}位居民{('“' + name + '”') if name else ''}：{message}")
            who = {"recipient": Recipient.RESIDENT, "recipient_name": name or f"第{i}位居民", "id_number": "", "id_hash": "",
                   "id_masked": "", "households_reached": None, "people_reached": None}
            cleaned.append((who, problems[-1]))
            continue
        problem = ""
        if who["id_hash"] in members:
            problem = f"“{who['recipient_name']}”：{MEMBER_NOT_RESIDENT}"
            problems.append(problem)
        elif who["id_hash"] in seen:
            problem = f"“{who['recipient_name']}”与第{seen[who['id_hash']]}位居民的身份证号相同。"
            problems.append(problem)
        seen.setdefault(who["id_hash"], i)
        cleaned.append((who, problem))
    received: dict[str, list[AssistanceRecord]] = {}
    hashes = [who["id_hash"] for who, _ in cleaned if who["id_hash"]]
    if on is not None and occasion in Occasion.values and hashes:
        earlier = AssistanceRecord.objects.filter(org_path__startswith=org.path, recipient=Recipient.RESIDENT,
                                                  id_hash__in=hashes, occasion=occasion, on__year=on.year,
                                                  reversal_of__isnull=True, reversal__isnull=True)
        for r in earlier.order_by("on", "id"):
            received.setdefault(r.id_hash, []).append(r)
    for who, problem in cleaned:
        warnings = ["非会员居民，单独统计"]
        for r in received.get(who["id_hash"], []):
            warnings.append(f"本年度已领取过{Occasion(occasion).label}（{cn_date(r.on)}，{yuan(r.total)}元）")
        rows.append(PlanRow(household=None, resident=who, cash=cash, goods_value=goods_value, warnings=warnings, problem=problem))
    if problems:
        errors["residents"] = "；".join(problems)
    return rows


def batch_preview(*, actor: Actor, org: Org, title: str, on: dt.date, occasion: str, households, funding: str,
                  cash=0, goods=(), partner_name: str = "", handled_by: str = "", note: str = "", residents=()) -> BatchPlan:
    """The batch `batch_create` would write — households, amounts, totals, warnings and
    refusals — without writing anything; its `token` is what the confirmation checks."""
    actor.require("assistance.manage")
    actor.require_covers(org)
    households = Household.objects.filter(pk__in=[h.pk for h in households]).select_related("head", "org")
    return _plan(actor=actor, org=org, title=title, households=households.order_by("head__name_pinyin", "id"), on=on,
                 occasion=occasion, funding=funding, cash=cash, goods=goods, partner_name=partner_name, handled_by=handled_by,
                 note=note, residents=residents)


def _shown(key: str, value) -> str:
    if value in (None, ""):
        return "（空）"
    if key == "cash":
        return yuan(value)
    if key == "on":
        return cn_date(dt.date.fromisoformat(value))
    if key == "occasion" and value in Occasion.values:
        return Occasion(value).label
    if key == "funding" and value in Funding.values:
        return Funding(value).label
    if key == "org":
        return Org.objects.filter(pk=value).values_list("name", flat=True).first() or str(value)
    if key == "goods":
        return "、".join(f"{g['item']}{g['quantity']}{g['unit']}（{yuan(g['value'])}元）" for g in value) or "（无）"
    return str(value)


def plan_changes(before: dict, after: dict) -> list[str]:
    """What differs between the preview the user saw and the plan now, in Chinese."""
    changes = [f"{label}：预览时为“{_shown(key, before.get(key))}”，现为“{_shown(key, after.get(key))}”"
               for key, label in PACKAGE_LABELS.items() if before.get(key) != after.get(key)]
    old = {row[0]: row for row in before.get("households", [])}
    new = {row[0]: row for row in after.get("households", [])}
    found = Household.objects.filter(pk__in=set(old) | set(new)).select_related("head", "org")
    people = {h.pk: h for h in found}

    def who(pk):
        h = people.get(pk)
        return f"{h.head.name}（{h.org.name}）" if h else f"档案#{pk}"

    old_res = {row[0]: row for row in before.get("residents", [])}
    new_res = {row[0]: row for row in after.get("residents", [])}
    changes += [f"新增居民：{new_res[k][1]}" for k in sorted(set(new_res) - set(old_res))]
    changes += [f"不再列入居民：{old_res[k][1]}" for k in sorted(set(old_res) - set(new_res))]
    for k in sorted(set(old_res) & set(new_res)):
        changes += [f"{new_res[k][1]}：新出现提示“{w}”" for w in new_res[k][2] if w not in old_res[k][2]]
        changes += [f"{new_res[k][1]}：不再提示“{w}”" for w in old_res[k][2] if w not in new_res[k][2]]
    for pk in sorted(set(new) - set(old), key=lambda pk: who(pk)):
        changes.append(f"新增：{who(pk)}")
    for pk in sorted(set(old) - set(new), key=lambda pk: who(pk)):
        h = people.get(pk)
        why = f"档案状态现为“{h.get_status_display()}”" if h and h.status not in MANAGED else "已不在所选范围内"
        changes.append(f"不再列入：{who(pk)}，{why}")
    labels = {"status": dict(Status.choices), "tier": dict(Tier.choices)}
    for pk in sorted(set(old) & set(new), key=lambda pk: who(pk)):
        (_, s0, o0, t0, w0), (_, s1, o1, t1, w1) = old[pk], new[pk]
        if s0 != s1:
            changes.append(f"{who(pk)}：档案状态由“{labels['status'].get(s0, s0)}”变为“{labels['status'].get(s1, s1)}”")
        if o0 != o1:
            changes.append(f"{who(pk)}：所属工会已变更")
        if t0 != t1:
            changes.append(f"{who(pk)}：困难类别由“{labels['tier'].get(t0) or '未定级'}”变为“{labels['tier'].get(t1) or '未定级'}”")
        changes += [f"{who(pk)}：新出现提示“{w}”" for w in w1 if w not in w0]
        changes += [f"{who(pk)}：不再提示“{w}”" for w in w0 if w not in w1]
    return changes


@audited("assistance.batch", object_type="assistance.AssistanceBatch")
def batch_create(*, actor: Actor, org: Org, title: str, on: dt.date, occasion: str, households, funding: str,
                 cash=0, goods=(), partner_name: str = "", handled_by: str = "", note: str = "",
                 preview: str | None = None, residents=()) -> AssistanceBatch:
    """The same package for each chosen household: one record each, all or none.

    `preview` is the token of the preview the user confirmed (`batch_preview`): the
    households are locked and the plan rebuilt from their current state, and anything that
    differs from what was previewed — a household added, closed or moved, the package
    edited, a new warning such as the same occasion already given — refuses the batch with
    the differences (PlanChanged), so nobody confirms figures they did not see."""
    actor.require("assistance.manage")
    actor.require_covers(org)
    ids = [h.pk for h in households]
    list(Household.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    fresh = {h.pk: h for h in Household.objects.filter(pk__in=ids).select_related("head", "org")}
    plan = _plan(actor=actor, org=org, title=title, households=[fresh[pk] for pk in ids if pk in fresh], on=on,
                 occasion=occasion, funding=funding, cash=cash, goods=goods, partner_name=partner_name, handled_by=handled_by,
                 note=note, residents=residents)
    if len(fresh) != len(set(ids)):
        plan.errors["households"] = "所选困难户有的已不存在，请重新选择。"
    if preview is not None:
        try:
            seen = signing.loads(preview, salt=PLAN_SALT)
        except signing.BadSignature:
            raise PlanChanged({"preview": "预览已失效，请重新预览、核对后再确认发放。"}) from None
        changes = plan_changes(seen, plan.snapshot())
        if changes:
            raise PlanChanged({"preview": changes})
    if plan.errors:
        raise ValidationError(plan.errors)
    p = plan.package
    batch = AssistanceBatch.objects.create(org=org, org_path=org.path, title=plan.title, on=on, occasion=occasion,
                                           created_by=actor.user if actor.user is not None and actor.user.pk else None)
    for row in plan.rows:
        h = row.household
        if h is None:  # a non-member resident of the batch's union
            _new_record(actor=actor, org=org, household=None, member=None, on=on, occasion=occasion, cash=p["cash"],
                        items=p["items"], goods_value=p["goods_value"], funding=funding, partner_name=p["partner_name"],
                        handled_by=handled_by, note=note, batch=batch, beneficiary=row.resident)
            continue
        _new_record(actor=actor, org=h.org, household=h, member=h.head, on=on, occasion=occasion, cash=p["cash"],
                    items=p["items"], goods_value=p["goods_value"], funding=funding, partner_name=p["partner_name"],
                    handled_by=handled_by, note=note, batch=batch)
        if h.status == Status.FILED:
            _move(h, step=Step.ASSIST, status=Status.ASSISTING, tier=h.tier, on=max(on, _last_spell(h).starts_on), actor=actor,
                  note=plan.title)
            Household.objects.filter(pk=h.pk).update(status=Status.ASSISTING)
    n, total = len(plan.rows), plan.total
    residents = f"（其中非会员居民{plan.residents}人）" if plan.residents else ""
    audit_record(actor=actor, action="assistance.batch", obj=batch, org=org,
                 changes={"records": [None, n], "total": [None, total], "residents": [None, plan.residents]},
                 message=f"{plan.title}：{n}户{residents}，每户{plan.per_household}元，合计{total}元"
                 + ("（经预览确认）" if preview is not None else ""))
    return batch


@audited("assistance.reverse", object_type="assistance.AssistanceRecord")
def record_reverse(*, actor: Actor, record: AssistanceRecord, reason: str, on: dt.date | None = None) -> AssistanceRecord:
    """A negative mirror of `record` (冲销); the original stays as it was."""
    actor.require("assistance.manage")
    actor.require_covers(record.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写冲销原因。"})
    if record.reversal_of_id:
        raise ValidationError({"reason": "冲销记录不能再冲销。"})
    if AssistanceRecord.objects.filter(reversal_of=record).exists():
        raise ValidationError({"reason": "该记录已冲销。"})
    on = on or record.on  # by default the reversal offsets the original in the same period
    if on < record.on:
        raise ValidationError({"on": f"冲销日期不能早于原记录日期（{record.on:%Y-%m-%d}）。"})
    if on > max(dt.date.today(), record.on):  # a record dated ahead may be reversed on its own date
        raise ValidationError({"on": "冲销日期不能晚于今天。"})
    mirror = AssistanceRecord.objects.create(
        org=record.org, org_path=record.org_path, on=on, occasion=record.occasion,
        household=record.household, member=record.member, **_beneficiary_of(record), cash=-record.cash,
        goods=[{**g, "value": str(-Decimal(g.get("value") or "0"))} for g in record.goods],
        goods_value=-record.goods_value, funding=record.funding, partner_name=record.partner_name,
        handled_by=record.handled_by, note=f"冲销：{reason}"[:200], batch=record.batch, reversal_of=record,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
    )
    audit_record(actor=actor, action="assistance.reverse", obj=record, changes={"reversal": [None, mirror.pk]}, message=reason)
    return mirror


@audited("assistance.correct", object_type="assistance.AssistanceRecord")
def record_correct(*, actor: Actor, record: AssistanceRecord, reason: str, on: dt.date, occasion: str, funding: str,
                   cash=0, goods=(), partner_name: str = "", handled_by: str = "", note: str = "",
                   reversed_on: dt.date | None = None) -> AssistanceRecord:
    """更正: reverse `record` and issue the corrected package to the same beneficiary, in the
    same batch (so the batch's 签收表 and totals show the corrected row), all or nothing."""
    actor.require("assistance.manage")
    actor.require_covers(record.org)
    cash, items, goods_value, partner_name = _clean_package(on=on, occasion=occasion, cash=cash, goods=goods,
                                                            funding=funding, partner_name=partner_name)
    record_reverse(actor=actor, record=record, reason=reason, on=reversed_on)
    new = _new_record(actor=actor, org=record.org, household=record.household, member=record.member, on=on,
                      occasion=occasion, cash=cash, items=items, goods_value=goods_value, funding=funding,
                      partner_name=partner_name, handled_by=handled_by, note=note, batch=record.batch,
                      beneficiary=_beneficiary_of(record))
    audit_record(actor=actor, action="assistance.correct", obj=new,
                 changes={"corrects": [None, record.pk], "cash": [record.cash, cash], "goods_value": [record.goods_value, goods_value],
                          "batch": [None, record.batch_id]},
                 message=f"更正帮扶记录#{record.pk}：{(reason or '').strip()}"[:200])
    return new


@audited("assistance.sign_sheet", object_type="assistance.AssistanceBatch")
def batch_sign_sheet(*, actor: Actor, batch: AssistanceBatch) -> list[AssistanceRecord]:
    """The rows of a batch's printed 签收表 (names and masked ID numbers of the households):
    printing it is recorded like an export."""
    from gonghui.assistance import selectors

    actor.require("assistance.view")
    actor.require_covers(batch.org)
    rows = selectors.batch_rows(batch)
    audit_record(actor=actor, action="assistance.sign_sheet", obj=batch, org=batch.org,
                 changes={"batch": [None, batch.pk], "rows": [None, len(rows)]},
                 message=f"打印签收表{batch.title}：{len(rows)}行")
    return rows


@audited("assistance.sign", object_type="assistance.AssistanceRecord")
def record_sign(*, actor: Actor, record: AssistanceRecord, on: dt.date | None = None) -> AssistanceRecord:
    actor.require("assistance.manage")
    actor.require_covers(record.org)
    if record.signed:
        raise ValidationError({"on": "该记录已签收。"})
    if record.reversal_of_id:
        raise ValidationError({"on": "冲销记录无需签收。"})
    on = on or dt.date.today()
    if on < record.on:
        raise ValidationError({"on": "签收日期不能早于发放日期。"})
    record.signed, record.signed_on = True, on
    record.save(update_fields=["signed", "signed_on"])
    audit_record(actor=actor, action="assistance.sign", obj=record, changes={"signed": [False, True]})
    return record


@audited("assistance.batch_sign", object_type="assistance.AssistanceBatch")
def batch_sign(*, actor: Actor, batch: AssistanceBatch, records, on: dt.date | None) -> int:
    """Receipt of many records of a batch on one date (the signed 签收表 handed back), all
    or none; returns how many were signed."""
    actor.require("assistance.manage")
    actor.require_covers(batch.org)
    ids = sorted({r.pk for r in records})
    if not ids:
        raise ValidationError({"records": "请勾选已签收的受助人。"})
    if on is None:
        raise ValidationError({"on": "请填写签收日期。"})
    if on > dt.date.today():
        raise ValidationError({"on": "签收日期不能晚于今天。"})
    list(AssistanceRecord.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    locked = list(AssistanceRecord.objects.filter(pk__in=ids).order_by("pk").select_related("member"))
    errors = []
    for r in locked:
        name = r.beneficiary_name
        if r.batch_id != batch.pk:
            errors.append(f"{name}的记录不属于该批次。")
        elif r.reversal_of_id:
            errors.append(f"{name}：冲销记录无需签收。")
        elif AssistanceRecord.objects.filter(reversal_of=r).exists():
            errors.append(f"{name}：该记录已冲销。")
        elif r.signed:
            errors.append(f"{name}已签收（{cn_date(r.signed_on)}）。")
        elif on < r.on:
            errors.append(f"{name}：签收日期不能早于发放日期（{cn_date(r.on)}）。")
    if len(locked) != len(ids):
        errors.append("所选记录有的不属于该批次。")
    if errors:
        raise ValidationError({"records": errors})
    AssistanceRecord.objects.filter(pk__in=ids).update(signed=True, signed_on=on)
    audit_record(actor=actor, action="assistance.batch_sign", obj=batch, org=batch.org,
                 changes={"signed": [None, len(ids)], "records": [None, ids]},
                 message=f"登记签收{batch.title}：{len(ids)}户，签收日期{on:%Y-%m-%d}")
    return len(ids)

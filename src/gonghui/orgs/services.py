"""Writes to the union tree and committees. Every function is keyword-only, atomic,
takes `actor=` and leaves an audit event (see core.services.audited)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from gonghui.access.actor import Actor
from gonghui.audit.services import audit_record, field_changes, snapshot
from gonghui.core.formats import add_years, cn_date
from gonghui.core.services import audited
from gonghui.core.validators import normalize_phone, normalize_uscc
from gonghui.orgs.models import (
    KIND_LEVEL,
    CommitteeOfficer,
    CommitteeTerm,
    HomeLevel,
    HomeLevelAward,
    Level,
    Org,
    Position,
)

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "code",
    "kind",
    "uscc",
    "employee_count",
    "address",
    "contact_name",
    "contact_phone",
    "founded_on",
    "has_separate_account",
    "home_level",
    "has_women_committee",
    "has_audit_committee",
    "membership_target",
)


def _check_placement(kind: str, parent: Org | None) -> None:
    level = KIND_LEVEL.get(kind)
    if level is None:
        raise ValidationError({"kind": "请选择工会类型。"})
    if parent is None:
        if level != Level.FEDERATION:
            raise ValidationError({"parent": "只有总工会可以作为顶级工会，请选择上级工会。"})
        return
    if not parent.is_active:
        raise ValidationError({"parent": f"上级工会“{parent.name}”已停用，不能在其下新建或移入工会。"})
    if parent.level == Level.GROUP:
        raise ValidationError({"parent": "工会小组下不能再设下级组织。"})
    if level < parent.level or (level == parent.level and level in (Level.GRASSROOTS, Level.GROUP)):
        raise ValidationError(
            {"kind": f"“{Level(level).label}”不能设在“{Level(parent.level).label}”（{parent.name}）之下。"}
        )


def _clash_text(actor: Actor, clash: Org) -> str:
    return f"“{clash.name}”" if actor.covers(clash) else "管辖范围以外的其他工会"


def _clean_fields(data: dict, *, instance: Org | None, actor: Actor) -> dict:
    errors: dict[str, str] = {}
    cleaned = dict(data)
    for key in ("name", "short_name", "code", "address", "contact_name"):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = str(cleaned[key]).strip()
    if "code" in cleaned:
        cleaned["code"] = cleaned["code"].upper()
        clash = Org.objects.filter(code=cleaned["code"]).exclude(pk=getattr(instance, "pk", None)).first()
        if clash:
            errors["code"] = f"工会编码“{cleaned['code']}”已被{_clash_text(actor, clash)}使用。"
    if cleaned.get("uscc"):
        try:
            cleaned["uscc"] = normalize_uscc(cleaned["uscc"])
        except ValidationError as exc:
            errors["uscc"] = exc.messages[0]
        else:
            clash = Org.objects.filter(uscc=cleaned["uscc"]).exclude(pk=getattr(instance, "pk", None)).first()
            if clash:
                errors["uscc"] = f"统一社会信用代码已被{_clash_text(actor, clash)}使用。"
    elif "uscc" in cleaned:
        cleaned["uscc"] = ""
    if cleaned.get("contact_phone"):
        try:
            cleaned["contact_phone"] = normalize_phone(cleaned["contact_phone"])
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages[0]
    elif "contact_phone" in cleaned:
        cleaned["contact_phone"] = ""
    founded = cleaned.get("founded_on")
    if founded and founded > dt.date.today():
        errors["founded_on"] = "成立日期不能晚于今天。"
    if "home_level" in cleaned:
        # the current level is derived from the dated history (home_level_add): a form,
        # import or API call may repeat it, never change it
        cleaned["home_level"] = cleaned["home_level"] or HomeLevel.NONE
        current = instance.home_level if instance is not None else HomeLevel.NONE
        if cleaned["home_level"] != current:
            errors["home_level"] = HOME_LEVEL_BY_HISTORY
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_clean(org: Org) -> None:
    org.level = KIND_LEVEL[org.kind]
    org.full_clean()
    org.save()


@audited("org.create", object_type="orgs.Org")
def org_create(*, actor: Actor, parent: Org | None, **fields) -> Org:
    actor.require("org.manage")
    if parent is None and not actor.is_operator:
        raise ValidationError({"parent": "请选择上级工会。"})
    if parent is not None:
        actor.require_covers(parent)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {unknown}")
    cleaned = _clean_fields(fields, instance=None, actor=actor)
    _check_placement(cleaned.get("kind", ""), parent)
    org = Org(parent=parent, **cleaned)
    org.level = KIND_LEVEL[org.kind]
    org.path = "/pending/"
    org.full_clean(exclude=["path"])
    org.save()
    # The path embeds the new row's own id, so it is set right after the insert.
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = (parent.depth + 1) if parent else 0
    org.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action="org.create", obj=org, changes=field_changes({}, snapshot(org, EDITABLE_FIELDS)))
    return org


@audited("org.update", object_type="orgs.Org")
def org_update(*, actor: Actor, org: Org, **fields) -> Org:
    actor.require("org.manage")
    actor.require_covers(org)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {unknown}")
    before = snapshot(org, EDITABLE_FIELDS)
    cleaned = _clean_fields(fields, instance=org, actor=actor)
    if "kind" in cleaned and cleaned["kind"] != org.kind:
        _check_placement(cleaned["kind"], org.parent)
        new_level = KIND_LEVEL[cleaned["kind"]]
        if org.children.filter(level__lt=new_level).exists() or (
            new_level in (Level.GRASSROOTS, Level.GROUP) and org.children.filter(level=new_level).exists()
        ):
            raise ValidationError({"kind": "改为该类型后，现有下级组织的层级将不再合理，请先调整下级组织。"})
    for key, value in cleaned.items():
        setattr(org, key, value)
    changes = field_changes(before, snapshot(org, EDITABLE_FIELDS))
    if not changes:
        return org
    _save_clean(org)
    audit_record(actor=actor, action="org.update", obj=org, changes=changes)
    return org


@audited("org.move", object_type="orgs.Org")
def org_move(*, actor: Actor, org: Org, new_parent: Org) -> Org:
    actor.require("org.manage")
    actor.require_covers(org)
    actor.require_covers(new_parent)
    if actor.org is not None and org.pk == actor.org.pk:
        raise ValidationError({"parent": "不能调整您当前所在工会本身的上级。"})
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError({"parent": "不能把工会移到它自身或它的下级工会之下。"})
    if org.parent_id == new_parent.pk:
        return org
    _check_placement(org.kind, new_parent)
    old_parent = org.parent
    old_path, new_path = org.path, f"{new_parent.path}{org.pk}/"
    depth_delta = new_parent.depth + 1 - org.depth
    # One statement rewrites the whole subtree's paths.
    Org.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    from django.apps import apps

    from gonghui.access.scope import PATH_COPIES

    for label, column in PATH_COPIES:
        apps.get_model(label).objects.filter(**{f"{column}__startswith": old_path}).update(
            **{column: Concat(Value(new_path), Substr(column, len(old_path) + 1))}
        )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    audit_record(
        actor=actor,
        action="org.move",
        obj=org,
        changes={"parent": [old_parent.pk if old_parent else None, new_parent.pk], "path": [old_path, new_path]},
    )
    return org


# Callables (org) -> Chinese reason or "" registered by modules whose records must be
# dealt with before a union stops working (members still on its roll, …).
DEACTIVATION_CHECKS: list = []


@audited("org.deactivate", object_type="orgs.Org")
def org_deactivate(*, actor: Actor, org: Org, reason: str, on: dt.date | None = None) -> Org:
    actor.require("org.manage")
    actor.require_covers(org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写停用原因。"})
    if actor.org is not None and org.pk == actor.org.pk:
        raise ValidationError({"reason": "不能停用您当前所在的工会。"})
    if not org.is_active:
        raise ValidationError({"reason": "该工会已经是停用状态。"})
    for check in DEACTIVATION_CHECKS:
        problem = check(org)
        if problem:
            raise ValidationError({"reason": problem})
    active_children = org.children.filter(is_active=True).count()
    if active_children:
        raise ValidationError({"reason": f"该工会还有{active_children}个在用的下级组织，请先停用或移走它们。"})
    org.is_active = False
    org.deactivated_on = on or dt.date.today()
    org.deactivation_reason = reason[:200]
    org.save(update_fields=["is_active", "deactivated_on", "deactivation_reason", "updated_at"])
    audit_record(actor=actor, action="org.deactivate", obj=org, changes={"is_active": [True, False]}, message=reason)
    return org


@audited("org.reactivate", object_type="orgs.Org")
def org_reactivate(*, actor: Actor, org: Org) -> Org:
    actor.require("org.manage")
    actor.require_covers(org)
    if org.is_active:
        return org
    if org.parent is not None and not org.parent.is_active:
        raise ValidationError({"reason": f"上级工会“{org.parent.name}”已停用，请先恢复上级工会。"})
    org.is_active = True
    org.deactivated_on = None
    org.deactivation_reason = ""
    org.save(update_fields=["is_active", "deactivated_on", "deactivation_reason", "updated_at"])
    audit_record(actor=actor, action="org.reactivate", obj=org, changes={"is_active": [False, True]})
    return org


@audited("committee.elect", object_type="orgs.CommitteeTerm")
def committee_elect(
    *,
    actor: Actor,
    org: Org,
    elected_on: dt.date,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    officers: list[dict],
    notes: str = "",
) -> CommitteeTerm:
    """Record a 换届 election: a new term with its officers; the previous term ends."""
    actor.require("org.manage")
    actor.require_covers(org)
    errors: dict[str, str] = {}
    starts_on = starts_on or elected_on
    # A union committee serves five years unless the record says otherwise.
    ends_on = ends_on or add_years(starts_on, 5) - dt.timedelta(days=1)
    if elected_on > dt.date.today():
        errors["elected_on"] = "换届选举日期不能晚于今天。"
    if ends_on <= starts_on:
        errors["ends_on"] = "任期届满日期应晚于任期开始日期。"
    previous = org.terms.order_by("-number").first()
    if previous and starts_on <= previous.starts_on:
        errors["starts_on"] = f"新一届任期开始日期应晚于上一届（第{previous.number}届，{cn_date(previous.starts_on)}开始）。"
    rows = [o for o in officers if (o.get("name") or "").strip()]
    if not rows:
        errors["officers"] = "请至少填写一名委员会成员。"
    if sum(1 for o in rows if o.get("position") == Position.CHAIR) > 1:
        errors["officers"] = "一届委员会只能有一名主席。"
    for i, o in enumerate(rows, start=1):
        if o.get("position") not in Position.values:
            errors["officers"] = f"第{i}名成员的职务无效。"
    if errors:
        raise ValidationError(errors)
    number = (previous.number + 1) if previous else 1
    if previous:
        cutoff = starts_on - dt.timedelta(days=1)
        if previous.ends_on > cutoff:
            previous.ends_on = max(cutoff, previous.starts_on + dt.timedelta(days=1))
            previous.save(update_fields=["ends_on"])
        previous.officers.filter(ends_on__isnull=True).update(ends_on=previous.ends_on)
        previous.officers.filter(ends_on__gt=previous.ends_on).update(ends_on=previous.ends_on)
    term = CommitteeTerm(org=org, number=number, elected_on=elected_on, starts_on=starts_on, ends_on=ends_on, notes=notes)
    term.full_clean()
    term.save()
    for o in rows:
        officer = CommitteeOfficer(
            term=term,
            name=o["name"].strip(),
            position=o["position"],
            starts_on=o.get("starts_on") or starts_on,
            ends_on=o.get("ends_on") or None,
        )
        officer.full_clean(exclude=["term"])
        officer.save()
    audit_record(
        actor=actor,
        action="committee.elect",
        obj=term,
        org=org,
        changes={"number": [None, number], "officers": [None, [f"{o['position']}:{o['name'].strip()}" for o in rows]]},
    )
    return term


# --- 职工之家 levels: a dated history; Org.home_level is the latest -----------------------

HOME_LEVEL_BY_HISTORY = "职工之家等级按评定记录确定，请在工会页面的“职工之家评定”中登记评定等级、日期和评定机关。"
EARLIEST_AWARD = dt.date(1950, 1, 1)


def home_level_current(org: Org) -> str:
    """The level of the union's latest conferral (未评定 without any)."""
    latest = HomeLevelAward.objects.filter(org=org).order_by("-conferred_on", "-id").first()
    return latest.level if latest is not None else HomeLevel.NONE


def _sync_home_level(org: Org) -> tuple[str, str]:
    old, new = org.home_level, home_level_current(org)
    if old != new:
        Org.objects.filter(pk=org.pk).update(home_level=new)
        org.home_level = new
    return old, new


def clean_home_level(*, org: Org, level: str, conferred_on: dt.date | None, conferred_by: str, document_no: str = "") -> dict:
    errors: dict[str, str] = {}
    if level not in HomeLevel.values or level == HomeLevel.NONE:
        errors["level"] = "请选择评定的职工之家等级。"
    if conferred_on is None:
        errors["conferred_on"] = "请填写评定日期。"
    elif conferred_on > dt.date.today():
        errors["conferred_on"] = "评定日期不能晚于今天。"
    elif conferred_on < EARLIEST_AWARD:
        errors["conferred_on"] = "评定日期有误。"
    elif org.founded_on and conferred_on < org.founded_on:
        errors["conferred_on"] = f"评定日期不能早于工会成立日期（{cn_date(org.founded_on)}）。"
    body = " ".join(str(conferred_by or "").split())
    if not body:
        errors["conferred_by"] = "请填写评定机关，如“滨江区总工会”。"
    elif len(body) > 100:
        errors["conferred_by"] = "评定机关不能超过100个字。"
    number = " ".join(str(document_no or "").split())
    if len(number) > 60:
        errors["document_no"] = "文号不能超过60个字。"
    if not errors and HomeLevelAward.objects.filter(org=org, level=level, conferred_on=conferred_on).exists():
        errors["conferred_on"] = f"{cn_date(conferred_on)}的“{HomeLevel(level).label}”评定已登记。"
    if errors:
        raise ValidationError(errors)
    return {"level": level, "conferred_on": conferred_on, "conferred_by": body, "document_no": number}


@audited("org.home_level.add", object_type="orgs.Org")
def home_level_add(*, actor: Actor, org: Org, level: str, conferred_on: dt.date | None, conferred_by: str,
                   document_no: str = "") -> HomeLevelAward:
    """Record that `org` was conferred a 职工之家 level on a date by a body (with its
    document number); the union's current level becomes that of its latest conferral."""
    actor.require("org.manage")
    actor.require_covers(org)
    if not org.is_active:
        raise ValidationError({"org": f"“{org.name}”已停用，不能登记职工之家评定。"})
    values = clean_home_level(org=org, level=level, conferred_on=conferred_on, conferred_by=conferred_by,
                              document_no=document_no)
    try:
        with transaction.atomic():
            award = HomeLevelAward.objects.create(org=org, **values)
    except IntegrityError:
        # the same conferral entered at the same moment by someone else (the unique
        # constraint caught it after clean_home_level's check passed)
        raise ValidationError({"conferred_on": f"{cn_date(values['conferred_on'])}的“{HomeLevel(level).label}”评定已登记。"}) from None
    old, new = _sync_home_level(org)
    audit_record(actor=actor, action="org.home_level.add", obj=org,
                 changes={"home_level_award": [None, f"{values['conferred_on']} {HomeLevel(level).label}"],
                          **({"home_level": [old, new]} if old != new else {})},
                 message=f"{cn_date(values['conferred_on'])}，{values['conferred_by']}评定为{HomeLevel(level).label}"
                 + (f"（{values['document_no']}）" if values["document_no"] else ""))
    return award


@audited("org.home_level.remove", object_type="orgs.Org")
def home_level_remove(*, actor: Actor, award: HomeLevelAward) -> None:
    """Remove a conferral entered by mistake; the current level is derived again."""
    actor.require("org.manage")
    org = award.org
    actor.require_covers(org)
    shown = f"{award.conferred_on} {award.get_level_display()}（{award.conferred_by}）"
    award.delete()
    old, new = _sync_home_level(org)
    audit_record(actor=actor, action="org.home_level.remove", obj=org,
                 changes={"home_level_award": [shown, None], **({"home_level": [old, new]} if old != new else {})},
                 message=f"删除职工之家评定记录：{shown}")

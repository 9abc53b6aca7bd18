"""Writes for activities: kinds, partners, activities and their sessions, status.

Sign-up, the waiting list, check-in and scores are in `attendance.py`; study assignments
in `study.py`; attachments in `attachments.py`. All follow the same rules: keyword-only,
`actor` first, `@audited`, permission and scope checked in the body, Chinese messages keyed
by form field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.activities import generation
from gonghui.activities.models import (
    NEXT_STATUS,
    Activity,
    ActivityKind,
    Funding,
    Partner,
    PartnerCategory,
    RegStatus,
    Session,
    Status,
    Target,
    new_checkin_key,
)
from gonghui.audit.services import audit_record, field_changes, snapshot
from gonghui.core.services import audited
from gonghui.orgs.models import Org

ACTIVITY_FIELDS = ("kind", "title", "starts_at", "ends_at", "place", "target", "target_org", "capacity", "signup_ends_at",
                   "cost", "funding", "beneficiaries", "is_training", "quiz_name", "quiz_pass", "report")
SESSION_FIELDS = ("starts_at", "ends_at", "hours", "topic", "teacher", "teacher_title")
MAX_COST = Decimal("100000000")
MAX_CAPACITY = 100000
MAX_HOURS = Decimal("24")
MAX_DAYS = 366  # an activity (or a session) spans at most a year


def user_of(actor: Actor):
    return actor.user if actor.user is not None and actor.user.pk else None


def _aware(value):
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _decimal(raw, field: str, label: str):
    if raw in (None, ""):
        return None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).replace(",", "").replace("，", "").replace("元", "").strip())
    except InvalidOperation:
        raise ValidationError({field: f"{label}“{raw}”不是数字。"}) from None
    # "NaN" parses but cannot be compared: every range check after this would raise.
    if not value.is_finite():
        raise ValidationError({field: f"{label}“{raw}”不是数字。"})
    return value


# --- kinds -----------------------------------------------------------------------------------


def _require_kinds(actor: Actor) -> None:
    """The kind list is the platform's: only an administrator of a top-level union (or the
    console operator) edits it, never one of a street or an enterprise."""
    actor.require("activities.kinds")
    if not actor.is_operator and (actor.org is None or actor.org.depth != 0):
        raise PermissionDenied("活动类型由最上级工会的系统管理员维护。")


@audited("activity_kind.create", object_type="activities.ActivityKind")
def kind_create(*, actor: Actor, code: str, name: str, noun: str = "", order: int = 200) -> ActivityKind:
    _require_kinds(actor)
    code, name, noun = (code or "").strip().lower(), (name or "").strip(), (noun or "").strip()
    errors = {}
    if not code or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 16:
        errors["code"] = "编码只能由英文字母、数字和下划线组成，最多16位。"
    elif ActivityKind.objects.filter(code=code).exists():
        errors["code"] = f"编码“{code}”已被使用。"
    if not name or len(name) > 20:
        errors["name"] = "请填写活动类型名称（最多20个字）。"
    elif ActivityKind.objects.filter(name=name).exists():
        errors["name"] = f"已有名为“{name}”的活动类型。"
    if len(noun) > 20:
        errors["noun"] = "总结中的称呼最多20个字。"
    if errors:
        raise ValidationError(errors)
    kind = ActivityKind.objects.create(code=code, name=name, noun=noun or name, order=order)
    audit_record(actor=actor, action="activity_kind.create", obj=kind, changes={"name": [None, name], "code": [None, code]})
    return kind


@audited("activity_kind.update", object_type="activities.ActivityKind")
def kind_update(*, actor: Actor, kind: ActivityKind, **fields) -> ActivityKind:
    _require_kinds(actor)
    before = snapshot(kind, ("name", "noun", "order", "is_active"))
    name = (fields.get("name", kind.name) or "").strip()
    if not name or len(name) > 20:
        raise ValidationError({"name": "请填写活动类型名称（最多20个字）。"})
    if ActivityKind.objects.filter(name=name).exclude(pk=kind.pk).exists():
        raise ValidationError({"name": f"已有名为“{name}”的活动类型。"})
    kind.name = name
    kind.noun = (fields.get("noun", kind.noun) or "").strip() or name
    kind.order = fields.get("order", kind.order)
    kind.is_active = bool(fields.get("is_active", kind.is_active))
    changes = field_changes(before, snapshot(kind, ("name", "noun", "order", "is_active")))
    if changes:
        kind.save()
        audit_record(actor=actor, action="activity_kind.update", obj=kind, changes=changes)
    return kind


# --- partners --------------------------------------------------------------------------------


def _clean_partner(values: dict, *, org: Org, instance: Partner | None = None) -> dict:
    for key in ("name", "contact", "phone", "note"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    errors = {}
    if "name" in values:
        if not values["name"]:
            errors["name"] = "请填写合作单位名称。"
        elif Partner.objects.filter(org=org, name=values["name"]).exclude(pk=getattr(instance, "pk", None)).exists():
            errors["name"] = f"本工会已登记合作单位“{values['name']}”。"
    if values.get("category") and values["category"] not in PartnerCategory.values:
        errors["category"] = "请选择合作单位类别。"
    if errors:
        raise ValidationError(errors)
    return values


@audited("partner.create", object_type="activities.Partner")
def partner_create(*, actor: Actor, org: Org, name: str, category: str = PartnerCategory.OTHER, contact: str = "",
                   phone: str = "", note: str = "") -> Partner:
    actor.require("activities.manage")
    actor.require_covers(org)
    values = _clean_partner({"name": name, "category": category or PartnerCategory.OTHER, "contact": contact or "",
                             "phone": phone or "", "note": note or ""}, org=org)
    partner = Partner.objects.create(org=org, org_path=org.path, **values)
    audit_record(actor=actor, action="partner.create", obj=partner, org=org, changes={"name": [None, partner.name]})
    return partner


@audited("partner.update", object_type="activities.Partner")
def partner_update(*, actor: Actor, partner: Partner, **fields) -> Partner:
    actor.require("activities.manage")
    actor.require_covers(partner.org)
    keys = ("name", "category", "contact", "phone", "note")
    before = snapshot(partner, keys)
    values = _clean_partner({k: v for k, v in fields.items() if k in keys}, org=partner.org, instance=partner)
    for key, value in values.items():
        setattr(partner, key, value)
    changes = field_changes(before, snapshot(partner, keys))
    if changes:
        partner.save()
        audit_record(actor=actor, action="partner.update", obj=partner, org=partner.org, changes=changes)
    return partner


def partner_usable(partner: Partner, org: Org) -> bool:
    """An activity of `org` may name partners registered at `org`, above it or below it."""
    return org.path.startswith(partner.org_path) or partner.org_path.startswith(org.path)


# --- activities ------------------------------------------------------------------------------


def _check_times(starts, ends, errors: dict, *, too_long: str) -> None:
    """Start and end given, in order, at most a year apart (an activity and a session)."""
    if not starts:
        errors["starts_at"] = "请填写开始时间。"
    if not ends:
        errors["ends_at"] = "请填写结束时间。"
    if starts and ends:
        if ends < starts:
            errors["ends_at"] = "结束时间不能早于开始时间。"
        elif ends - starts > dt.timedelta(days=MAX_DAYS):
            errors["ends_at"] = too_long


def clean_activity(values: dict, *, org: Org, instance: Activity | None = None) -> dict:
    """Validate activity fields (a full set for a new one, changed ones for an update);
    returns model values or raises ValidationError({field: msg})."""
    errors: dict[str, str] = {}

    def current(key):
        return values[key] if key in values else getattr(instance, key, None)

    for key in ("title", "place", "quiz_name", "report"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    if "title" in values and not values["title"]:
        errors["title"] = "请填写活动名称。"
    elif len(values.get("title") or "") > 100:
        errors["title"] = "活动名称最多100个字。"
    if len(values.get("place") or "") > 100:
        errors["place"] = "地点最多100个字。"
    if "kind" in values:
        kind = values["kind"]
        if not isinstance(kind, ActivityKind):
            errors["kind"] = "请选择活动类型。"
        elif not kind.is_active and (instance is None or instance.kind_id != kind.pk):
            errors["kind"] = f"活动类型“{kind.name}”已停用。"
    for key in ("starts_at", "ends_at", "signup_ends_at"):
        if key in values:
            values[key] = _aware(values[key])
    starts, ends = current("starts_at"), current("ends_at")
    _check_times(starts, ends, errors, too_long="一项活动最长一年；长期开展的工作请按阶段分别登记。")
    signup_end = current("signup_ends_at")
    if signup_end and ends and signup_end > ends:
        errors["signup_ends_at"] = "报名截止时间不能晚于活动结束时间。"
    target = current("target") or Target.ALL
    if target not in Target.values:
        errors["target"] = "请选择参加对象。"
    target_org = current("target_org")
    if target == Target.BRANCH:
        if target_org is None:
            errors["target_org"] = "参加对象为“指定分会”时，请填写分会。"
        elif not target_org.path.startswith(org.path):
            errors["target_org"] = "指定分会须是组织工会本身或其下级工会。"
    elif "target" in values:
        values["target_org"] = None
    if "capacity" in values:
        cap = values["capacity"]
        if cap in ("", 0):
            values["capacity"] = cap = None
        if cap is not None:
            try:
                cap = int(cap)
            except (TypeError, ValueError):
                cap = -1
            if cap < 1 or cap > MAX_CAPACITY:
                errors["capacity"] = f"名额应为1至{MAX_CAPACITY}之间的整数；不限名额请留空。"
            else:
                values["capacity"] = cap
                if instance is not None and instance.pk:
                    taken = instance.registrations.filter(status=RegStatus.REGISTERED).count()
                    if cap < taken:
                        errors["capacity"] = f"已有{taken}人报名，名额不能少于已报名人数。"
    if "cost" in values:
        try:
            cost = _decimal(values["cost"], "cost", "费用")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            cost = Decimal(0)
        cost = cost or Decimal(0)
        if cost < 0 or cost >= MAX_COST or cost != cost.quantize(Decimal("0.01")):
            errors["cost"] = "费用应为不小于0的金额，最多两位小数。"
        values["cost"] = cost
    if "funding" in values and values["funding"] not in Funding.values:
        errors["funding"] = "请选择经费来源。"
    if "beneficiaries" in values:
        try:
            values["beneficiaries"] = int(values["beneficiaries"] or 0)
        except (TypeError, ValueError):
            values["beneficiaries"] = -1
        if not 0 <= values["beneficiaries"] <= 10_000_000:
            errors["beneficiaries"] = "受益人数应为不小于0的整数。"
    if "quiz_pass" in values:
        try:
            values["quiz_pass"] = _decimal(values["quiz_pass"], "quiz_pass", "及格分")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        qp = values.get("quiz_pass")
        if isinstance(qp, Decimal) and not (0 <= qp <= 1000):
            errors["quiz_pass"] = "及格分应在0到1000之间。"
        if qp is not None and not (current("quiz_name") or ""):
            errors["quiz_name"] = "填写了及格分时，请填写答卷/考试名称。"
    if len(values.get("report") or "") > 20000:
        errors["report"] = "活动报道最多20000个字。"
    if errors:
        raise ValidationError(errors)
    return values


def _session_one_follows(activity: Activity, old_start, old_end) -> None:
    """An activity with a single session keeps that session on the activity's times."""
    sessions = list(activity.sessions.all()[:2])
    if len(sessions) == 1:
        s = sessions[0]
        if (s.starts_at, s.ends_at) == (old_start, old_end) and (s.starts_at, s.ends_at) != (activity.starts_at, activity.ends_at):
            s.starts_at, s.ends_at = activity.starts_at, activity.ends_at
            s.save(update_fields=["starts_at", "ends_at"])


def _check_links(actor: Actor, org: Org, co_orgs, partners) -> dict:
    errors = {}
    for co in co_orgs or ():
        if not co.path.startswith(org.path) or co.pk == org.pk:
            errors["co_orgs"] = f"协办分会“{co.name}”不是组织工会的下级工会。"
    for p in partners or ():
        if not partner_usable(p, org) or not (actor.is_operator or partner_usable(p, actor.org)):
            errors["partners"] = f"合作单位“{p.name}”不在可选范围内。"
    return errors


@audited("activity.create", object_type="activities.Activity")
def activity_create(*, actor: Actor, org: Org, kind: ActivityKind, title: str, starts_at, ends_at, place: str = "",
                    target: str = Target.ALL, target_org: Org | None = None, capacity: int | None = None,
                    signup_ends_at=None, cost=0, funding: str = Funding.UNION, beneficiaries: int = 0,
                    is_training: bool = False, quiz_name: str = "", quiz_pass=None, report: str = "",
                    co_orgs=(), partners=(), status: str = Status.PLANNED, hours=None, import_key: str = "") -> Activity:
    actor.require("activities.manage")
    actor.require_covers(org)
    if not org.is_active:
        raise ValidationError({"org": f"“{org.name}”已停用，不能新建活动。"})
    values = clean_activity({
        "kind": kind, "title": title, "starts_at": starts_at, "ends_at": ends_at, "place": place or "", "target": target or Target.ALL,
        "target_org": target_org, "capacity": capacity, "signup_ends_at": signup_ends_at, "cost": cost, "funding": funding or Funding.UNION,
        "beneficiaries": beneficiaries, "is_training": bool(is_training), "quiz_name": quiz_name or "", "quiz_pass": quiz_pass,
        "report": report or "",
    }, org=org)
    errors = _check_links(actor, org, co_orgs, partners)
    if status not in (Status.PLANNED, Status.OPEN, Status.RUNNING, Status.DONE):
        errors["status"] = "新建活动的状态只能是计划、报名中、进行中或已结束。"
    hours = _hours(hours, values["starts_at"], values["ends_at"]) if not errors else None
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(org=org, org_path=org.path, status=status, created_by=user_of(actor),
                                       import_key=import_key, **values)
    activity.code = f"HD{activity.pk:07d}"
    activity.save(update_fields=["code"])
    activity.co_orgs.set(co_orgs or [])
    activity.partners.set(partners or [])
    Session.objects.create(activity=activity, org_path=org.path, seq=1, starts_at=activity.starts_at, ends_at=activity.ends_at,
                           hours=hours)
    audit_record(actor=actor, action="activity.create", obj=activity, org=org,
                 changes=field_changes({}, snapshot(activity, ("title", "kind", "starts_at", "ends_at", "status"))))
    return activity


def _hours(raw, starts, ends) -> Decimal:
    """The hours of a session: as given, else a training day's length capped at 8."""
    if raw not in (None, ""):
        value = _decimal(raw, "hours", "学时")
        if value < 0 or value > MAX_HOURS or value != value.quantize(Decimal("0.1")):
            raise ValidationError({"hours": "学时应在0到24之间，最多一位小数。"})
        return value
    if starts and ends and ends.date() == starts.date():
        return min(Decimal(int((ends - starts).total_seconds() // 1800)) / 2, Decimal(8))
    return Decimal(0)


@audited("activity.update", object_type="activities.Activity")
def activity_update(*, actor: Actor, activity: Activity, co_orgs=None, partners=None, **fields) -> Activity:
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    if activity.status == Status.CANCELLED:
        raise ValidationError({"status": "活动已取消，不能再修改。"})
    # The row lock sign-ups take: a capacity is checked against the places taken while no
    # sign-up can add one.
    Activity.objects.select_for_update().filter(pk=activity.pk).exists()
    before = snapshot(activity, ACTIVITY_FIELDS)
    old_times = (activity.starts_at, activity.ends_at)
    values = clean_activity({k: v for k, v in fields.items() if k in ACTIVITY_FIELDS}, org=activity.org, instance=activity)
    errors = _check_links(actor, activity.org, co_orgs, partners)
    if errors:
        raise ValidationError(errors)
    for key, value in values.items():
        setattr(activity, key, value)
    changes = field_changes(before, snapshot(activity, ACTIVITY_FIELDS))
    if co_orgs is not None and set(activity.co_orgs.values_list("pk", flat=True)) != {o.pk for o in co_orgs}:
        activity.co_orgs.set(co_orgs)
        changes["co_orgs"] = [None, "、".join(o.name for o in co_orgs)]
    if partners is not None and set(activity.partners.values_list("pk", flat=True)) != {p.pk for p in partners}:
        activity.partners.set(partners)
        changes["partners"] = [None, "、".join(p.name for p in partners)]
    if changes:
        activity.save()
        _session_one_follows(activity, *old_times)
        if "capacity" in changes:
            from gonghui.activities.attendance import promote_waitlist

            promote_waitlist(actor=actor, activity=activity)
        if "quiz_pass" in changes:
            _judge_scores(activity)
        audit_record(actor=actor, action="activity.update", obj=activity, org=activity.org, changes=changes)
    return activity


def _judge_scores(activity: Activity) -> None:
    """Scores already recorded are judged again by a changed pass mark, so 合格 in the lists
    and the summary always follows the mark the activity has now."""
    scored = activity.registrations.filter(score__isnull=False)
    if activity.quiz_pass is None:
        scored.update(passed=None)
    else:
        scored.filter(score__gte=activity.quiz_pass).update(passed=True)
        scored.filter(score__lt=activity.quiz_pass).update(passed=False)


@audited("activity.status", object_type="activities.Activity")
def activity_set_status(*, actor: Actor, activity: Activity, status: str, reason: str = "") -> Activity:
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    if status not in Status.values:
        raise ValidationError({"status": "未知的活动状态。"})
    old = Status(activity.status)
    if status == old:
        raise ValidationError({"status": f"该活动已经是“{old.label}”状态。"})
    if status not in NEXT_STATUS[old]:
        raise ValidationError({"status": f"活动为“{old.label}”时不能改为“{Status(status).label}”。"})
    reason = (reason or "").strip()
    if status == Status.CANCELLED:
        if not reason:
            raise ValidationError({"reason": "请填写取消原因。"})
        if activity.checkins.exists():
            raise ValidationError({"status": "该活动已有人签到，不能取消；如未举办完毕，请改为“已结束”并在活动报道中说明。"})
        activity.cancel_reason = reason[:200]
    if status == Status.DONE and activity.starts_at > timezone.now():
        raise ValidationError({"status": "活动尚未开始，不能标记为已结束。"})
    activity.status = status
    activity.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(actor=actor, action="activity.status", obj=activity, org=activity.org, changes={"status": [old.value, status]},
                 message=reason)
    return activity


# --- sessions --------------------------------------------------------------------------------


def _clean_session(values: dict, activity: Activity, instance: Session | None = None) -> dict:
    errors = {}
    for key in ("topic", "teacher", "teacher_title"):
        if isinstance(values.get(key), str):
            values[key] = values[key].strip()
    for key in ("starts_at", "ends_at"):
        if key in values:
            values[key] = _aware(values[key])
    starts = values.get("starts_at", getattr(instance, "starts_at", None))
    ends = values.get("ends_at", getattr(instance, "ends_at", None))
    _check_times(starts, ends, errors, too_long="一个场次最长一年。")
    if "hours" in values or instance is None:
        try:
            values["hours"] = _hours(values.get("hours"), starts, ends)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for key, limit in (("topic", 200), ("teacher", 50), ("teacher_title", 100)):
        if len(values.get(key) or "") > limit:
            errors[key] = f"最多{limit}个字。"
    if errors:
        raise ValidationError(errors)
    return values


def _widen_activity(activity: Activity) -> None:
    """The activity spans its sessions."""
    first = activity.sessions.order_by("starts_at").first()
    last = activity.sessions.order_by("-ends_at").first()
    if first and (first.starts_at < activity.starts_at or last.ends_at > activity.ends_at):
        activity.starts_at = min(activity.starts_at, first.starts_at)
        activity.ends_at = max(activity.ends_at, last.ends_at)
        activity.save(update_fields=["starts_at", "ends_at", "updated_at"])


@audited("session.add", object_type="activities.Session")
def session_add(*, actor: Actor, activity: Activity, starts_at, ends_at, hours=None, topic: str = "", teacher: str = "",
                teacher_title: str = "") -> Session:
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    if activity.status == Status.CANCELLED:
        raise ValidationError({"status": "活动已取消，不能增加场次。"})
    values = _clean_session({"starts_at": starts_at, "ends_at": ends_at, "hours": hours, "topic": topic or "",
                             "teacher": teacher or "", "teacher_title": teacher_title or ""}, activity)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    seq = (locked.sessions.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    if seq > 500:
        raise ValidationError({"starts_at": "一项活动最多500个场次。"})
    session = Session.objects.create(activity=activity, org_path=activity.org_path, seq=seq, **values)
    _widen_activity(activity)
    audit_record(actor=actor, action="session.add", obj=session, org=activity.org,
                 changes=field_changes({}, snapshot(session, SESSION_FIELDS)), message=activity.title)
    return session


@audited("session.update", object_type="activities.Session")
def session_update(*, actor: Actor, session: Session, **fields) -> Session:
    activity = session.activity
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    if activity.status == Status.CANCELLED:
        raise ValidationError({"status": "活动已取消，不能修改场次。"})
    before = snapshot(session, SESSION_FIELDS)
    values = _clean_session({k: v for k, v in fields.items() if k in SESSION_FIELDS}, activity, session)
    for key, value in values.items():
        setattr(session, key, value)
    changes = field_changes(before, snapshot(session, SESSION_FIELDS))
    if changes:
        session.save()
        _widen_activity(activity)
        if "hours" in changes:
            generation.bump()
        audit_record(actor=actor, action="session.update", obj=session, org=activity.org, changes=changes, message=activity.title)
    return session


@audited("session.remove", object_type="activities.Session")
def session_remove(*, actor: Actor, session: Session) -> None:
    activity = session.activity
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    if session.checkins.exists():
        raise ValidationError({"session": f"第{session.seq}场已有人签到，不能删除。"})
    if activity.sessions.count() == 1:
        raise ValidationError({"session": "活动至少要有一个场次。"})
    audit_record(actor=actor, action="session.remove", obj=session, org=activity.org,
                 changes=field_changes(snapshot(session, SESSION_FIELDS), {}), message=activity.title)
    session.delete()


@audited("session.rotate", object_type="activities.Session")
def session_rotate_key(*, actor: Actor, session: Session) -> Session:
    """A new check-in QR code for the session: links printed or shared before stop working."""
    actor.require("activities.manage")
    actor.require_covers(session.activity.org)
    session.checkin_key = new_checkin_key()
    session.save(update_fields=["checkin_key"])
    audit_record(actor=actor, action="session.rotate", obj=session, org=session.activity.org, message=session.activity.title)
    return session


"""Writes for taking part: sign-up and the waiting list, check-in (QR link or staff), scores.

Capacity is kept under a lock on the activity row: on PostgreSQL `SELECT … FOR UPDATE`,
on SQLite the IMMEDIATE transaction every write opens (settings: transaction_mode), so two
sign-ups for the last place cannot both see it free. A cancellation hands the place to the
longest-waiting person on the list in the same transaction.

Check-in links carry the session's id and its current `checkin_key`, signed with the site
key (`checkin_token`); a forged, altered or rotated link is refused, and so is a genuine one
outside the session's check-in window. The same person checking in twice gets "已签到"
(the unique constraint `checkin_once` holds under races too).
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.activities import generation
from gonghui.activities.models import (
    Activity,
    CheckIn,
    Method,
    Registration,
    RegStatus,
    Session,
    Source,
    Status,
    Target,
)
from gonghui.activities.services import _decimal, user_of
from gonghui.audit.services import audit_record
from gonghui.core.services import audited
from gonghui.members.choices import GOOD_STANDING, Gender
from gonghui.members.choices import Status as MemberStatus

CHECKIN_SALT = "gonghui.activities.checkin"
# A QR link works from this long before a session starts until it ends.
CHECKIN_EARLY = dt.timedelta(hours=2)
CHECKIN_LATE = dt.timedelta(minutes=30)
NEW_EMPLOYEE_DAYS = 365


# --- who an activity is open to -------------------------------------------------------------


def open_to(activity: Activity, member) -> str:
    """"" when `member` may take part in `activity` by its own choice, else why not (Chinese).

    A member of the organising union's subtree, in good standing (or retired), who fits the
    target group. Delegates cannot be told apart yet (democratic management is a later
    module), so a delegates' activity is signed up by staff."""
    if not member.org_path.startswith(activity.org_path):
        return "该活动不面向您所在的工会。"
    allowed = (*GOOD_STANDING, MemberStatus.RETIRED)
    if member.status not in allowed:
        return "您的会籍状态不能报名参加活动。"
    target = activity.target
    if target == Target.WOMEN and member.gender != Gender.FEMALE:
        return "该活动面向女职工。"
    if target == Target.BRANCH and activity.target_org_id and not member.org_path.startswith(activity.target_org.path):
        return f"该活动只面向“{activity.target_org.name}”的会员。"
    if target == Target.RETIREES and member.status != MemberStatus.RETIRED:
        return "该活动面向退休职工。"
    if target == Target.NEW and member.joined_on < (activity.starts_at.date() - dt.timedelta(days=NEW_EMPLOYEE_DAYS)):
        return "该活动面向入会一年内的新职工。"
    if target == Target.DELEGATES:
        return DELEGATES_ONLY
    if target != Target.RETIREES and member.status == MemberStatus.RETIRED and target != Target.ALL and target != Target.RESIDENTS:
        return "该活动不面向退休职工。"
    return ""


DELEGATES_ONLY = "该活动面向职工代表，请通过所在工会报名。"


def staff_refusal(activity: Activity, member) -> str:
    """Why staff may not put `member` on `activity`'s list ("" when they may): the rule of
    open_to, except that who counts as a delegate is the staff's call. Shared by
    registration_add and the attendance import (sheets_attendance.py)."""
    why = open_to(activity, member)
    return "" if why == DELEGATES_ONLY else why


def checkin_refusal(activity: Activity, session: Session, now) -> str:
    """Why staff may not record attendance at `session` at `now` ("" when they may): not for
    a planned or cancelled activity, nor for a session that has not started (within the QR
    link's early window). Shared by checkin_record and the attendance import."""
    if activity.status in (Status.CANCELLED, Status.PLANNED):
        return f"活动目前为“{Status(activity.status).label}”，不能签到。"
    if session.starts_at - CHECKIN_EARLY > now:
        return f"第{session.seq}场尚未开始，不能签到。"
    return ""


def _signup_closed(activity: Activity, *, by_staff: bool, now) -> str:
    if activity.status == Status.CANCELLED:
        return "活动已取消，不能报名。"
    if by_staff:
        return ""
    if activity.status != Status.OPEN:
        return f"活动目前为“{Status(activity.status).label}”，不在报名期间。"
    if activity.signup_ends_at and now > activity.signup_ends_at:
        return "报名已截止。"
    if now >= activity.ends_at:
        return "活动已结束。"
    return ""


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _taken(activity: Activity) -> int:
    return Registration.objects.filter(activity=activity, status=RegStatus.REGISTERED).count()


def _place(activity: Activity) -> str:
    """REGISTERED while a place is free, else WAITLIST (call with the activity locked)."""
    if activity.capacity is None or _taken(activity) < activity.capacity:
        return RegStatus.REGISTERED
    return RegStatus.WAITLIST


def waitlist_position(registration: Registration) -> int:
    if registration.status != RegStatus.WAITLIST:
        return 0
    return Registration.objects.filter(activity_id=registration.activity_id, status=RegStatus.WAITLIST).filter(
        queued_at__lt=registration.queued_at).count() + Registration.objects.filter(
        activity_id=registration.activity_id, status=RegStatus.WAITLIST, queued_at=registration.queued_at,
        pk__lt=registration.pk).count() + 1


def _enrol(*, actor: Actor, activity: Activity, member=None, name: str = "", affiliation: str = "", gender: str = "",
           source: str, status: str | None = None) -> tuple[Registration, bool]:
    """Create, or re-open a cancelled, registration; returns (registration, created_or_reopened)."""
    now = timezone.now()
    if member is not None:
        existing = Registration.objects.filter(activity=activity, member=member).first()
        values = {"name": member.name, "unit_id": member.org_id, "unit_path": member.org_path, "gender": member.gender}
    else:
        name = (name or "").strip()
        if not name:
            raise ValidationError({"name": "请填写参加人姓名。"})
        if len(name) > 50:
            raise ValidationError({"name": "姓名最多50个字。"})
        existing = Registration.objects.filter(activity=activity, member__isnull=True, name=name).first()
        values = {"name": name, "unit_id": activity.org_id, "unit_path": activity.org_path,
                  "gender": gender if gender in Gender.values else "", "affiliation": (affiliation or "").strip()[:100]}
    if existing is not None and existing.status != RegStatus.CANCELLED:
        return existing, False
    status = status or _place(activity)
    if existing is not None:
        for key, value in values.items():
            setattr(existing, key, value)
        existing.status, existing.source, existing.queued_at, existing.cancelled_at = status, source, now, None
        existing.save()
        return existing, True
    try:
        with transaction.atomic():
            reg = Registration.objects.create(activity=activity, org_path=activity.org_path, member=member, status=status,
                                              source=source, queued_at=now, created_by=user_of(actor), **values)
    except IntegrityError:  # the same person at the same moment from another request
        reg = Registration.objects.get(activity=activity, member=member) if member is not None else \
            Registration.objects.get(activity=activity, member__isnull=True, name=values["name"])
        return reg, False
    return reg, True


def _describe(reg: Registration) -> str:
    if reg.status == RegStatus.WAITLIST:
        return f"名额已满，已进入候补名单第{waitlist_position(reg)}位；有人取消时将按顺序自动递补。"
    return "报名成功。"


@audited("registration.signup", object_type="activities.Registration")
def registration_signup(*, actor: Actor, activity: Activity, member) -> Registration:
    """A member signs up by themselves (the phone page): their own linked record only."""
    actor.require("self.member")
    if member is None or member.user_id is None or actor.user is None or member.user_id != actor.user.pk:
        raise ValidationError({"member": "只能为本人报名。"})
    activity = _lock(activity)
    why = _signup_closed(activity, by_staff=False, now=timezone.now()) or open_to(activity, member)
    if why:
        raise ValidationError({"activity": why})
    reg, fresh = _enrol(actor=actor, activity=activity, member=member, source=Source.SELF)
    if not fresh:
        raise ValidationError({"activity": "您已报名该活动。" if reg.status == RegStatus.REGISTERED else
                               f"您已在候补名单第{waitlist_position(reg)}位。"})
    audit_record(actor=actor, action="registration.signup", obj=reg, org=activity.org, changes={"status": [None, reg.status]},
                 message=activity.title)
    return reg


@audited("registration.add", object_type="activities.Registration")
def registration_add(*, actor: Actor, activity: Activity, member=None, name: str = "", affiliation: str = "",
                     gender: str = "", source: str = Source.STAFF) -> Registration:
    """Staff sign someone up: a member of the activity's subtree who fits its target group
    (delegates' and residents' activities are the staff's call), or a non-member by name."""
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    activity = _lock(activity)
    why = _signup_closed(activity, by_staff=True, now=timezone.now())
    if why:
        raise ValidationError({"activity": why})
    if member is not None:
        if not actor.covers(member.org):
            raise ValidationError({"member": "该会员不在您的管辖范围内。"})
        why = staff_refusal(activity, member)
        if why:
            raise ValidationError({"member": f"{member.name}：{why}"})
    reg, fresh = _enrol(actor=actor, activity=activity, member=member, name=name, affiliation=affiliation, gender=gender,
                        source=source)
    if not fresh:
        raise ValidationError({"member" if member is not None else "name":
                               f"{reg.name}已在{'报名' if reg.status == RegStatus.REGISTERED else '候补'}名单中。"})
    audit_record(actor=actor, action="registration.add", obj=reg, org=activity.org, changes={"status": [None, reg.status]},
                 message=f"{activity.title}：{reg.name}")
    return reg


def promote_waitlist(*, actor: Actor, activity: Activity) -> list[Registration]:
    """Fill free places from the waiting list, longest waiting first (activity locked)."""
    promoted = []
    if activity.status == Status.CANCELLED:
        return promoted
    free = None if activity.capacity is None else activity.capacity - _taken(activity)
    queue = Registration.objects.filter(activity=activity, status=RegStatus.WAITLIST).order_by("queued_at", "id")
    for reg in (queue if free is None else queue[:max(free, 0)]):
        reg.status = RegStatus.REGISTERED
        reg.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="registration.promote", obj=reg, org=activity.org,
                     changes={"status": [RegStatus.WAITLIST, RegStatus.REGISTERED]}, message=f"{activity.title}：{reg.name}")
        promoted.append(reg)
    return promoted


def self_cancel_refusal(activity: Activity, *, attended: bool, now) -> str:
    """Why a member may not cancel their own place ("" when they may): the service's rule,
    which the phone pages ask to decide whether to offer the button."""
    if activity.status == Status.CANCELLED:
        return "活动已取消。"
    if attended:
        return "您已签到，不能取消报名。"
    if now >= activity.starts_at:
        return "活动已开始，不能再取消报名；如不能参加，请联系工会。"
    return ""


@audited("registration.cancel", object_type="activities.Registration")
def registration_cancel(*, actor: Actor, registration: Registration) -> Registration:
    """The member themselves (before the activity starts) or staff cancel a place; the first
    on the waiting list moves up."""
    activity = _lock(registration.activity)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    own = registration.member is not None and actor.user is not None and registration.member.user_id == actor.user.pk
    if own and not actor.can("activities.manage"):
        actor.require("self.member")
        if timezone.now() >= activity.starts_at:
            raise ValidationError({"registration": self_cancel_refusal(activity, attended=False, now=timezone.now())})
    else:
        actor.require("activities.manage")
        actor.require_covers(activity.org)
    if registration.status == RegStatus.CANCELLED:
        raise ValidationError({"registration": "该报名已取消。"})
    if registration.checkins.exists():
        raise ValidationError({"registration": f"{registration.name}已签到，不能取消报名；如签到有误，请先撤销签到。"})
    old = registration.status
    registration.status, registration.cancelled_at = RegStatus.CANCELLED, timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(actor=actor, action="registration.cancel", obj=registration, org=activity.org,
                 changes={"status": [old, RegStatus.CANCELLED]}, message=f"{activity.title}：{registration.name}")
    if old == RegStatus.REGISTERED:
        promote_waitlist(actor=actor, activity=activity)
    return registration


# --- check-in ---------------------------------------------------------------------------------


def checkin_token(session: Session) -> str:
    return signing.Signer(salt=CHECKIN_SALT).sign(f"{session.pk}.{session.checkin_key}")


def session_for_token(token: str) -> Session:
    """The session a check-in link names, or ValidationError saying why the link is refused."""
    try:
        raw = signing.Signer(salt=CHECKIN_SALT).unsign(token or "")
        pk, key = raw.split(".", 1)
        session = Session.objects.select_related("activity", "activity__org", "activity__target_org").get(pk=int(pk))
    except (signing.BadSignature, ValueError, Session.DoesNotExist):
        raise ValidationError({"token": "签到二维码无效，请扫描活动现场的二维码。"}) from None
    if not hmac.compare_digest(session.checkin_key, key):
        raise ValidationError({"token": "签到二维码已更换，请扫描现场最新的二维码。"})
    return session


def checkin_window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    return session.starts_at - CHECKIN_EARLY, session.ends_at + CHECKIN_LATE


def link_refusal(session: Session, now) -> str:
    """Why a genuine check-in link of `session` does not work at `now` ("" when it does): the
    activity's status and the session's check-in window. The link's page asks it before
    offering the button, the check-in again when it is pressed."""
    activity = session.activity
    if activity.status not in (Status.OPEN, Status.RUNNING):
        return "活动已取消，无需签到。" if activity.status == Status.CANCELLED else f"活动目前为“{Status(activity.status).label}”，不能签到。"
    opens, closes = checkin_window(session)
    if now < opens:
        return f"签到将于{timezone.localtime(opens).strftime('%m月%d日 %H:%M')}开始。"
    if now > closes:
        return "本场签到已结束。"
    return ""


@dataclass
class CheckInResult:
    registration: Registration
    checkin: CheckIn
    created: bool  # False: this person had already checked in to this session

    @property
    def message(self) -> str:
        at = timezone.localtime(self.checkin.at).strftime("%H:%M")
        if self.created:
            return f"签到成功（{at}）。"
        return f"您已于{at}签到，无需重复签到。"


def _checkin(*, actor: Actor, registration: Registration, session: Session, method: str) -> tuple[CheckIn, bool]:
    existing = CheckIn.objects.filter(registration=registration, session=session).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            ci = CheckIn.objects.create(registration=registration, session=session, activity_id=session.activity_id,
                                        org_path=session.org_path, at=timezone.now(), method=method, by=user_of(actor))
    except IntegrityError:
        return CheckIn.objects.get(registration=registration, session=session), False
    return ci, True


@audited("checkin.record", object_type="activities.CheckIn")
def checkin_by_link(*, actor: Actor, token: str, member) -> CheckInResult:
    """A member checks themselves in by the session's QR link. Not signed up: a place is
    taken for them if one is free (a walk-in); on the waiting list with no place free:
    refused, the staff at the door decide."""
    actor.require("self.member")
    session = session_for_token(token)
    activity = session.activity
    if member is None or member.user_id is None or actor.user is None or member.user_id != actor.user.pk:
        raise ValidationError({"member": "您的账号尚未关联会员信息，请联系工会工作人员签到。"})
    why = link_refusal(session, timezone.now())
    if why:
        raise ValidationError({"token": why})
    why = open_to(activity, member)
    if why:
        raise ValidationError({"member": why})
    reg = Registration.objects.filter(activity=activity, member=member).first()
    if reg is None or reg.status == RegStatus.CANCELLED:
        activity = _lock(activity)
        if _place(activity) != RegStatus.REGISTERED:
            raise ValidationError({"member": "活动名额已满，您未报名，请联系现场工作人员。"})
        reg, _ = _enrol(actor=actor, activity=activity, member=member, source=Source.WALKIN, status=RegStatus.REGISTERED)
    elif reg.status == RegStatus.WAITLIST:
        raise ValidationError({"member": f"您在候补名单第{waitlist_position(reg)}位，尚未获得名额，请联系现场工作人员。"})
    ci, created = _checkin(actor=actor, registration=reg, session=session, method=Method.QR)
    if created:
        audit_record(actor=actor, action="checkin.record", obj=ci, org=activity.org, message=f"{activity.title} 第{session.seq}场：{reg.name}")
    return CheckInResult(reg, ci, created)


def _admit(actor: Actor, activity: Activity, registration: Registration) -> None:
    """Staff at the door take in someone waiting or cancelled: they are there."""
    old = registration.status
    registration.status, registration.cancelled_at = RegStatus.REGISTERED, None
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit_record(actor=actor, action="registration.promote", obj=registration, org=activity.org,
                 changes={"status": [old, RegStatus.REGISTERED]}, message=f"{activity.title}：{registration.name}（现场签到）")


@audited("checkin.record", object_type="activities.CheckIn")
def checkin_record(*, actor: Actor, session: Session, registration: Registration | None = None, member=None,
                   name: str = "", method: str = Method.STAFF) -> CheckInResult:
    """Staff check someone in at the door: a registration, or a member or non-member who
    did not sign up (taken in beyond the capacity: they are there)."""
    activity = session.activity
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    why = checkin_refusal(activity, session, timezone.now())
    if why:
        raise ValidationError({"session": why})
    if registration is None:
        if member is not None and not actor.covers(member.org):
            raise ValidationError({"member": "该会员不在您的管辖范围内。"})
        activity = _lock(activity)
        registration = Registration.objects.filter(activity=activity, member=member).first() if member is not None else \
            Registration.objects.filter(activity=activity, member__isnull=True, name=(name or "").strip()).first()
        if registration is None or registration.status != RegStatus.REGISTERED:
            if registration is None:
                registration, _ = _enrol(actor=actor, activity=activity, member=member, name=name, source=Source.WALKIN,
                                         status=RegStatus.REGISTERED)
            else:
                _admit(actor, activity, registration)
    elif registration.activity_id != activity.pk:
        raise ValidationError({"registration": "该报名不属于本活动。"})
    elif registration.status != RegStatus.REGISTERED:
        _admit(actor, activity, registration)
    ci, created = _checkin(actor=actor, registration=registration, session=session, method=method)
    if created:
        audit_record(actor=actor, action="checkin.record", obj=ci, org=activity.org,
                     message=f"{activity.title} 第{session.seq}场：{registration.name}")
    return CheckInResult(registration, ci, created)


@audited("checkin.undo", object_type="activities.CheckIn")
def checkin_undo(*, actor: Actor, checkin: CheckIn) -> None:
    activity = checkin.activity
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    audit_record(actor=actor, action="checkin.undo", obj=checkin, org=activity.org,
                 message=f"{activity.title} 第{checkin.session.seq}场：{checkin.registration.name}")
    checkin.delete()
    generation.bump()


# --- scores -----------------------------------------------------------------------------------


@audited("registration.score", object_type="activities.Registration")
def score_record(*, actor: Actor, registration: Registration, score) -> Registration:
    """A participant's quiz or exam score; pass follows the activity's pass mark. A blank
    score clears it."""
    activity = registration.activity
    actor.require("activities.manage")
    actor.require_covers(activity.org)
    if not activity.quiz_name:
        raise ValidationError({"score": "该活动没有设置答卷或考试。"})
    if registration.status == RegStatus.CANCELLED:
        raise ValidationError({"score": f"{registration.name}的报名已取消，不能登记成绩。"})
    value = score_value(activity, score)
    old = registration.score
    registration.score = value
    registration.passed = passed_for(activity, value)
    if old != value:
        registration.save(update_fields=["score", "passed", "updated_at"])
        audit_record(actor=actor, action="registration.score", obj=registration, org=activity.org,
                     changes={"score": [str(old) if old is not None else None, str(value) if value is not None else None]},
                     message=f"{activity.title}：{registration.name}")
    return registration


# --- printed lists ----------------------------------------------------------------------------


@audited("attendance.export", object_type="activities.Activity")
def sign_sheet_record(*, actor: Actor, activity: Activity, session: Session | None, rows: int) -> None:
    """A printed 签到表 lists people (names, masked ID numbers and phones): printing it is
    recorded like an export."""
    actor.require("activities.view")
    actor.require_covers(activity.org)
    where = f" 第{session.seq}场" if session is not None else ""
    audit_record(actor=actor, action="attendance.export", obj=activity, org=activity.org,
                 changes={"rows": [None, rows]}, message=f"打印签到表：{activity.title}{where}，{rows}人")


def score_value(activity: Activity, raw) -> Decimal | None:
    """A score as recorded (None for blank), or ValidationError: the activity must have a
    quiz, the score lie in 0..1000 with one decimal at most. Shared with the import."""
    if not activity.quiz_name:
        raise ValidationError({"score": "该活动没有设置答卷或考试。"})
    value = _decimal(raw, "score", "成绩")
    if value is not None and (not value.is_finite() or value < 0 or value > 1000 or value != value.quantize(Decimal("0.1"))):
        raise ValidationError({"score": "成绩应在0到1000之间，最多一位小数。"})
    return value


def passed_for(activity: Activity, value: Decimal | None) -> bool | None:
    return None if value is None or activity.quiz_pass is None else value >= activity.quiz_pass

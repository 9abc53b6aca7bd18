"""Reads of activities, always scoped: staff see the activities organised in their subtree;
a member sees those of their own union and the unions above it that are open to them.
Figures for statistics, the dashboard and the summary are in `figures.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.access.scope import ancestor_paths, get_scoped_or_404
from gonghui.activities.models import (
    Activity,
    ActivityKind,
    Attachment,
    CheckIn,
    Partner,
    Registration,
    RegStatus,
    Session,
    Status,
    StudyAssignment,
    StudySubmission,
)
from gonghui.orgs.models import Org

ZERO = Decimal("0")


def kinds(*, active_only: bool = True) -> QuerySet:
    qs = ActivityKind.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def kind_by_ref(ref: str) -> ActivityKind | None:
    """A kind named by its code or its name (imports)."""
    ref = (ref or "").strip()
    return ActivityKind.objects.filter(Q(code=ref.lower()) | Q(name=ref)).first() if ref else None


# --- activities -------------------------------------------------------------------------------


def activities_for(actor: Actor) -> QuerySet:
    return Activity.objects.for_actor(actor)


def activity_get(actor: Actor, pk) -> Activity:
    return get_scoped_or_404(Activity.objects.select_related("org", "kind", "target_org"), actor, pk=pk)


def activity_by_ref(actor: Actor, ref: str, *, on: dt.date | None = None, under: Org | None = None) -> Activity | None:
    """An activity named by its code (HD0000042), or by its exact title and start date, in
    scope (and under `under`); None when there is none or more than one."""
    qs = activities_for(actor)
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
    ref = (ref or "").strip()
    if not ref:
        return None
    found = qs.filter(code=ref.upper()).first()
    if found is not None:
        return found
    qs = qs.filter(title=ref)
    if on is not None:
        start = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
        qs = qs.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
    matches = list(qs[:2])
    return matches[0] if len(matches) == 1 else None


def activity_search(actor: Actor, *, q: str = "", org: Org | None = None, kind: ActivityKind | None = None, status: str = "",
                    year: int | None = None, month: int | None = None, training: bool | None = None,
                    start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    qs = activities_for(actor).select_related("org", "kind")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if training is not None:
        qs = qs.filter(is_training=training)
    if year:
        first = dt.date(year, month or 1, 1)
        last = (dt.date(year + 1, 1, 1) if not month or month == 12 else dt.date(year, month + 1, 1))
        start, end = max(start or first, first), min(end or last - dt.timedelta(days=1), last - dt.timedelta(days=1))
    if start:
        qs = qs.filter(starts_at__gte=_day_start(start))
    if end:
        qs = qs.filter(starts_at__lt=_day_start(end + dt.timedelta(days=1)))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(place__contains=q) | Q(code=q.upper()))
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_calendar(actor: Actor, year: int, month: int, *, org: Org | None = None) -> dict[dt.date, list[Activity]]:
    """Activities by day for a month view: an activity spanning several days shows on each."""
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    qs = activities_for(actor).select_related("kind", "org").filter(starts_at__lt=_day_start(nxt), ends_at__gte=_day_start(first))
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    days: dict[dt.date, list[Activity]] = {}
    for a in qs.order_by("starts_at", "id")[:2000]:
        d = max(timezone.localtime(a.starts_at).date(), first)
        last = min(timezone.localtime(a.ends_at).date(), nxt - dt.timedelta(days=1))
        while d <= last:
            days.setdefault(d, []).append(a)
            d += dt.timedelta(days=1)
    return days


def sessions_of(activity: Activity) -> QuerySet:
    return Session.objects.filter(activity=activity).order_by("seq")


def session_get(actor: Actor, pk) -> Session:
    return get_scoped_or_404(Session.objects.select_related("activity", "activity__org", "activity__kind"), actor, pk=pk)


def registration_get(actor: Actor, pk) -> Registration:
    return get_scoped_or_404(Registration.objects.select_related("activity", "activity__org", "member"), actor, pk=pk)


def checkin_get(actor: Actor, pk) -> CheckIn:
    return get_scoped_or_404(CheckIn.objects.select_related("activity", "activity__org", "session", "registration"), actor, pk=pk)


def registrations_of(activity: Activity, *, status: str = "", q: str = "") -> QuerySet:
    """An activity's people with their check-in count (`attended`) and hours (`hours`)."""
    qs = Registration.objects.filter(activity=activity).select_related("member", "unit").annotate(
        attended=Count("checkins"), hours=Sum("checkins__session__hours"))
    if status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        low = q.lower().replace(" ", "")
        cond = Q(name__startswith=q)
        if low.isascii() and low.isalpha():
            cond |= Q(member__name_initials__startswith=low) | Q(member__name_pinyin__startswith=low)
        qs = qs.filter(cond)
    return qs


@dataclass
class Attendance:
    registered: int  # holding a place
    waitlist: int
    cancelled: int
    attended: int  # people checked in to at least one session
    absent: int  # holding a place, no check-in, and the activity's sessions are all over
    person_times: int  # 人次: check-ins across sessions
    members: int  # of those who attended
    non_members: int
    beneficiaries: int
    hours: Decimal  # sum of hours over every check-in


def attendance_of(activity: Activity) -> Attendance:
    regs = Registration.objects.filter(activity=activity)
    by_status = dict(regs.values_list("status").annotate(n=Count("id")))
    came = regs.filter(Exists(CheckIn.objects.filter(registration=OuterRef("pk"))))
    attended = came.count()
    members = came.filter(member__isnull=False).count()
    checkins = CheckIn.objects.filter(activity=activity)
    times = checkins.aggregate(n=Count("id"), h=Sum("session__hours"))
    over = timezone.now() > activity.ends_at
    registered = by_status.get(RegStatus.REGISTERED, 0)
    absent = regs.filter(status=RegStatus.REGISTERED).exclude(Exists(CheckIn.objects.filter(registration=OuterRef("pk")))).count() if over else 0
    return Attendance(registered=registered, waitlist=by_status.get(RegStatus.WAITLIST, 0), cancelled=by_status.get(RegStatus.CANCELLED, 0),
                      attended=attended, absent=absent, person_times=times["n"] or 0, members=members,
                      non_members=attended - members, beneficiaries=activity.beneficiaries, hours=times["h"] or ZERO)


def checkins_of(session: Session) -> QuerySet:
    return CheckIn.objects.filter(session=session).select_related("registration", "registration__member").order_by("-at", "-id")


def attachments_of(activity: Activity) -> QuerySet:
    return Attachment.objects.filter(activity=activity).order_by("uploaded_at", "id")


def attachment_get(actor: Actor, pk) -> Attachment:
    return get_scoped_or_404(Attachment.objects.select_related("activity", "activity__org"), actor, pk=pk)


# --- partners ---------------------------------------------------------------------------------


def partners_for(actor: Actor) -> QuerySet:
    return Partner.objects.for_actor(actor).select_related("org")


def partner_get(actor: Actor, pk) -> Partner:
    return get_scoped_or_404(Partner.objects.select_related("org"), actor, pk=pk)


def partners_usable(actor: Actor, org: Org) -> QuerySet:
    """Partners an activity of `org` may name: registered at `org`, above it (within the
    actor's reach: the actor's own union counts as the top) or below it."""
    above = [p for p in ancestor_paths(org.path) if actor.is_operator or p.startswith(actor.org.path)]
    return Partner.objects.filter(Q(org_path__in=above) | Q(org_path__startswith=org.path)).order_by("name", "id")


def partner_by_name(actor: Actor, org: Org, name: str) -> Partner | None:
    return partners_usable(actor, org).filter(name=(name or "").strip()).first()


# --- the member's own view --------------------------------------------------------------------


def member_activities(member, *, upcoming: bool = True) -> QuerySet:
    """Activities organised by the member's union or a union above it, not cancelled or
    planned; `upcoming`: not yet over. Whether one is open to the member (target group) is
    `attendance.open_to`."""
    qs = Activity.objects.filter(org_path__in=ancestor_paths(member.org_path)).exclude(
        status__in=(Status.CANCELLED, Status.PLANNED)).select_related("kind", "org", "target_org")
    if upcoming:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at", "id")


def places_taken(activity_ids) -> dict[int, int]:
    """Registered (not waiting) people of each activity, for showing places left."""
    ids = list(activity_ids)
    if not ids:
        return {}
    return dict(Registration.objects.filter(activity_id__in=ids, status=RegStatus.REGISTERED).values_list("activity_id")
                .annotate(n=Count("id")))


def member_activity_get(member, pk) -> Activity:
    from django.http import Http404

    found = member_activities(member, upcoming=False).filter(pk=pk).first()
    if found is None:
        raise Http404("活动不存在，或不面向您所在的工会。")
    return found


def member_registrations(member) -> QuerySet:
    return Registration.objects.filter(member=member).exclude(status=RegStatus.CANCELLED).select_related(
        "activity", "activity__kind", "activity__org").annotate(attended=Count("checkins"), hours=Sum("checkins__session__hours")
                                                                ).order_by("-activity__starts_at", "-id")


def member_hours(member, *, year: int | None = None) -> Decimal:
    qs = CheckIn.objects.filter(registration__member=member)
    if year:
        qs = qs.filter(session__starts_at__gte=_day_start(dt.date(year, 1, 1)), session__starts_at__lt=_day_start(dt.date(year + 1, 1, 1)))
    return qs.aggregate(h=Sum("session__hours"))["h"] or ZERO


# --- study assignments --------------------------------------------------------------------------


def assignments_for(actor: Actor) -> QuerySet:
    return StudyAssignment.objects.for_actor(actor).select_related("org", "target_org")


def assignment_get(actor: Actor, pk) -> StudyAssignment:
    return get_scoped_or_404(StudyAssignment.objects.select_related("org", "target_org"), actor, pk=pk)


def submission_get(actor: Actor, pk) -> StudySubmission:
    return get_scoped_or_404(StudySubmission.objects.select_related("assignment", "assignment__org", "member", "unit"), actor, pk=pk)


def member_assignments(member) -> QuerySet:
    """Assignments whose target covers the member's union."""
    return StudyAssignment.objects.filter(target_path__in=ancestor_paths(member.org_path)).select_related("org").order_by("-due_on", "-id")

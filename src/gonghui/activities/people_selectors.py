"""Reads behind the people, check-in and member pages of an activity (people_views,
member_views). Callers pass an activity or session already fetched through a scoped
selector (`selectors.activity_get`, `session_get`, `member_activity_get`), so nothing here
widens what the actor may see.

Non-members have no pinyin columns (they are a name only), so a pinyin search matches
them in Python over the activity's guests; an activity has hundreds of guests at most.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.activities.attendance import checkin_window
from gonghui.activities.models import Activity, CheckIn, Registration, RegStatus, Session
from gonghui.activities.selectors import registrations_of, sessions_of
from gonghui.members.choices import GOOD_STANDING
from gonghui.members.choices import Status as MemberStatus
from gonghui.members.pinyin import looks_like_pinyin, name_keys

GUEST_SCAN_LIMIT = 5000  # guests of one activity looked at for a pinyin match
CANDIDATES = 20  # rows the tablet search shows


def session_of(activity: Activity, session_id) -> Session:
    """One session of `activity` (a session of another activity is a 404)."""
    found = sessions_of(activity).filter(pk=session_id).first() if session_id is not None else None
    if found is None:
        raise Http404("该场次不属于本活动。")
    return found


def default_session(activity: Activity, now: dt.datetime | None = None) -> Session | None:
    """The session check-in is for right now: the one whose window is open, else the next
    to start, else the last."""
    now = now or timezone.now()
    sessions = list(sessions_of(activity).select_related("activity"))
    for s in sessions:
        opens, closes = checkin_window(s)
        if opens <= now <= closes:
            return s
    upcoming = [s for s in sessions if s.starts_at > now]
    if upcoming:
        return upcoming[0]
    return sessions[-1] if sessions else None


def registered_count(activity: Activity) -> int:
    return Registration.objects.filter(activity=activity, status=RegStatus.REGISTERED).count()


def checked_in_count(session: Session) -> int:
    return CheckIn.objects.filter(session=session).count()


def _pinyin_key(q: str) -> str:
    return q.replace(" ", "").lower() if looks_like_pinyin(q) else ""


def _guest_ids(activity: Activity, key: str, *, status: str = "") -> list[int]:
    """Non-member registrations whose name's pinyin (full or initials) starts with `key`."""
    guests = Registration.objects.filter(activity=activity, member__isnull=True)
    if status:
        guests = guests.filter(status=status)
    found = []
    for pk, name in guests.values_list("pk", "name")[:GUEST_SCAN_LIMIT]:
        full, initials = name_keys(name)
        if full.startswith(key) or initials.startswith(key):
            found.append(pk)
    return found


def people_search(activity: Activity, *, status: str = "", q: str = "") -> QuerySet:
    """The activity's people (with `attended` and `hours`), by name, or by pinyin for
    members and non-members alike."""
    q = (q or "").strip()
    qs = registrations_of(activity, status=status)
    if not q:
        return qs
    cond = Q(name__startswith=q)
    key = _pinyin_key(q)
    if key:
        cond |= Q(member__name_initials__startswith=key) | Q(member__name_pinyin__startswith=key)
        guests = _guest_ids(activity, key, status=status)
        if guests:
            cond |= Q(pk__in=guests)
    return qs.filter(cond)


def waitlist_positions(activity: Activity) -> dict[int, int]:
    """Registration id → place on the waiting list (the order waitlist_position counts)."""
    ids = Registration.objects.filter(activity=activity, status=RegStatus.WAITLIST).order_by("queued_at", "id").values_list(
        "pk", flat=True)
    return {pk: n for n, pk in enumerate(ids, start=1)}


def checkins_by_registration(activity: Activity, registration_ids) -> dict[int, dict[int, CheckIn]]:
    """registration id → {session id: check-in} for the given registrations."""
    found: dict[int, dict[int, CheckIn]] = {}
    for ci in CheckIn.objects.filter(activity=activity, registration_id__in=list(registration_ids)):
        found.setdefault(ci.registration_id, {})[ci.session_id] = ci
    return found


@dataclass
class Candidate:
    """One row of the tablet search: someone signed up, or a member who did not sign up
    (a walk-in)."""

    registration: Registration | None
    member: object | None
    checkin: CheckIn | None  # already checked in to the session

    @property
    def name(self) -> str:
        return self.registration.name if self.registration is not None else self.member.name

    @property
    def unit(self) -> str:
        if self.registration is not None and not self.registration.is_member:
            return self.registration.affiliation or "非会员"
        member = self.member or self.registration.member
        return member.org.short_name or member.org.name

    @property
    def is_walkin(self) -> bool:
        return self.registration is None


def checkin_candidates(actor: Actor, activity: Activity, session: Session, q: str) -> list[Candidate]:
    """People matching `q` (name, pinyin initials, full pinyin, ID number): the activity's
    registrations first, then members of its union's subtree who have not signed up."""
    from gonghui.members.selectors import member_search

    q = (q or "").strip()
    if not q:
        return []
    regs = list(people_search(activity, q=q).select_related("member__org", "unit").order_by("status", "name", "id")[:CANDIDATES])
    by_member = {r.member_id: r for r in regs if r.member_id}
    members = member_search(actor, q=q, org=activity.org, status="").filter(
        status__in=(*GOOD_STANDING, MemberStatus.RETIRED)).order_by("name_pinyin", "id")[:CANDIDATES]
    walkins = []
    members = list(members)
    known = {r.member_id: r for r in Registration.objects.filter(activity=activity, member__in=members).select_related(
        "member__org", "unit")}
    for m in members:
        if m.pk in by_member:
            continue
        if m.pk in known:  # found by ID number, which the registration search does not read
            regs.append(known[m.pk])
            by_member[m.pk] = known[m.pk]
        else:
            walkins.append(m)
    done = {ci.registration_id: ci for ci in CheckIn.objects.filter(session=session, registration__in=regs)}
    rows = [Candidate(r, r.member, done.get(r.pk)) for r in regs]
    rows += [Candidate(None, m, None) for m in walkins]
    return rows[:CANDIDATES * 2]


def add_candidates(actor: Actor, activity: Activity, q: str, limit: int = CANDIDATES) -> list[tuple[object, str]]:
    """Members of the activity's union (and below) matching `q` (name, pinyin, ID number)
    who hold no place yet, each with why they may not take part ("" when they may)."""
    from gonghui.activities.attendance import staff_refusal
    from gonghui.members.selectors import member_search

    q = (q or "").strip()
    if not q:
        return []
    # member__isnull: a NULL in a NOT IN list would make it match nothing
    taken = Registration.objects.filter(activity=activity, member__isnull=False).exclude(
        status=RegStatus.CANCELLED).values("member_id")
    members = member_search(actor, q=q, org=activity.org, status="").filter(
        status__in=(*GOOD_STANDING, MemberStatus.RETIRED)).exclude(pk__in=taken).order_by("name_pinyin", "id")[:limit]
    return [(m, staff_refusal(activity, m)) for m in members]


@dataclass
class SheetRow:
    registration: Registration
    checkin: CheckIn | None


def sign_sheet_rows(activity: Activity, session: Session | None) -> list[SheetRow]:
    """Everyone holding a place, in pinyin order, with their check-in to `session`."""
    regs = list(Registration.objects.filter(activity=activity, status=RegStatus.REGISTERED).select_related("member", "unit"))
    regs.sort(key=lambda r: (r.member.name_pinyin if r.member_id else name_keys(r.name)[0], r.name, r.pk))
    done = {}
    if session is not None:
        done = {ci.registration_id: ci for ci in CheckIn.objects.filter(session=session)}
    return [SheetRow(r, done.get(r.pk)) for r in regs]


def recent_checkins(session: Session, limit: int = 8) -> list[CheckIn]:
    return list(CheckIn.objects.filter(session=session).select_related("registration").order_by("-at", "-id")[:limit])


# --- the member's own -----------------------------------------------------------------------


def member_registration(activity: Activity, member) -> Registration | None:
    return Registration.objects.filter(activity=activity, member=member).first()


def member_checkin(session: Session, member) -> CheckIn | None:
    return CheckIn.objects.filter(session=session, registration__member=member).first()


def member_checkins(activity: Activity, member) -> list[CheckIn]:
    return list(CheckIn.objects.filter(activity=activity, registration__member=member).select_related("session").order_by(
        "session__seq"))

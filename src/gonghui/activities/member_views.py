"""The member's own activity pages, made for the phone: the check-in link in the QR code,
my activities (sign up, cancel, what I attended, my hours) and one activity.

A member page needs a login with the 会员本人自助 permission and a roster entry linked to
that login; a login without one gets a Chinese explanation, never another member's data.
Every write is a POST through `attendance.py`: the check-in link's GET only shows a
confirmation button, because a chat app's link preview fetches the URL by itself.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.activities import attendance, people_selectors, selectors
from gonghui.activities.models import RegStatus, Status
from gonghui.members.selectors import member_of_user
from gonghui.web.http import staff_view
from gonghui.web.params import param_choice

UPCOMING_LIMIT = 50
MINE_LIMIT = 100


def member_view(view):
    """Login and 会员本人自助 (staff_view), then the member linked to this login, passed to
    the view; without one, the explanation page."""

    @functools.wraps(view)
    def with_member(request, *args, **kwargs):
        member = member_of_user(request.user)
        if member is None:
            return render(request, "activities/member_unlinked.html", status=403)
        return view(request, member, *args, **kwargs)

    return staff_view("self.member")(with_member)


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- the check-in link ---------------------------------------------------------------------------


@member_view
def checkin_link(request, member, token):
    """GET: what this link checks in to, and one button; POST: the check-in."""
    if request.method == "POST":
        try:
            result = attendance.checkin_by_link(actor=request.actor, token=token, member=member)
        except ValidationError as exc:
            return _answer(request, "refused", _errors(exc))
        session = result.checkin.session
        at = timezone.localtime(result.checkin.at)
        if result.created:
            return _answer(request, "ok", f"签到成功（{at:%H:%M}）", session=session)
        return _answer(request, "already", f"您已于{at:%H:%M}签到，无需重复签到", session=session)
    try:
        session = attendance.session_for_token(token)
    except ValidationError as exc:
        return _answer(request, "refused", _errors(exc))
    done = people_selectors.member_checkin(session, member)
    if done is not None:
        return _answer(request, "already", f"您已于{timezone.localtime(done.at):%H:%M}签到，无需重复签到", session=session)
    why = attendance.open_to(session.activity, member)
    if why:  # not the member's activity: not even its title
        return _answer(request, "refused", why)
    why = attendance.link_refusal(session, timezone.now())
    if why:  # cancelled, or outside the window: say so before offering the button
        return _answer(request, "refused", why, session=session)
    opens, closes = attendance.checkin_window(session)
    return render(request, "activities/member_checkin.html", {
        "state": "confirm", "m": member, "session": session, "a": session.activity, "opens": opens, "closes": closes,
        "many": selectors.sessions_of(session.activity).count() > 1,
    })


def _answer(request, state: str, message: str, *, session=None):
    activity = session.activity if session is not None else None
    return render(request, "activities/member_checkin.html", {
        "state": state, "message": message, "session": session, "a": activity,
        "many": activity is not None and selectors.sessions_of(activity).count() > 1,
    })


# --- my activities -------------------------------------------------------------------------------


def _place_text(reg) -> str:
    if reg.status == RegStatus.WAITLIST:
        return f"候补第{attendance.waitlist_position(reg)}位"
    return reg.get_status_display()


@member_view
def my(request, member):
    mine = list(selectors.member_registrations(member)[:MINE_LIMIT])
    held = {r.activity_id for r in mine}
    # Upcoming activities I hold no place in, each with why I may not sign up ("" if I may).
    offered = [a for a in selectors.member_activities(member)[:UPCOMING_LIMIT] if a.pk not in held]
    taken = selectors.places_taken(a.pk for a in offered if a.capacity)
    upcoming = [{"a": a, "why": attendance.open_to(a, member), "open": a.status == Status.OPEN,
                 "left": max(0, a.capacity - taken.get(a.pk, 0)) if a.capacity else None} for a in offered]
    now = timezone.now()
    signed = [{"r": r, "place": "活动已取消" if r.activity.is_cancelled else _place_text(r),
               "can_cancel": not attendance.self_cancel_refusal(r.activity, attended=bool(r.attended), now=now)}
              for r in mine if r.activity.ends_at >= now and not r.attended]
    attended = [r for r in mine if r.attended]
    year = timezone.localdate().year
    return render(request, "activities/member_my.html", {
        "m": member, "upcoming": upcoming, "signed": signed, "attended": attended, "year": year,
        "hours": selectors.member_hours(member, year=year),
    })


@member_view
def member_detail(request, member, activity_id):
    activity = selectors.member_activity_get(member, activity_id)
    reg = people_selectors.member_registration(activity, member)
    if reg is not None and reg.status == RegStatus.CANCELLED:
        reg = None
    checkins = {ci.session_id: ci for ci in people_selectors.member_checkins(activity, member)}
    sessions = [(s, checkins.get(s.pk)) for s in selectors.sessions_of(activity)]
    return render(request, "activities/member_detail.html", {
        "m": member, "a": activity, "reg": reg, "place": _place_text(reg) if reg else "", "sessions": sessions,
        "why": "" if reg else attendance.open_to(activity, member),
        "can_sign_up": reg is None and activity.status == Status.OPEN,
        "can_cancel": reg is not None and not attendance.self_cancel_refusal(activity, attended=bool(checkins), now=timezone.now()),
        "hours": sum((s.hours for s, ci in sessions if ci), start=0),
    })


def _back(request, activity):
    if param_choice(request.POST, "back", ("my", "detail"), default="my") == "detail":
        return redirect("activities:member_detail", activity.pk)
    return redirect("activities:my")


@require_POST
@member_view
def member_signup(request, member, activity_id):
    activity = selectors.member_activity_get(member, activity_id)
    try:
        reg = attendance.registration_signup(actor=request.actor, activity=activity, member=member)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if reg.status == RegStatus.WAITLIST:
            messages.warning(request, f"“{activity.title}”名额已满，您已进入候补名单第{attendance.waitlist_position(reg)}位；"
                                      "有人取消时将按顺序自动递补。")
        else:
            messages.success(request, f"已报名“{activity.title}”。")
    return _back(request, activity)


@require_POST
@member_view
def member_cancel(request, member, activity_id):
    activity = selectors.member_activity_get(member, activity_id)
    reg = people_selectors.member_registration(activity, member)
    if reg is None or reg.status == RegStatus.CANCELLED:
        messages.error(request, "您没有报名该活动。")
        return _back(request, activity)
    try:
        attendance.registration_cancel(actor=request.actor, registration=reg)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已取消“{activity.title}”的{'候补' if reg.status == RegStatus.WAITLIST else '报名'}。")
    return _back(request, activity)


urlpatterns = [
    path("c/<str:token>/", checkin_link, name="checkin_link"),
    path("my/", my, name="my"),
    path("my/<int:activity_id>/", member_detail, name="member_detail"),
    path("my/<int:activity_id>/signup/", member_signup, name="member_signup"),
    path("my/<int:activity_id>/cancel/", member_cancel, name="member_cancel"),
]

"""The people of an activity (报名名单, 候补, 成绩), the staff's tablet check-in, the
session's QR code and the printed sheets (签到二维码, 签到表). Input and display only:
sign-up, check-in and scores are `attendance.py`; reads are `selectors.py` and
`people_selectors.py`.

Looking needs `activities.view`; anything that acts, and the QR code (whoever sees it can
check in), needs `activities.manage`.
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.activities import attendance, people_selectors, selectors
from gonghui.activities.models import RegStatus, Source
from gonghui.exchange import files
from gonghui.members.choices import Gender
from gonghui.members.selectors import member_get
from gonghui.web.forms import StyledForm
from gonghui.web.http import flash_service, is_htmx, staff_view
from gonghui.web.paging import keyset_page
from gonghui.web.params import param_choice, param_id, param_int, param_str

TABS = {"registered": ("已报名", RegStatus.REGISTERED), "waitlist": ("候补", RegStatus.WAITLIST),
        "cancelled": ("已取消", RegStatus.CANCELLED)}
SESSION_COLUMNS = 8  # more sessions than this: a count per person instead of a column each
BLANK_ROWS = 5  # blank lines at the end of a sign sheet, for people who just turn up


# --- forms ------------------------------------------------------------------------------------


class GuestForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    affiliation = forms.CharField(label="单位/身份", max_length=100, required=False,
                                  help_text="如：市第一人民医院、辖区居民、实习生。")
    gender = forms.ChoiceField(label="性别", required=False, choices=[("", "不填")] + list(Gender.choices))


class ScoreForm(StyledForm):
    score = forms.CharField(label="成绩", max_length=20, required=False)


class WalkinForm(StyledForm):
    name = forms.CharField(label="非会员姓名", max_length=50)


# --- helpers ----------------------------------------------------------------------------------


def _people_url(activity_id, tab: str = "registered") -> str:
    url = reverse("activities:people", args=[activity_id])
    return url if tab == "registered" else f"{url}?tab={tab}"


def _tab_of(request) -> str:
    return param_choice(request.POST, "tab", TABS, default="registered", label="名单")


def _session(request, activity, source=None):
    """The session named by `session` (one of this activity's), else the one now."""
    session_id = param_id(source if source is not None else request, "session", label="场次")
    if session_id is not None:
        return people_selectors.session_of(activity, session_id)
    found = people_selectors.default_session(activity)
    if found is None:
        raise Http404("该活动还没有场次。")
    return found


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- the people of an activity ----------------------------------------------------------------


@staff_view("activities.view")
def people(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    tab = param_choice(request, "tab", TABS, default="registered", label="名单")
    q = param_str(request, "q", max_length=50, label="查找")
    add_q = param_str(request, "add_q", max_length=50, label="查找会员")
    qs = people_selectors.people_search(activity, status=TABS[tab][1], q=q)
    page = keyset_page(qs, order=("queued_at", "id"), cursor=request.GET.get("cursor"), size=50)
    sessions = list(selectors.sessions_of(activity))
    per_session = len(sessions) <= SESSION_COLUMNS
    checkins = people_selectors.checkins_by_registration(activity, [r.pk for r in page.rows])
    positions = people_selectors.waitlist_positions(activity) if tab == "waitlist" else {}
    rows = []
    for r in page.rows:
        mine = checkins.get(r.pk, {})
        rows.append({"r": r, "position": positions.get(r.pk), "count": len(mine),
                     "cells": [(s, mine.get(s.pk)) for s in sessions] if per_session else []})
    can_manage = actor.can("activities.manage")
    return render(request, "activities/people_list.html", {
        "a": activity, "tab": tab, "tabs": [(key, label) for key, (label, _) in TABS.items()], "q": q, "page": page,
        "rows": rows, "sessions": sessions, "per_session": per_session, "figures": selectors.attendance_of(activity),
        "can_manage": can_manage, "add_q": add_q, "session": people_selectors.default_session(activity),
        "candidates": people_selectors.add_candidates(actor, activity, add_q) if can_manage and add_q else [],
        "guest_form": GuestForm() if can_manage else None,
    })


@require_POST
@staff_view("activities.manage")
def people_add(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    member_id = param_id(request.POST, "member", label="会员")
    if member_id is None:
        messages.error(request, "请先查找并选择要添加的会员。")
        return redirect(_people_url(activity.pk))
    member = member_get(actor, member_id)
    try:
        reg = attendance.registration_add(actor=actor, activity=activity, member=member, source=Source.STAFF)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(_people_url(activity.pk))
    return _added(request, activity, reg, "")


def _added(request, activity, reg, who: str):
    if reg.status == RegStatus.REGISTERED:
        messages.success(request, f"已将{who}{reg.name}加入报名名单。")
        return redirect(_people_url(activity.pk))
    messages.success(request, f"名额已满，已将{who}{reg.name}列入候补名单第{attendance.waitlist_position(reg)}位。")
    return redirect(_people_url(activity.pk, "waitlist"))


@require_POST
@staff_view("activities.manage")
def people_guest(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    form = GuestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(_people_url(activity.pk))
    data = form.cleaned_data
    try:
        reg = attendance.registration_add(actor=actor, activity=activity, name=data["name"], affiliation=data["affiliation"],
                                          gender=data["gender"], source=Source.STAFF)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(_people_url(activity.pk))
    return _added(request, activity, reg, "非会员")


@require_POST
@staff_view("activities.manage")
def registration_cancel(request, registration_id):
    actor = request.actor
    reg = selectors.registration_get(actor, registration_id)
    tab = _tab_of(request)
    flash_service(request, lambda: attendance.registration_cancel(actor=actor, registration=reg),
                  f"已取消{reg.name}的报名；如有候补，已按顺序递补。")
    return redirect(_people_url(reg.activity_id, tab))


@require_POST
@staff_view("activities.manage")
def registration_score(request, registration_id):
    """One person's score: inline (htmx answers the cell) or from the plain form."""
    actor = request.actor
    reg = selectors.registration_get(actor, registration_id)
    form = ScoreForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "；".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            reg = attendance.score_record(actor=actor, registration=reg, score=form.cleaned_data["score"])
        except ValidationError as exc:
            error = _errors(exc)
    if is_htmx(request):
        reg.refresh_from_db()
        return render(request, "activities/people_score.html", {"r": reg, "a": reg.activity, "error": error, "saved": not error,
                                                                  "tab": _tab_of(request)})
    if error:
        messages.error(request, f"{reg.name}：{error}")
    else:
        messages.success(request, f"已登记{reg.name}的成绩。")
    return redirect(_people_url(reg.activity_id, _tab_of(request)))


@require_POST
@staff_view("activities.manage")
def checkin_undo(request, checkin_id):
    actor = request.actor
    ci = selectors.checkin_get(actor, checkin_id)
    name, seq, activity_id = ci.registration.name, ci.session.seq, ci.activity_id
    flash_service(request, lambda: attendance.checkin_undo(actor=actor, checkin=ci), f"已撤销{name}第{seq}场的签到。")
    back = param_choice(request.POST, "back", ("people", "checkin"), default="people")
    if back == "checkin":
        return redirect(f"{reverse('activities:checkin', args=[activity_id])}?session={ci.session_id}")
    return redirect(_people_url(activity_id, _tab_of(request)))


# --- the tablet check-in -----------------------------------------------------------------------


def _counts(activity, session) -> dict:
    return {"checked_in": people_selectors.checked_in_count(session), "registered": people_selectors.registered_count(activity)}


@staff_view("activities.manage")
def checkin(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    session = _session(request, activity)
    q = param_str(request, "q", max_length=50, label="查找")
    opens, closes = attendance.checkin_window(session)
    return render(request, "activities/checkin_page.html", {
        "a": activity, "session": session, "sessions": list(selectors.sessions_of(activity)), "q": q,
        "candidates": people_selectors.checkin_candidates(actor, activity, session, q) if q else None,
        "counts": _counts(activity, session), "recent": people_selectors.recent_checkins(session),
        "opens": opens, "closes": closes, "walkin_form": WalkinForm(),
    })


@staff_view("activities.manage")
def checkin_search(request, activity_id):
    """The results under the tablet's search box (htmx, as the staff member types)."""
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    session = _session(request, activity)
    q = param_str(request, "q", max_length=50, label="查找")
    return render(request, "activities/checkin_results.html", {
        "a": activity, "session": session, "q": q,
        "candidates": people_selectors.checkin_candidates(actor, activity, session, q) if q else None,
    })


@require_POST
@staff_view("activities.manage")
def checkin_record(request, activity_id):
    """One tap: a registration, a member walking in, or a non-member by name."""
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    session = _session(request, activity, request.POST)
    reg_id = param_id(request.POST, "registration", label="报名")
    member_id = param_id(request.POST, "member", label="会员")
    kwargs = {}
    if reg_id is not None:
        kwargs["registration"] = selectors.registration_get(actor, reg_id)
    elif member_id is not None:
        kwargs["member"] = member_get(actor, member_id)
    else:
        form = WalkinForm(request.POST)
        if not form.is_valid():
            return _checkin_answer(request, activity, session, error="请填写非会员的姓名（最多50个字）。")
        kwargs["name"] = form.cleaned_data["name"]
    try:
        result = attendance.checkin_record(actor=actor, session=session, **kwargs)
    except ValidationError as exc:
        return _checkin_answer(request, activity, session, error=_errors(exc))
    return _checkin_answer(request, activity, session, result=result)


def _checkin_answer(request, activity, session, *, result=None, error: str = ""):
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        elif result.created:
            messages.success(request, f"{result.registration.name}：{result.message}")
        else:
            messages.warning(request, f"{result.registration.name}已于{timezone.localtime(result.checkin.at):%H:%M}签到，无需重复签到。")
        return redirect(f"{reverse('activities:checkin', args=[activity.pk])}?session={session.pk}")
    return render(request, "activities/checkin_result.html", {
        "a": activity, "session": session, "result": result, "error": error, "counts": _counts(activity, session),
        "recent": people_selectors.recent_checkins(session),
    })


# --- the QR code ---------------------------------------------------------------------------------


def _checkin_url(request, session) -> str:
    path = reverse("activities:checkin_link", args=[attendance.checkin_token(session)])
    if settings.GONGHUI_PUBLIC_URL:
        return settings.GONGHUI_PUBLIC_URL + path
    return request.build_absolute_uri(path)


LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _unreachable_from_phones(request) -> bool:
    """A QR code made from a page opened at 127.0.0.1 leads phones nowhere."""
    return not settings.GONGHUI_PUBLIC_URL and request.get_host().rsplit(":", 1)[0] in LOOPBACK


@staff_view("activities.manage")
def qr(request, session_id):
    session = selectors.session_get(request.actor, session_id)
    opens, closes = attendance.checkin_window(session)
    return render(request, "activities/checkin_qr.html", {
        "a": session.activity, "session": session, "opens": opens, "closes": closes, "url": _checkin_url(request, session),
        "counts": _counts(session.activity, session), "many": selectors.sessions_of(session.activity).count() > 1,
        "loopback": _unreachable_from_phones(request),
    })


@staff_view("activities.manage")
def qr_svg(request, session_id):
    import segno

    session = selectors.session_get(request.actor, session_id)
    out = io.BytesIO()
    segno.make(_checkin_url(request, session), error="m").save(out, kind="svg", scale=10, border=2, omitsize=True, dark="#000")
    # no-store: a rotated key must not leave the old code in a cache
    return HttpResponse(out.getvalue(), content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@staff_view("activities.manage")
def qr_count(request, session_id):
    """The live count under the QR code (htmx polls it)."""
    session = selectors.session_get(request.actor, session_id)
    return render(request, "activities/checkin_count.html", {"counts": _counts(session.activity, session)})


@staff_view("activities.manage")
def print_qr(request, session_id):
    session = selectors.session_get(request.actor, session_id)
    opens, closes = attendance.checkin_window(session)
    return render(request, "activities/print_qr.html", {
        "a": session.activity, "session": session, "opens": opens, "closes": closes,
        "many": selectors.sessions_of(session.activity).count() > 1,
    })


# --- the attendance list as a spreadsheet --------------------------------------------------------


@staff_view("activities.view")
def people_export(request, activity_id):
    """This activity's people in the attendance import format (ID numbers masked): edited
    and re-imported through exchange:import kind='attendance'. Audited by the export."""
    from gonghui.activities.sheets_attendance import attendance_export

    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    out = attendance_export(actor=actor, org=None, activity=activity, path=files.export_path("attendance"))
    return files.send_and_delete(out, f"参加人员-{activity.code or activity.pk}.xlsx")


# --- the printed sign sheet ----------------------------------------------------------------------


@staff_view("activities.view")
def sign_sheet(request, activity_id):
    """签到表 for printing: masked ID numbers and phones only; printing it is audited."""
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    session = _session(request, activity)
    blank = param_int(request, "blank", default=BLANK_ROWS, min_value=0, max_value=60, label="空白行数")
    rows = people_selectors.sign_sheet_rows(activity, session)
    attendance.sign_sheet_record(actor=actor, activity=activity, session=session, rows=len(rows))
    sessions = list(selectors.sessions_of(activity))
    return render(request, "activities/print_sign_sheet.html", {
        "a": activity, "session": session, "sessions": sessions, "many": len(sessions) > 1, "rows": rows,
        "blanks": range(len(rows) + 1, len(rows) + blank + 1), "blank": blank,
    })


urlpatterns = [
    path("<int:activity_id>/people/", people, name="people"),
    path("<int:activity_id>/people/add/", people_add, name="people_add"),
    path("<int:activity_id>/people/guest/", people_guest, name="people_guest"),
    path("<int:activity_id>/people/export/", people_export, name="people_export"),
    path("<int:activity_id>/checkin/", checkin, name="checkin"),
    path("<int:activity_id>/checkin/search/", checkin_search, name="checkin_search"),
    path("<int:activity_id>/checkin/record/", checkin_record, name="checkin_record"),
    path("<int:activity_id>/sign-sheet/", sign_sheet, name="sign_sheet"),
    path("registration/<int:registration_id>/cancel/", registration_cancel, name="registration_cancel"),
    path("registration/<int:registration_id>/score/", registration_score, name="registration_score"),
    path("checkin/<int:checkin_id>/undo/", checkin_undo, name="checkin_undo"),
    path("session/<int:session_id>/qr/", qr, name="qr"),
    path("session/<int:session_id>/qr.svg", qr_svg, name="qr_svg"),
    path("session/<int:session_id>/qr/count/", qr_count, name="qr_count"),
    path("session/<int:session_id>/qr/print/", print_qr, name="print_qr"),
]

"""Staff pages of activities: the list and the calendar, the activity form and page,
sessions, attachments, partners and kinds. Input and display only: writes go through the
services (`services.py`, `attachments.py`), reads through the selectors."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.activities import attachments, listing, selectors, services
from gonghui.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    AttachmentForm,
    KindForm,
    KindUpdateForm,
    PartnerFilterForm,
    PartnerForm,
    SessionForm,
    StatusForm,
)
from gonghui.activities.models import NEXT_STATUS, Status, Target
from gonghui.exchange import files
from gonghui.exchange.registry import EXCHANGES
from gonghui.exchange.uploads import upload_refusal
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.http import flash_service, staff_view
from gonghui.web.paging import keyset_page
from gonghui.web.params import DATE_MAX, DATE_MIN, param_choice, param_month

# Service error keys that name a form field under another name.
RENAMED = {"org": "org_code", "target_org": "target_org_code"}
# What each status means to the people taking part: the confirmation names it.
STATUS_EFFECT = {
    Status.PLANNED: "改回“计划”后，会员在手机上看不到该活动，也不能报名。",
    Status.OPEN: "会员可以在手机上看到并报名该活动。",
    Status.RUNNING: "活动进行中，会员可以扫码签到。",
    Status.DONE: "活动结束后会员不能再报名或扫码签到，活动计入统计和工作总结。",
    Status.CANCELLED: "取消后活动不能再修改、报名或签到，也不能恢复。",
}


def _apply(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        exc = ValidationError({RENAMED.get(k, k): v for k, v in exc.message_dict.items()})
    form.apply_errors(exc)


def _org_or_error(actor, form, field: str, code: str):
    try:
        return org_get_by_code(actor, code)
    except Http404:
        form.add_error(field, ORG_NOT_IN_SCOPE if len(code) > 32 else f"找不到编码为“{code}”的工会，或它不在您的管辖范围内。")
        return None


# --- the list, its export and the calendar ---------------------------------------------------


def _filters(request):
    actor = request.actor
    kinds = list(selectors.kinds(active_only=False))
    form = ActivityFilterForm(request.GET or None, kinds=kinds)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        org = _org_or_error(actor, form, "org", data["org"].strip())
    kind = {k.code: k for k in kinds}.get(data.get("kind") or "")
    qs = selectors.activity_search(actor, q=data.get("q", ""), org=org, kind=kind, status=data.get("status", ""),
                                   year=data.get("year"), month=data.get("month"),
                                   training=True if data.get("training") else None)
    return form, qs, org, data, kinds


def _period(data) -> tuple[dt.date | None, dt.date | None]:
    year, month = data.get("year"), data.get("month")
    if not year:
        return None, None
    if month:
        return dt.date(year, month, 1), dt.date(year, month, pycalendar.monthrange(year, month)[1])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@staff_view("activities.view")
def home(request):
    actor = request.actor
    form, qs, org, data, kinds = _filters(request)
    page = keyset_page(qs, order=("-starts_at", "-id"), cursor=request.GET.get("cursor"), size=30)
    figures = listing.figures_for(a.pk for a in page.rows)
    return render(request, "activities/list.html", {
        "form": form, "page": page, "rows": [(a, figures[a.pk]) for a in page.rows], "kinds": kinds,
        "statuses": Status.choices, "can_manage": actor.can("activities.manage"), "can_kinds": actor.can("activities.kinds"),
        "can_export": "activities" in EXCHANGES and EXCHANGES["activities"].exporter is not None,
    })


@staff_view("activities.view")
def export(request):
    actor = request.actor
    exchange = EXCHANGES.get("activities")
    if exchange is None or exchange.exporter is None:
        raise Http404("活动导出暂不可用。")
    form, _qs, org, data, _kinds = _filters(request)
    if form.errors:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("activities:home")
    start, end = _period(data)
    target = org or actor.org
    try:
        path = exchange.exporter(actor=actor, org=target, path=files.export_path("activities"), subtree=True, start=start, end=end)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("activities:home")
    return files.send_and_delete(path, f"活动列表-{target.code}.xlsx")


def _shift(year: int, month: int, by: int) -> str | None:
    n = year * 12 + month - 1 + by
    y, m = divmod(n, 12)
    return f"{y}-{m + 1:02d}" if DATE_MIN.year <= y <= DATE_MAX.year else None


@staff_view("activities.view")
def calendar(request):
    today = timezone.localdate()
    year, month = map(int, (param_month(request, "month") or f"{today.year}-{today.month:02d}").split("-"))
    days = selectors.month_calendar(request.actor, year, month)
    weeks = [[(d, d.month == month, days.get(d, [])) for d in week]
             for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)]
    return render(request, "activities/calendar.html", {
        "year": year, "month": month, "weeks": weeks, "days": sorted(days.items()), "today": today,
        "prev": _shift(year, month, -1), "next": _shift(year, month, 1), "weekdays": "一二三四五六日",
        "this_month": f"{today.year}-{today.month:02d}",
    })


# --- the activity form ------------------------------------------------------------------------


def _activity_form(request, *, org, creating: bool, initial: dict, activity=None):
    kinds = list(selectors.kinds())
    partners = list(selectors.partners_usable(request.actor, org).select_related("org")[:500])
    if activity is not None:
        # What the activity already names stays on offer, so saving never drops it silently.
        if activity.kind not in kinds:
            kinds.append(activity.kind)
        partners += [p for p in activity.partners.select_related("org") if p not in partners]
    form = ActivityForm(request.POST or None, initial=initial, kinds=kinds, partners=partners, creating=creating)
    return form, {str(k.pk): k for k in kinds}, {str(p.pk): p for p in partners}


def _activity_values(request, form, kinds: dict, partners: dict) -> dict | None:
    """The service's arguments from a valid form, or None when a code named no union in scope."""
    actor, data = request.actor, form.cleaned_data
    values = {
        "kind": kinds[data["kind"]], "title": data["title"], "starts_at": data["starts_at"], "ends_at": data["ends_at"],
        "place": data["place"], "target": data["target"], "target_org": None, "capacity": data["capacity"],
        "signup_ends_at": data["signup_ends_at"], "cost": data["cost"] or 0, "funding": data["funding"],
        "beneficiaries": data["beneficiaries"] or 0, "is_training": data["is_training"], "quiz_name": data["quiz_name"],
        "quiz_pass": data["quiz_pass"] or None, "report": data["report"],
        "co_orgs": [], "partners": [partners[pk] for pk in data["partners"]],
    }
    found = True
    for code in data["co_orgs"]:
        co = _org_or_error(actor, form, "co_orgs", code)
        found = found and co is not None
        if co is not None and co not in values["co_orgs"]:
            values["co_orgs"].append(co)
    code = (data.get("target_org_code") or "").strip()
    if data["target"] == Target.BRANCH and code:
        values["target_org"] = _org_or_error(actor, form, "target_org_code", code)
        found = found and values["target_org"] is not None
    return values if found else None


@staff_view("activities.manage")
def create(request):
    actor = request.actor
    form, kinds, partners = _activity_form(request, org=actor.org, creating=True,
                                           initial={"org_code": actor.org.code, "funding": "union"})
    if request.method == "POST" and form.is_valid():
        org = _org_or_error(actor, form, "org_code", form.cleaned_data["org_code"].strip())
        values = _activity_values(request, form, kinds, partners)
        if org is not None and values is not None:
            try:
                activity = services.activity_create(actor=actor, org=org, status=form.cleaned_data["status"],
                                                    hours=form.cleaned_data["hours"] or None, **values)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"已新建活动“{activity.title}”（{activity.code}）。")
                return redirect("activities:detail", activity.pk)
    return render(request, "activities/form.html", {
        "form": form, "title": "新建活动",
        "purpose": "登记工会组织的一项活动或一期培训班：时间地点、参加对象、名额、费用和合作单位。培训班的多个场次在活动页面添加。",
    })


def _initial(activity) -> dict:
    initial = {key: getattr(activity, key) for key in services.ACTIVITY_FIELDS if key not in ("kind", "target_org")}
    initial.update({
        "kind": str(activity.kind_id), "target_org_code": activity.target_org.code if activity.target_org else "",
        "co_orgs": " ".join(o.code for o in activity.co_orgs.all()),
        "partners": [str(pk) for pk in activity.partners.values_list("pk", flat=True)],
        "quiz_pass": activity.quiz_pass if activity.quiz_pass is not None else "",
    })
    return initial


@staff_view("activities.manage")
def edit(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    form, kinds, partners = _activity_form(request, org=activity.org, creating=False, initial=_initial(activity),
                                           activity=activity)
    if request.method == "POST" and form.is_valid():
        values = _activity_values(request, form, kinds, partners)
        if values is not None:
            try:
                services.activity_update(actor=actor, activity=activity, **values)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("activities:detail", activity.pk)
    return render(request, "activities/form.html", {
        "form": form, "activity": activity, "title": f"修改活动：{activity.title}",
        "purpose": f"{activity.org.name}组织的活动。只有一个场次的活动，场次时间随活动时间调整。",
    })


# --- one activity -----------------------------------------------------------------------------


@staff_view("activities.view")
def detail(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    can_manage = actor.can("activities.manage")
    sessions = list(listing.sessions_with_counts(activity))
    transitions = [(s, Status(s).label, STATUS_EFFECT[s]) for s in NEXT_STATUS[Status(activity.status)]]
    return render(request, "activities/detail.html", {
        "activity": activity, "sessions": sessions, "attendance": selectors.attendance_of(activity),
        "attachments": list(selectors.attachments_of(activity)), "co_orgs": list(activity.co_orgs.all()),
        "partners": list(activity.partners.select_related("org")), "can_manage": can_manage,
        "transitions": transitions if can_manage else [], "is_open": activity.status != Status.CANCELLED,
        "attachment_form": AttachmentForm() if can_manage and activity.status != Status.CANCELLED else None,
        "max_attachments": attachments.MAX_PER_ACTIVITY, "file_mb": attachments.limit_mb(),
    })


@require_POST
@staff_view("activities.manage")
def set_status(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要改成的状态。")
    else:
        status = form.cleaned_data["status"]
        flash_service(request, lambda: services.activity_set_status(actor=actor, activity=activity, status=status,
                                                                    reason=form.cleaned_data["reason"]),
                      f"活动已改为“{Status(status).label}”。")
    return redirect("activities:detail", activity.pk)


# --- sessions ---------------------------------------------------------------------------------


def _session_values(data) -> dict:
    return {"starts_at": data["starts_at"], "ends_at": data["ends_at"], "hours": data["hours"] or None,
            "topic": data["topic"], "teacher": data["teacher"], "teacher_title": data["teacher_title"]}


@staff_view("activities.manage")
def session_add(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    form = SessionForm(request.POST or None, initial={"starts_at": activity.starts_at, "ends_at": activity.ends_at})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_add(actor=actor, activity=activity, **_session_values(form.cleaned_data))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已增加第{session.seq}场。")
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/session_form.html", {"form": form, "activity": activity, "title": "增加场次"})


@staff_view("activities.manage")
def session_edit(request, session_id):
    actor = request.actor
    session = selectors.session_get(actor, session_id)
    activity = session.activity
    initial = {key: getattr(session, key) for key in services.SESSION_FIELDS}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=actor, session=session, **_session_values(form.cleaned_data))
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"第{session.seq}场已保存。")
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/session_form.html", {"form": form, "activity": activity, "session": session,
                                                            "title": f"修改第{session.seq}场"})


@require_POST
@staff_view("activities.manage")
def session_remove(request, session_id):
    session = selectors.session_get(request.actor, session_id)
    flash_service(request, lambda: services.session_remove(actor=request.actor, session=session), f"已删除第{session.seq}场。")
    return redirect("activities:detail", session.activity_id)


@require_POST
@staff_view("activities.manage")
def session_rotate(request, session_id):
    session = selectors.session_get(request.actor, session_id)
    flash_service(request, lambda: services.session_rotate_key(actor=request.actor, session=session),
                  f"第{session.seq}场已换用新的签到二维码，之前打印或分享的二维码不能再签到，请重新打印。")
    # The QR page offers the same button and returns to itself.
    if param_choice(request.POST, "back", ("detail", "qr"), default="detail") == "qr":
        return redirect("activities:qr", session.pk)
    return redirect("activities:detail", session.activity_id)


# --- attachments ------------------------------------------------------------------------------


@require_POST
@staff_view("activities.manage")
def attachment_add(request, activity_id):
    actor = request.actor
    activity = selectors.activity_get(actor, activity_id)
    form = AttachmentForm(request.POST, request.FILES)
    if upload_refusal(request):  # skipped while streaming in: far over any limit of ours
        messages.error(request, attachments.too_large_message())
    elif not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        data = form.cleaned_data
        flash_service(request, lambda: attachments.attachment_add(actor=actor, activity=activity, upload=data["file"] or None,
                                                                  caption=data["caption"]),
                      "已上传附件。")
    return redirect(f"{reverse('activities:detail', args=[activity.pk])}#attachments")


@staff_view("activities.view")
def attachment(request, attachment_id):
    item = selectors.attachment_get(request.actor, attachment_id)
    try:
        handle = attachments.open_file(item.token, attachments.activity_folder(item.activity_id))
    except Http404:
        return render(request, "activities/attachment_gone.html", {"item": item, "message": attachments.GONE}, status=404)
    known = item.content_type in attachments.CONTENT_TYPES
    content_type = item.content_type if known else "application/octet-stream"
    inline = known and item.is_image
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=item.filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, the file is a document of this site: it may run nothing and
    # reach nothing (a PDF viewer's scripts included).
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@require_POST
@staff_view("activities.manage")
def attachment_remove(request, attachment_id):
    item = selectors.attachment_get(request.actor, attachment_id)
    flash_service(request, lambda: attachments.attachment_remove(actor=request.actor, attachment=item),
                  f"已删除附件“{item.filename}”。")
    return redirect(f"{reverse('activities:detail', args=[item.activity_id])}#attachments")


# --- partners ---------------------------------------------------------------------------------


@staff_view("activities.view")
def partners(request):
    actor = request.actor
    form = PartnerFilterForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = keyset_page(listing.partner_search(actor, q=q), order=("name", "id"), cursor=request.GET.get("cursor"), size=50)
    return render(request, "activities/partners.html", {"form": form, "page": page, "can_manage": actor.can("activities.manage")})


@staff_view("activities.manage")
def partner_create(request):
    actor = request.actor
    form = PartnerForm(request.POST or None, initial={"org_code": actor.org.code})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = _org_or_error(actor, form, "org_code", data.pop("org_code").strip())
        if org is not None:
            try:
                partner = services.partner_create(actor=actor, org=org, **data)
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, f"已登记合作单位“{partner.name}”。")
                return redirect("activities:partners")
    return render(request, "activities/partner_form.html", {"form": form, "title": "登记合作单位"})


@staff_view("activities.manage")
def partner_edit(request, partner_id):
    actor = request.actor
    partner = selectors.partner_get(actor, partner_id)
    initial = {key: getattr(partner, key) for key in ("name", "category", "contact", "phone", "note")}
    form = PartnerForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(actor=actor, partner=partner, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("activities:partners")
    return render(request, "activities/partner_form.html", {"form": form, "partner": partner,
                                                            "title": f"修改合作单位：{partner.name}"})


# --- kinds ------------------------------------------------------------------------------------


@staff_view("activities.kinds")
def kinds(request):
    """The coded list of kinds: add one, rename or switch one off (built-in ones too: they
    are never deleted, since imports and summaries refer to them by code)."""
    actor = request.actor
    action = request.POST.get("action") if request.method == "POST" else ""
    form = KindForm(request.POST if action == "create" else None, prefix="new")
    if action == "create" and form.is_valid():
        try:
            kind = services.kind_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"已新增活动类型“{kind.name}”。")
            return redirect("activities:kinds")
    elif action == "update":
        update = KindUpdateForm(request.POST)
        kind = listing.kind_get(update.cleaned_data["kind"]) if update.is_valid() else None
        if kind is None:
            messages.error(request, "；".join(e for errors in update.errors.values() for e in errors) or "活动类型不存在。")
        else:
            data = {k: v for k, v in update.cleaned_data.items() if k != "kind"}
            flash_service(request, lambda: services.kind_update(actor=actor, kind=kind, **data), f"已保存活动类型“{data['name']}”。")
        return redirect("activities:kinds")
    return render(request, "activities/kinds.html", {"form": form, "kinds": list(selectors.kinds(active_only=False))})


urlpatterns = [
    path("", home, name="home"),
    path("export/", export, name="export"),
    path("calendar/", calendar, name="calendar"),
    path("new/", create, name="create"),
    path("<int:activity_id>/", detail, name="detail"),
    path("<int:activity_id>/edit/", edit, name="edit"),
    path("<int:activity_id>/status/", set_status, name="status"),
    path("<int:activity_id>/sessions/new/", session_add, name="session_add"),
    path("sessions/<int:session_id>/edit/", session_edit, name="session_edit"),
    path("sessions/<int:session_id>/remove/", session_remove, name="session_remove"),
    path("sessions/<int:session_id>/rotate/", session_rotate, name="session_rotate"),
    path("<int:activity_id>/attachments/new/", attachment_add, name="attachment_add"),
    path("attachments/<int:attachment_id>/", attachment, name="attachment"),
    path("attachments/<int:attachment_id>/remove/", attachment_remove, name="attachment_remove"),
    path("partners/", partners, name="partners"),
    path("partners/new/", partner_create, name="partner_create"),
    path("partners/<int:partner_id>/edit/", partner_edit, name="partner_edit"),
    path("kinds/", kinds, name="kinds"),
]

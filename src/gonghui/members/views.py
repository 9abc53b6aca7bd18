"""Roster pages: input and display only (rules in services, reads in selectors)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.exchange import files, imports
from gonghui.members import selectors, services, sheets
from gonghui.members.choices import EventKind
from gonghui.members.forms import (
    ChangeRequestForm,
    EventForm,
    MemberCreateForm,
    MemberEditForm,
    MemberFilterForm,
    TransferForm,
)
from gonghui.members.models import ChangeRequest, Member
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.http import flash_service, is_htmx, staff_view
from gonghui.web.paging import count_rows, keyset_page, sort_order
from gonghui.web.params import param_choice, param_date, param_int, param_str

SORTS = {
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "joined": ("joined_on", "id"),
    "-joined": ("-joined_on", "-id"),
}


def _filters(request):
    form = MemberFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        try:
            org = org_get_by_code(request.actor, data["org"])
        except Http404:
            form.add_error("org", ORG_NOT_IN_SCOPE)
    qs = selectors.member_search(
        request.actor, q=data.get("q", ""), org=org, subtree=bool(data.get("subtree")) or not request.GET.get("org"),
        status=data.get("status") or "current", gender=data.get("gender", ""), migrant=bool(data.get("migrant")),
        new_form=bool(data.get("new_form")), joined_from=data.get("joined_from"), joined_to=data.get("joined_to"),
        as_of=data.get("as_of"), event=data.get("event", ""), event_from=data.get("event_from"), event_to=data.get("event_to"),
    )
    return form, qs, org


@staff_view("member.view")
def member_list(request):
    form, qs, org = _filters(request)
    sort, order = sort_order(request, SORTS, "name")
    # A name or pinyin search is ordered by the column it searches, so it walks one index.
    searched = selectors.search_order(request.GET.get("q", "")) if "sort" not in request.GET else None
    order = searched or order
    # The letter bar only makes sense where the list runs in pinyin order.
    lettered = order[0].lstrip("-") in ("name_pinyin", "name_initials")
    letter = param_choice(request, "letter", LETTERS, label="首字母") if lettered else ""
    number = param_int(request, "page", min_value=1, max_value=1_000_000, label="页码")
    page = keyset_page(qs, order=order, cursor=request.GET.get("cursor"), size=50, page=number, start=letter or None)
    total = count_rows(qs)
    return render(request, "members/list.html", {
        "form": form, "page": page, "default_sort": "name", "filter_org": org, "total": total,
        "pages": total.pages(page.size), "letters": LETTERS if lettered else "", "letter": letter,
    })


LETTERS = "abcdefghjklmnopqrstwxyz"  # no pinyin syllable begins with i, u or v


@staff_view("member.export")
def export(request):
    form, qs, org = _filters(request)
    path, _n = sheets.members_export(actor=request.actor, queryset=qs, label=f"（{org.name if org else request.actor.org.name}）")
    return files.send_and_delete(path, "会员名册.xlsx")


@staff_view("member.view")
def template(request):
    return files.send_and_delete(sheets.members_template(), "会员名册导入模板.xlsx")


def _member_values(data: dict, *, editing: bool) -> dict:
    values = {k: v for k, v in data.items() if k != "org_code"}
    values["education"] = values.get("education") or ""
    values["hukou"] = values.get("hukou") or ""
    values["new_form"] = values.get("new_form") or ""
    if editing:
        if not values.get("id_number"):
            values.pop("id_number", None)
        phone = values.get("phone")
        if not phone:
            values.pop("phone", None)
        elif phone.strip() == "无":
            values["phone"] = ""
    return values


@staff_view("member.manage")
def create(request):
    actor = request.actor
    form = MemberCreateForm(request.POST or None, initial={"org_code": request.GET.get("org", actor.org.code)})
    if request.method == "POST" and form.is_valid():
        try:
            org = org_get_by_code(actor, form.cleaned_data["org_code"])
        except Http404:
            form.add_error("org_code", ORG_NOT_IN_SCOPE)
        else:
            try:
                member = services.member_create(actor=actor, org=org, **_member_values(form.cleaned_data, editing=False))
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已登记会员“{member.name}”。")
                return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"form": form, "title": "登记会员"})


@staff_view("member.view")
def detail(request, member_id):
    actor = request.actor
    member = selectors.member_get(actor, member_id)
    return render(request, "members/detail.html", {
        "m": member, "events": selectors.timeline(member), "transfers": member.transfers.select_related("from_org", "to_org").order_by("-id"),
        # Both forms have 日期 and 说明 fields: distinct ids keep each label on its own box.
        "event_form": EventForm(member=member, auto_id="event_%s"), "transfer_form": TransferForm(auto_id="transfer_%s"),
        "can_manage": actor.can("member.manage"), "can_reveal": actor.can("member.reveal"),
    })


@staff_view("member.manage")
def edit(request, member_id):
    actor = request.actor
    member = selectors.member_get(actor, member_id)
    initial = {f: getattr(member, f) for f in services.EDITABLE if f not in ("id_number", "phone")}
    form = MemberEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=actor, member=member, **_member_values(form.cleaned_data, editing=True))
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已保存。")
            return redirect("members:detail", member.pk)
    return render(request, "members/form.html", {"form": form, "title": f"修改会员信息：{member.name}", "m": member})


@require_POST
@staff_view("member.manage")
def record_event(request, member_id):
    member = selectors.member_get(request.actor, member_id)
    form = EventForm(request.POST, member=member)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        flash_service(request, lambda: services.member_record_event(actor=request.actor, member=member, **form.cleaned_data),
                      f"已为“{member.name}”记录{EventKind(kind).label}。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("members:detail", member.pk)


@require_POST
@staff_view("member.manage")
def propose_transfer(request, member_id):
    member = selectors.member_get(request.actor, member_id)
    form = TransferForm(request.POST)
    if form.is_valid():
        to_org = selectors.org_for_transfer(form.cleaned_data["to_code"])
        if to_org is None:
            messages.error(request, "找不到该编码的基层工会，请向转入工会核实其工会编码。")
        else:
            flash_service(request, lambda: services.transfer_propose(actor=request.actor, member=member, to_org=to_org, on=form.cleaned_data["on"], note=form.cleaned_data["note"]), f"已发起转会，等待“{to_org.name}”接收。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("members:detail", member.pk)


@require_POST
@staff_view("member.view")
def reveal(request, member_id, field):
    member = selectors.member_get(request.actor, member_id)
    if field not in services.SENSITIVE:
        raise Http404
    value = services.member_reveal(actor=request.actor, member=member, field=field)
    return HttpResponse(f'<span class="mono" data-testid="revealed-{field}">{value or "—"}</span>')


@require_POST
@staff_view("member.manage")
def open_account(request, member_id):
    member = selectors.member_get(request.actor, member_id)
    username = param_str(request.POST, "username", max_length=150, label="用户名")
    flash_service(request, lambda: services.member_account_create(actor=request.actor, member=member, username=username,
        password=request.POST.get("password", "")), "已开通会员账号。请将用户名和初始密码告知本人，首次登录须修改密码。")
    return redirect("members:detail", member.pk)


@staff_view("member.view")
def transfers(request):
    return render(request, "members/transfers.html", {"rows": selectors.pending_transfers(request.actor)})


@require_POST
@staff_view("member.manage")
def decide_transfer(request, transfer_id, decision):
    actor = request.actor
    transfer = selectors.transfer_get(actor, transfer_id)
    try:
        if decision == "confirm":
            services.transfer_confirm(actor=actor, transfer=transfer)
        elif decision == "reject":
            services.transfer_reject(actor=actor, transfer=transfer, reason=param_str(request.POST, "reason", max_length=1000, label="原因"))
        elif decision == "cancel":
            services.transfer_cancel(actor=actor, transfer=transfer)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied:
        messages.error(request, "只有转入工会（或其上级工会）可以接收或拒绝；只有转出工会（或其上级工会）可以撤回。")
    else:
        messages.success(request, {"confirm": "已接收转会。", "reject": "已拒绝转会。", "cancel": "已撤回转会。"}[decision])
    return redirect("members:transfers")


@staff_view("member.view")
def requests(request):
    rows = selectors.change_requests_for(request.actor).filter(state="pending").order_by("created_at")
    return render(request, "members/requests.html", {"rows": rows})


@require_POST
@staff_view("member.manage")
def decide_request(request, request_id):
    req = selectors.change_request_get(request.actor, request_id)
    flash_service(request, lambda: services.change_request_decide(actor=request.actor, request=req, approve=request.POST.get("approve") == "1",
        reason=param_str(request.POST, "reason", max_length=1000, label="驳回原因")), "已处理该申请。")
    return redirect("members:requests")


# --- import --------------------------------------------------------------------------------


@staff_view("member.manage")
def import_start(request):
    if request.method == "POST":
        job = imports.job_start(request, "members")
        if job is not None:
            return redirect("members:import_job", job.pk)
    return render(request, "members/import.html", {"recent": imports.recent_jobs(request, "members")})


@staff_view("member.manage")
def import_job(request, job_id):
    job = imports.job_get(request.actor, "members", job_id)
    template_name = "members/_job.html" if is_htmx(request) else "members/import_job.html"
    return render(request, template_name, {"job": job})


@require_POST
@staff_view("member.manage")
def import_confirm(request, job_id):
    job = imports.job_confirm(request, imports.job_get(request.actor, "members", job_id))
    if job is None:
        return redirect("members:import")
    return redirect("members:import_job", job.pk)


@staff_view("member.manage")
def import_errors(request, job_id):
    return imports.errors_download(imports.job_get(request.actor, "members", job_id))


# --- 入会率 ----------------------------------------------------------------------------------


@staff_view("member.view")
def stats(request):
    actor = request.actor
    on = param_date(request, "on", default=dt.date.today(), label="统计日期")
    members, employees, rate = selectors.membership_rate(actor, actor.org, on)
    children = selectors.rates_by_child(actor, actor.org, on)
    for row in children:
        row["rate_pct"] = _pct(row["rate"])
    chart = [(row["org"].display_name, round(row["rate"] * 100, 1) if row["rate"] is not None else 0, f"?org={row['org'].code}&subtree=1") for row in children]
    from gonghui.members.panels import groups_chart

    figures = selectors.roster_figures(actor, actor.org)
    return render(request, "members/stats.html", {
        "groups": groups_chart(figures),
        "on": on, "members": members, "employees": employees, "rate": rate, "rate_pct": _pct(rate), "children": children, "chart": chart,
        "figures": figures,
    })


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# --- a member's own page -------------------------------------------------------------------


def me(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.must_change_password:
        return redirect("accounts:password_change")
    member = selectors.member_of_user(request.user)
    if member is None:
        raise Http404("您的账号没有关联会员信息。")
    form = ChangeRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        asked = {f: form.cleaned_data[f] for f in ChangeRequest.FIELDS if form.cleaned_data.get(f)}
        if not asked:
            form.add_error(None, "请填写新手机号或选择新学历。")
        # Every field is checked before any request is written: a refused field is named
        # under its box and nothing is sent, so the member never has half a submission
        # pending while believing the whole of it went through.
        for field, value in asked.items():
            try:
                services.change_request_check(member=member, field=field, value=value)
            except ValidationError as exc:
                form.apply_errors(exc)
        if not form.errors:
            from gonghui.access.actor import Actor
            from gonghui.web.http import client_ip

            actor = Actor(user=request.user, org=member.org, role="member", ip=client_ip(request))
            sent = []
            for field, value in asked.items():
                try:
                    services.change_request_create(actor=actor, member=member, field=field, value=value)
                except ValidationError as exc:  # a request that raced in between
                    form.apply_errors(exc)
                else:
                    sent.append(ChangeRequest.FIELDS[field])
            if sent and not form.errors:
                messages.success(request, f"已提交修改申请（{'、'.join(sent)}），工会审核后生效。")
                return redirect("members:me")
            if sent:
                messages.success(request, f"已提交修改申请（{'、'.join(sent)}）；其余各项未能提交，原因见下方。")
    from gonghui.members.history import member_history

    return render(request, "members/me.html", {
        "m": member, "events": selectors.timeline(member), "form": form,
        "pending": member.change_requests.filter(state="pending"), "history": member_history(member),
    })


def member_home_panel(request) -> Member | None:
    return selectors.member_of_user(request.user)

"""Donation drive pages: input and display only (rules in services, reads in selectors)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.donations import selectors, services
from gonghui.donations.forms import (
    BatchForm,
    DonationForm,
    DriveCreateForm,
    DriveFilterForm,
    DriveForm,
    PeriodForm,
    ReverseForm,
)
from gonghui.donations.models import DonorKind, DriveStatus
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.http import flash_service, staff_view
from gonghui.web.paging import keyset_page
from gonghui.web.params import param_choice, param_id, param_month

NOT_IN_SCOPE = ORG_NOT_IN_SCOPE


@staff_view("donations.view")
def home(request):
    actor = request.actor
    form = DriveFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        try:
            org = org_get_by_code(actor, data["org"])
        except Http404:
            form.add_error("org", NOT_IN_SCOPE)
    qs = selectors.drive_search(actor, q=data.get("q", ""), org=org, status=data.get("status", ""), year=data.get("year"))
    page = keyset_page(qs, order=("-starts_on", "-id"), cursor=request.GET.get("cursor"), size=30)
    figures = selectors.totals_by_drive(actor, [d.pk for d in page.rows])
    rows = [{"drive": d, **figures[d.pk]} for d in page.rows]
    return render(request, "donations/list.html", {"form": form, "page": page, "rows": rows, "statuses": DriveStatus.choices,
                                                    "can_manage": actor.can("donations.manage")})


@staff_view("donations.manage")
def create(request):
    actor = request.actor
    form = DriveCreateForm(request.POST or None, initial={"org_code": actor.org.code if actor.org else ""})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            org = org_get_by_code(actor, data.pop("org_code"))
        except Http404:
            form.add_error("org_code", NOT_IN_SCOPE)
        else:
            try:
                drive = services.drive_create(actor=actor, org=org, **data)
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已发起捐款活动“{drive.name}”。")
                return redirect("donations:detail", drive.pk)
    return render(request, "donations/form.html", {"form": form, "title": "发起捐款活动",
                                                    "purpose": "登记一次捐款活动（如抗震救灾、金秋助学）的名称、用途和起止日期。"})


@staff_view("donations.manage")
def edit(request, drive_id):
    actor = request.actor
    drive = selectors.drive_get(actor, drive_id)
    initial = {f: getattr(drive, f) for f in services.DRIVE_FIELDS}
    form = DriveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.drive_update(actor=actor, drive=drive, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已保存。")
            return redirect("donations:detail", drive.pk)
    return render(request, "donations/form.html", {"form": form, "title": f"修改捐款活动：{drive.name}", "drive": drive,
                                                    "purpose": "修改活动名称、用途和起止日期；已登记的捐款须仍在起止日期之内。"})


@staff_view("donations.view")
def detail(request, drive_id):
    actor = request.actor
    drive = selectors.drive_get(actor, drive_id)
    donations = selectors.records(actor, drive=drive).select_related("reversal", "reversal_of")
    page = keyset_page(donations, order=("-on", "-id"), cursor=request.GET.get("cursor"), size=50)
    can_manage = actor.can("donations.manage")
    return render(request, "donations/detail.html", {
        "drive": drive, "totals": selectors.drive_totals(actor, drive), "page": page, "can_manage": can_manage,
        "form": DonationForm(initial={"on": min(dt.date.today(), drive.ends_on)}) if can_manage and drive.is_open else None,
    })


def _donation_kwargs(actor, drive, data) -> dict:
    kind = data["kind"]
    member = None
    if kind == DonorKind.MEMBER:
        member = selectors.member_for_drive(actor, drive, data.get("member_query", ""))
    return {"member": member, "name": "" if member else data.get("name", ""), "kind": kind, "amount": data["amount"],
            "on": data["on"], "method": data["method"], "note": data.get("note", "")}


@staff_view("donations.manage")
def donate(request, drive_id):
    actor = request.actor
    drive = selectors.drive_get(actor, drive_id)
    form = DonationForm(request.POST or None, initial={"on": min(dt.date.today(), drive.ends_on)})
    if request.method == "POST" and form.is_valid():
        try:
            donation = services.donation_record(actor=actor, drive=drive, **_donation_kwargs(actor, drive, form.cleaned_data))
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已登记：{donation.name} {donation.amount}元。")
            return redirect("donations:detail", drive.pk)
    return render(request, "donations/donate.html", {"form": form, "drive": drive})


@staff_view("donations.manage")
def batch(request, drive_id):
    actor = request.actor
    drive = selectors.drive_get(actor, drive_id)
    form = BatchForm(request.POST or None, initial={"on": min(dt.date.today(), drive.ends_on)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entries, problems = services.batch_entries(actor=actor, drive=drive, text=data["lines"],
                                                   default_amount=data.get("default_amount", ""))
        if problems:
            form.add_error("lines", problems)
        else:
            try:
                created = services.donation_batch(actor=actor, drive=drive, entries=entries, on=data["on"], method=data["method"])
            except ValidationError as exc:
                found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                for key, errors in found.items():
                    form.add_error("lines" if key == "entries" else (key if key in form.fields else None), errors)
            else:
                messages.success(request, f"已登记{len(created)}笔捐款。")
                return redirect("donations:detail", drive.pk)
    return render(request, "donations/batch.html", {"form": form, "drive": drive})


@require_POST
@staff_view("donations.manage")
def set_status(request, drive_id, action):
    drive = selectors.drive_get(request.actor, drive_id)
    service = {"close": services.drive_close, "reopen": services.drive_reopen}.get(action)
    if service is None:
        raise Http404
    try:
        service(actor=request.actor, drive=drive)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "活动已结束。" if action == "close" else "活动已重新开启。")
    return redirect("donations:detail", drive.pk)


@require_POST
@staff_view("donations.manage")
def reverse(request, donation_id):
    donation = selectors.donation_get(request.actor, donation_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写更正原因。")
    else:
        flash_service(request, lambda: services.donation_reverse(actor=request.actor, donation=donation, reason=form.cleaned_data["reason"]), f"已冲正{donation.name}的{donation.amount}元捐款。")
    return redirect("donations:detail", donation.drive_id)


@staff_view("donations.view")
def thanks(request, drive_id):
    """捐款芳名录 for printing: names (and amounts only when asked), never ID numbers."""
    actor = request.actor
    drive = selectors.drive_get(actor, drive_id)
    show_amounts = request.GET.get("amounts") == "1"
    rows = selectors.acknowledgement(actor, drive)
    return render(request, "donations/thanks.html", {
        "drive": drive, "rows": rows, "show_amounts": show_amounts, "totals": selectors.drive_totals(actor, drive),
        "today": dt.date.today(),
    })


def _period(request):
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = request.actor.org
    if data.get("org"):
        try:
            org = org_get_by_code(request.actor, data["org"])
        except Http404:
            form.add_error("org", NOT_IN_SCOPE)
    return form, org, data.get("start"), data.get("end")


@staff_view("donations.view")
def stats(request):
    actor = request.actor
    form, org, start, end = _period(request)
    if org is None:  # the console operator has no working union
        raise Http404
    figures = selectors.subtree_figures(actor, org, start=start, end=end)
    suffix = "".join(f"&{k}={v}" for k, v in (("start", start), ("end", end)) if v)
    by_drive = [(f"{r['drive'].name}（{r['drive'].org.display_name}）", float(r["total"]), f"?drive={r['drive'].pk}{suffix}")
                for r in figures["drives"]]
    by_union = [(u["org"].display_name, float(u["total"]), f"?org={u['org'].code}{suffix}") for u in figures["unions"]]
    by_month = [(m, float(total), f"?month={m}&org={org.code}") for m, total in figures["months"]]
    r = figures["rollup"]
    by_kind = [(label, float(r[key]), f"?kind={k}&org={org.code}{suffix}") for k, label, key in (
        (DonorKind.MEMBER, "会员", "member_amount"), (DonorKind.UNIT, "单位", "unit_amount"), (DonorKind.PERSON, "个人（非会员）", "person_amount"))
        if r[key]]
    return render(request, "donations/stats.html", {
        "form": form, "org": org, "start": start, "end": end, "figures": figures,
        "by_drive": by_drive, "by_union": by_union, "by_month": by_month, "by_kind": by_kind,
    })


@staff_view("donations.view")
def records(request):
    """The donations behind a figure (drive, union, month, donor type)."""
    actor = request.actor
    form, org, start, end = _period(request)
    drive_id = param_id(request, "drive", label="捐款活动")
    drive = selectors.drive_get(actor, drive_id) if drive_id is not None else None
    month = param_month(request, "month")
    kind = param_choice(request, "kind", DonorKind.choices, label="捐款人类别")
    org = org if request.GET.get("org") else None
    start, this_year = selectors.records_start(drive=drive, org=org, month=month, kind=kind, start=start, end=end)
    qs = selectors.records(actor, drive=drive, org=org, month=month, kind=kind, start=start, end=end)
    page = keyset_page(qs, order=("-on", "-id"), cursor=request.GET.get("cursor"), size=50)
    return render(request, "donations/records.html", {"page": page, "drive": drive, "org": org,
                                                       "form": form, "totals": selectors.totals(qs), "month": month,
                                                       "this_year": this_year,
                                                       "kind": dict(DonorKind.choices).get(kind, "")})

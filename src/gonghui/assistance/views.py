"""Hardship and assistance pages: input and display only (rules in services, reads in selectors)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.assistance import selectors, services, sheets
from gonghui.assistance.choices import MANAGED, Status
from gonghui.assistance.forms import (
    ApplyForm,
    ArchiveFilterForm,
    BatchForm,
    BatchSignForm,
    DibaoFilterForm,
    DibaoLineForm,
    FamilyForm,
    HouseholdCreateForm,
    HouseholdForm,
    NonMemberRecordForm,
    RecordFilterForm,
    RecordForm,
    RegionForm,
    ReverseForm,
    StepForm,
    TierForm,
)
from gonghui.exchange import files
from gonghui.members.selectors import member_of_user
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.http import flash_service, staff_view
from gonghui.web.paging import keyset_page
from gonghui.web.params import param_date, param_year

ARCHIVE_KEYS = ("causes", "size", "annual_income", "rigid_expenses", "hardship_spending", "housing", "hukou", "insurance",
                "zero_employment", "single_parent", "health", "disability", "situation")


def _org(request, code):
    if not code:
        return None
    try:
        return org_get_by_code(request.actor, code)
    except Http404:
        return None


def _archive_values(data: dict) -> dict:
    values = {k: data.get(k) for k in ARCHIVE_KEYS if k in data}
    for k in ("annual_income", "rigid_expenses", "hardship_spending"):
        values[k] = "" if values.get(k) is None else str(values[k])
    return values


def _member_by_id(form, field, actor):
    """The member of the actor's subtree with the ID number in `field` (the error is put on
    the form and None returned when it is malformed or unknown)."""
    try:
        return selectors.member_by_id_number(actor, form.cleaned_data[field])
    except ValidationError as exc:
        form.add_error(field, exc.messages[0])
        return None


# --- archives ------------------------------------------------------------------------------


@staff_view("assistance.view")
def home(request):
    actor = request.actor
    form = ArchiveFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = _org(request, data.get("org"))
    qs = selectors.household_search(actor, org=org, subtree=request.GET.get("subtree", "1") != "0", as_of=data.get("as_of"),
                                    status=data.get("status", ""), tier=data.get("tier", ""),
                                    cause=data.get("cause", "") if actor.can("assistance.sensitive") else "",
                                    q=data.get("q", ""), year_class=data.get("year_class", ""), year=data.get("year"),
                                    due=bool(data.get("due")))
    page = keyset_page(qs, order=("-id",), cursor=request.GET.get("cursor"), size=50)
    return render(request, "assistance/list.html", {
        "form": form, "page": page, "can_manage": actor.can("assistance.manage"), "sensitive": actor.can("assistance.sensitive"),
    })


@staff_view("assistance.manage")
def create(request):
    actor = request.actor
    form = HouseholdCreateForm(request.POST or None, initial={"applied_on": dt.date.today(), "size": 1})
    if request.method == "POST" and form.is_valid():
        head = _member_by_id(form, "head_id_number", actor)
        if head is not None:
            try:
                h = services.household_create(actor=actor, head=head, on=form.cleaned_data["applied_on"],
                                              **_archive_values(form.cleaned_data))
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已建立“{head.name}”的困难职工档案（申请）。")
                return redirect("assistance:detail", h.pk)
    return render(request, "assistance/form.html", {"form": form, "title": "新建困难职工档案"})


@staff_view("assistance.view")
def detail(request, household_id):
    actor = request.actor
    h = selectors.household_get(actor, household_id)
    sensitive = actor.can("assistance.sensitive")
    if sensitive:
        services.household_view_sensitive(actor=actor, household=h)
    records = selectors.record_search(actor, household=h).order_by("-on", "-id")[:50]
    return render(request, "assistance/detail.html", {
        "h": h, "sensitive": sensitive, "can_manage": actor.can("assistance.manage"),
        "family": list(h.family.all()) if sensitive else [], "spells": selectors.timeline(h, actor), "records": records,
        "per_capita": services.per_capita_monthly(h.income, h.expenses or 0, h.size) if sensitive and h.income is not None else None,
        "line": services.dibao_line_for(h.org, h.dibao_year) if h.dibao_year else None,
        "tier_form": TierForm(initial={"tier": h.tier or h.suggested_tier}),
        "step_form": StepForm(initial={"on": dt.date.today()}, status=h.status),
        "family_form": FamilyForm(), "managed": h.status in MANAGED,
        "verify_overdue": services.verification_overdue(h, dt.date.today()),
    })


@staff_view("assistance.manage")
def edit(request, household_id):
    actor = request.actor
    h = selectors.household_get(actor, household_id)
    actor.require("assistance.sensitive")  # the form shows income and health
    services.household_view_sensitive(actor=actor, household=h)
    initial = {k: getattr(h, k) for k in ARCHIVE_KEYS}
    initial["causes"] = h.cause_list
    form = HouseholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=actor, household=h, **_archive_values(form.cleaned_data))
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已保存。")
            return redirect("assistance:detail", h.pk)
    return render(request, "assistance/form.html", {"form": form, "title": f"修改困难职工档案：{h.head.name}", "h": h})


def _post_action(request, household_id, form_class, call, ok):
    h = selectors.household_get(request.actor, household_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(h, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, ok)
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("assistance:detail", h.pk)


@require_POST
@staff_view("assistance.manage")
def tier(request, household_id):
    return _post_action(request, household_id, TierForm, lambda h, d: services.household_confirm_tier(
        actor=request.actor, household=h, tier=d["tier"], reason=d["reason"], on=d.get("on")), "已确定困难类别。")


@require_POST
@staff_view("assistance.manage")
def step(request, household_id):
    return _post_action(request, household_id, StepForm, lambda h, d: services.household_transition(
        actor=request.actor, household=h, **d), "已办理。")


@require_POST
@staff_view("assistance.manage")
def verify(request, household_id):
    h = selectors.household_get(request.actor, household_id)
    flash_service(request, lambda: services.household_verify(actor=request.actor, household=h), "已记录本年度核实。")
    return redirect("assistance:detail", h.pk)


@require_POST
@staff_view("assistance.manage")
def family(request, household_id):
    def add(h, d):
        request.actor.require("assistance.sensitive")
        d = {**d, "income": "" if d.get("income") is None else str(d["income"])}
        services.family_member_add(actor=request.actor, household=h, **d)

    return _post_action(request, household_id, FamilyForm, add, "已添加家庭成员。")


@staff_view("assistance.view")
def due(request):
    rows = selectors.due_for_verification(request.actor, request.actor.org).order_by("last_verified_on", "id")
    page = keyset_page(rows, order=("id",), cursor=request.GET.get("cursor"), size=50)
    return render(request, "assistance/due.html", {"page": page})


# --- self-service ----------------------------------------------------------------------------


@staff_view("self.member")
def apply(request):
    member = member_of_user(request.user)
    if member is None:
        raise Http404("您的账号没有关联会员信息。")
    existing = selectors.household_of_member(member)
    reapply = existing is not None and existing.status == Status.REJECTED
    form = ApplyForm(request.POST or None, initial={"size": 1})
    if (existing is None or reapply) and request.method == "POST" and form.is_valid():
        apply_once = services.household_reapply if reapply else services.household_apply
        try:
            apply_once(actor=request.actor, member=member, **_archive_values(form.cleaned_data))
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已提交困难帮扶申请，工会审核后会与您联系。")
            return redirect("assistance:apply")
    return render(request, "assistance/apply.html", {"form": form, "existing": existing, "m": member, "reapply": reapply})


# --- assistance records ------------------------------------------------------------------------


def _record_filters(request):
    form = RecordFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        try:
            org = org_get_by_code(request.actor, data["org"])
        except Http404:
            form.add_error("org", ORG_NOT_IN_SCOPE)
            return form, selectors.records_for(request.actor).none(), True
    qs = selectors.record_search(request.actor, occasion=data.get("occasion", ""), funding=data.get("funding", ""),
                                 start=data.get("start"), end=data.get("end"), month=data.get("month", ""),
                                 org=org, subtree=request.GET.get("subtree", "1") != "0", standing=bool(data.get("standing")),
                                 recipient=data.get("recipient", ""))
    return form, qs, bool(data.get("start") or data.get("end") or data.get("month"))


@staff_view("assistance.view")
def records(request):
    form, qs, dated = _record_filters(request)
    page = keyset_page(qs, order=("-on", "-id"), cursor=request.GET.get("cursor"), size=50)
    return render(request, "assistance/records.html", {
        "form": form, "page": page, "sums": selectors.list_totals(qs, dated=dated), "can_manage": request.actor.can("assistance.manage"),
        "can_reveal": request.actor.can("member.reveal"),
        "batches": selectors.batches_for(request.actor).select_related("org").order_by("-on", "-id")[:20],
    })


@staff_view("assistance.manage")
def record_create(request):
    actor = request.actor
    form = RecordForm(request.POST or None, initial={"on": dt.date.today(), "funding": "own"})
    if request.method == "POST" and form.is_valid():
        m = _member_by_id(form, "id_number", actor)
        if m is not None:
            h = selectors.household_of_member(m)
            try:
                services.record_create(actor=actor, household=h, member=m, note=form.cleaned_data["note"], **form.package())
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已登记对“{m.name}”的帮扶。")
                return redirect("assistance:records")
    return render(request, "assistance/form.html", {"form": form, "title": "登记帮扶记录"})


@staff_view("assistance.manage")
def nonmember_record_create(request):
    """登记非会员帮扶: a resident (name and ID number) or a paired village / group of households."""
    actor = request.actor
    form = NonMemberRecordForm(request.POST or None, initial={"on": dt.date.today(), "funding": "own", "org_code": actor.org.code})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = _org(request, d["org_code"])
        if org is None:
            form.add_error("org_code", ORG_NOT_IN_SCOPE)
        else:
            try:
                record = services.nonmember_record_create(
                    actor=actor, org=org, recipient=d["recipient"], name=d["name"], id_number=d.get("id_number", ""),
                    households=d.get("households"), people=d.get("people"), note=d.get("note", ""), **form.package())
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, f"已登记对“{record.recipient_name}”（{record.get_recipient_display()}）的帮扶，与会员分开统计。")
                return redirect(f"{reverse('assistance:records')}?recipient=nonmember")
    return render(request, "assistance/form.html", {"form": form, "title": "登记非会员帮扶（居民、包联村）"})


@require_POST
@staff_view("assistance.view")
def record_reveal(request, record_id):
    """The full ID number of a non-member resident (member.reveal; audited), for htmx."""
    from django.http import HttpResponse
    from django.utils.html import escape

    record = selectors.record_get(request.actor, record_id)
    try:
        value = services.record_reveal_id(actor=request.actor, record=record)
    except ValidationError as exc:
        return HttpResponse(escape(exc.messages[0]), status=400)
    return HttpResponse(f'<span class="mono" data-testid="revealed-id">{escape(value)}</span>')


@require_POST
@staff_view("assistance.manage")
def record_reverse(request, record_id):
    record = selectors.record_get(request.actor, record_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲销原因。")
    else:
        flash_service(request, lambda: services.record_reverse(actor=request.actor, record=record, reason=form.cleaned_data["reason"]), "已冲销。如需更正，请重新登记一条正确的记录。")
    return redirect("assistance:records")


@require_POST
@staff_view("assistance.manage")
def record_sign(request, record_id):
    record = selectors.record_get(request.actor, record_id)
    flash_service(request, lambda: services.record_sign(actor=request.actor, record=record), "已登记签收。")
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/assistance/") else "assistance:records")


def _chosen(actor, org, data):
    """The households a batch form names: the ticked ones (whatever their state now, so the
    preview can say why one cannot be given), else those of the tier, else all under
    management at `org` and below."""
    if data["households"]:
        return selectors.households_for(actor).filter(pk__in=[int(x) for x in data["households"]])
    chosen = selectors.batch_candidates(actor).filter(org_path__startswith=org.path)
    return chosen.filter(tier=data["tier"]) if data["tier"] else chosen


CHOOSER_LIMIT = 1000


@staff_view("assistance.manage")
def batch_create(request):
    """Nothing is written until the user confirms a preview; the confirmation carries the
    preview's token and is refused, with the differences, if anything changed since."""
    actor = request.actor
    candidates = list(selectors.batch_candidates(actor)[:CHOOSER_LIMIT + 1])
    chooser, more = candidates[:CHOOSER_LIMIT], len(candidates) > CHOOSER_LIMIT
    # A ticked household that left management since the page was drawn stays in the list,
    # so the preview can say why it cannot be given rather than the form rejecting a choice.
    posted = [int(x) for x in request.POST.getlist("households") if x.isascii() and x.isdigit() and len(x) <= 18]
    listed = {h.pk for h in chooser}
    chooser += list(selectors.households_for(actor).filter(pk__in=[pk for pk in posted if pk not in listed])
                    .select_related("head", "org").order_by("head__name_pinyin", "id"))
    form = BatchForm(request.POST or None, household_choices=[(str(h.pk), h.head.name) for h in chooser],
                     initial={"on": dt.date.today(), "funding": "own", "org_code": actor.org.code, "occasion": "new_year"})
    plan, changes, refused = None, [], False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = _org(request, d["org_code"])
        if org is None:
            form.add_error("org_code", ORG_NOT_IN_SCOPE)
        else:
            values = {"org": org, "title": d["title"], "residents": d["residents"],
                      "households": [] if d["only_residents"] else list(_chosen(actor, org, d)), **form.package()}
            token = request.POST.get("preview", "")
            if request.POST.get("action") == "confirm" and token:
                try:
                    batch = services.batch_create(actor=actor, preview=token, **values)
                except services.PlanChanged as exc:
                    changes = exc.messages
                except ValidationError as exc:
                    form.apply_errors(exc)
                    refused = True
                else:
                    messages.success(request, f"已发放：{batch.title}，{batch.records.count()}户。")
                    return redirect("assistance:batch", batch.pk)
            plan = services.batch_preview(actor=actor, **values)
            if not refused:
                for key, message in plan.errors.items():
                    form.add_error(key if key in form.fields else None, message)
    ticked = set(form["households"].value() or [])
    return render(request, "assistance/batch_form.html", {
        "form": form, "plan": plan, "changes": changes, "more": more, "limit": CHOOSER_LIMIT,
        "chooser": [(h, str(h.pk) in ticked, services.verification_overdue(h, dt.date.today())) for h in chooser],
    })


@staff_view("assistance.view")
def batch(request, batch_id):
    b = selectors.batch_get(request.actor, batch_id)
    rows = selectors.batch_rows(b)
    sums = selectors.totals(b.records.all())
    return render(request, "assistance/batch.html", {
        "b": b, "rows": rows, "sums": sums, "signed": sum(1 for r in rows if r.signed),
        "can_manage": request.actor.can("assistance.manage"), "sign_form": BatchSignForm(initial={"on": dt.date.today()}),
    })


@require_POST
@staff_view("assistance.manage")
def batch_sign(request, batch_id):
    actor = request.actor
    b = selectors.batch_get(actor, batch_id)
    form = BatchSignForm(request.POST)
    ids = [int(x) for x in request.POST.getlist("records") if x.isascii() and x.isdigit() and len(x) <= 18]
    if not form.is_valid():
        messages.error(request, "请填写签收日期。")
    else:
        records = list(selectors.records_for(actor).filter(pk__in=ids))
        if len(records) != len(set(ids)):
            messages.error(request, "所选记录有的不属于该批次。")
        else:
            try:
                n = services.batch_sign(actor=actor, batch=b, records=records, on=form.cleaned_data["on"])
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, f"已登记{n}户签收。")
    return redirect("assistance:batch", b.pk)


ORIENTATIONS = {"portrait": "A4 纵向", "landscape": "A4 横向"}


@staff_view("assistance.view")
def sign_sheet(request, batch_id):
    b = selectors.batch_get(request.actor, batch_id)
    orientation = request.GET.get("orientation")
    orientation = orientation if orientation in ORIENTATIONS else "portrait"
    rows = services.batch_sign_sheet(actor=request.actor, batch=b)
    pages = selectors.sign_sheet_pages(rows, orientation=orientation)
    cash, goods = sum((p.cash for p in pages), Decimal(0)), sum((p.goods for p in pages), Decimal(0))
    return render(request, "assistance/sign_sheet.html", {
        "b": b, "rows": rows, "pages": pages, "orientation": orientation, "orientations": ORIENTATIONS,
        "cash": cash, "goods": goods, "total": cash + goods,
    })


@staff_view("assistance.view")
def batch_export(request, batch_id):
    b = selectors.batch_get(request.actor, batch_id)
    path = sheets.payments_export(actor=request.actor, queryset=b.records.all(), label=b.title)
    return files.send_and_delete(path, f"发放名单-{b.title}.xlsx")


# --- statistics ----------------------------------------------------------------------------


@staff_view("assistance.view")
def stats(request):
    actor = request.actor
    on = param_date(request, "on", default=dt.date.today(), label="统计日期")
    year = param_year(request, "year", default=on.year, min_value=2000, max_value=2100, label="统计年度")
    return render(request, "assistance/stats.html", {"on": on, "year": year, "f": selectors.figures(actor, actor.org, on=on, year=year)})




# --- 低保 lines and regions ------------------------------------------------------------------


@staff_view("assistance.view")
def dibao_list(request):
    form = DibaoFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    actor = request.actor
    return render(request, "assistance/dibao_list.html", {
        "form": form, "lines": selectors.dibao_lines(region=data.get("region", ""), year=data.get("year"))[:500],
        "can_edit": services.dibao_editable(actor), "region": services.region_of(actor.org) if actor.org else "",
    })


def _require_dibao_editor(actor) -> None:
    if not services.dibao_editable(actor):
        raise PermissionDenied("低保标准由平台最高一级的系统管理员维护。")


@staff_view("assistance.manage")
def dibao_edit(request, line_id=None):
    actor = request.actor
    _require_dibao_editor(actor)
    line = selectors.dibao_line_get(line_id) if line_id is not None else None
    initial = {"year": dt.date.today().year} if line is None else {
        "region_code": line.region_code, "region_name": line.region_name, "year": line.year,
        "monthly_amount": line.monthly_amount, "note": "" if line.is_sample else line.note}
    form = DibaoLineForm(request.POST or None, initial=initial, line=line)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.dibao_line_save(actor=actor, region_code=d.get("region_code") or "", region_name=d["region_name"],
                                             year=d.get("year"), monthly_amount=d["monthly_amount"], note=d.get("note", ""),
                                             line=line)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已保存{saved.region_name}{saved.year}年低保标准：每人每月{saved.monthly_amount}元。")
            return redirect(f"{reverse('assistance:dibao')}?region={saved.region_code}")
    title = "新增低保标准" if line is None else f"修改低保标准：{line.region_name}{line.year}年"
    return render(request, "assistance/dibao_form.html", {"form": form, "title": title, "line": line})


@staff_view("assistance.view")
def region(request):
    actor = request.actor
    can_manage = actor.can("assistance.manage")
    regions = selectors.dibao_regions()
    form = RegionForm(request.POST or None, regions=regions,
                      initial={"org_code": actor.org.code, "region_code": services.region_of(actor.org)})
    if request.method == "POST":
        actor.require("assistance.manage")
        if form.is_valid():
            org = _org(request, form.cleaned_data["org_code"])
            if org is None:
                form.add_error("org_code", ORG_NOT_IN_SCOPE)
            else:
                try:
                    services.region_set(actor=actor, org=org, region_code=form.cleaned_data["region_code"])
                except ValidationError as exc:
                    form.apply_errors(exc)
                else:
                    code = form.cleaned_data["region_code"]
                    messages.success(request, f"已将“{org.name}”的低保地区设为{dict(regions).get(code, '')}（{code}）。")
                    return redirect("assistance:region")
    code = services.region_of(actor.org)
    names = dict(regions)
    return render(request, "assistance/region.html", {
        "form": form, "can_manage": can_manage, "settings": selectors.region_settings_for(actor)[:500],
        "current": code, "current_name": names.get(code, ""),
        "line": services.dibao_line_for(actor.org, dt.date.today().year),
    })

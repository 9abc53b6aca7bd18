"""Member benefit pages: input and display only (rules in services, reads in selectors)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.benefits import selectors, services, sheets
from gonghui.benefits.forms import (
    BatchForm,
    ChooseForm,
    CorrectForm,
    RecordFilterForm,
    RecordForm,
    ReverseForm,
    RuleForm,
    RuleSetForm,
)
from gonghui.benefits.models import Kind
from gonghui.exchange import files
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.http import flash_service, staff_view
from gonghui.web.paging import keyset_page
from gonghui.web.params import param_id, param_year

BENEFIT_FIELDS = ("kind", "festival", "on", "form", "amount", "goods", "illness", "override_reason")
NOT_FOUND_ORG = ORG_NOT_IN_SCOPE


def _filters(request, *, overrides: bool = False):
    form = RecordFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        try:
            org = org_get_by_code(request.actor, data["org"])
        except Http404:
            form.add_error("org", NOT_FOUND_ORG)
    qs = selectors.record_search(
        request.actor, kind=data.get("kind", ""), festival=data.get("festival", ""), start=data.get("start"), end=data.get("end"),
        org=org, subtree=bool(data.get("subtree")) or not data.get("org"), q=data.get("q", ""), overrides=overrides,
    )
    return form, qs


@staff_view("benefits.view")
def home(request):
    form, qs = _filters(request)
    page = keyset_page(qs, order=("-on", "-id"), cursor=request.GET.get("cursor"), size=50)
    return render(request, "benefits/home.html", {"form": form, "page": page, "kinds": Kind.choices})


@staff_view("benefits.view")
def compliance(request):
    form, qs = _filters(request, overrides=True)
    page = keyset_page(qs.select_related("overridden_by", "batch"), order=("-on", "-id"), cursor=request.GET.get("cursor"), size=50)
    batches = selectors.batches_for(request.actor).exclude(override_reason="").select_related("org", "overridden_by").order_by("-on", "-id")[:50]
    return render(request, "benefits/compliance.html", {"form": form, "page": page, "batches": batches, "kinds": Kind.choices})


@staff_view("benefits.view")
def export(request):
    _form, qs = _filters(request)
    path, _n = sheets.benefits_export(actor=request.actor, queryset=qs, label=f"（{request.actor.org.name}）")
    return files.send_and_delete(path, "会员慰问.xlsx")


@staff_view("benefits.view")
def template(request):
    return files.send_and_delete(sheets.benefits_template(), "会员慰问导入模板.xlsx")


def _benefit_values(data: dict) -> dict:
    return {k: data.get(k) or ("" if k != "amount" else data.get(k)) for k in BENEFIT_FIELDS}


def _apply(form, call):
    """Run a service; its refusal lands on the form. Returns the result or None."""
    try:
        return call()
    except ValidationError as exc:
        form.apply_errors(exc)
    except PermissionDenied as exc:
        form.add_error("override_reason" if "override_reason" in form.fields else None, str(exc))
    return None


@staff_view("benefits.manage")
def record_create(request):
    actor = request.actor
    form = RecordForm(request.POST or None, initial={"on": dt.date.today(), "member": request.GET.get("member", "")})
    if request.method == "POST" and form.is_valid():
        member = selectors.member_by_key(actor, form.cleaned_data["member"])
        if member is None:
            form.add_error("member", "找不到该身份证号或会员证号的会员，或该会员不在您的管辖范围内。")
        else:
            record = _apply(form, lambda: services.benefit_create(actor=actor, member=member, note=form.cleaned_data["note"],
                                                                  **_benefit_values(form.cleaned_data)))
            if record is not None:
                messages.success(request, f"已登记：{member.name} {record.kind_label}{record.amount}元。")
                return redirect("benefits:record", record.pk)
    return render(request, "benefits/record_form.html", {"form": form, "title": "登记会员慰问"})


@staff_view("benefits.view")
def record_detail(request, record_id):
    actor = request.actor
    record = selectors.record_get(actor, record_id)
    reversal = getattr(record, "reversal", None) if record.is_reversed else None
    can_see_illness = actor.can("benefits.sensitive")
    illness = ""
    if can_see_illness and record.illness and request.GET.get("reveal") == "illness":
        illness = services.benefit_illness_reveal(actor=actor, record=record)
    return render(request, "benefits/record_detail.html", {
        "r": record, "reversal": reversal, "reverse_form": ReverseForm(),
        "can_manage": actor.can("benefits.manage"), "can_see_illness": can_see_illness, "illness": illness,
        "year_total": selectors.year_total(record.member, record.kind, record.on.year),
    })


@require_POST
@staff_view("benefits.manage")
def record_reverse(request, record_id):
    record = selectors.record_get(request.actor, record_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲销原因。")
    else:
        flash_service(request, lambda: services.benefit_reverse(actor=request.actor, record=record, reason=form.cleaned_data["reason"]), "已冲销该记录。")
    return redirect("benefits:record", record.pk)


@staff_view("benefits.manage")
def record_correct(request, record_id):
    actor = request.actor
    record = selectors.record_get(actor, record_id)
    if record.is_reversal or record.is_reversed:
        messages.error(request, "冲销记录和已冲销的记录不能更正。")
        return redirect("benefits:record", record.pk)
    initial = {k: getattr(record, k) for k in ("kind", "festival", "on", "form", "amount", "goods")}
    if record.illness and request.method != "POST" and actor.can("benefits.sensitive"):
        initial["illness"] = services.benefit_illness_reveal(actor=actor, record=record, purpose="更正时查看")
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        new = _apply(form, lambda: services.benefit_correct(actor=actor, record=record, reason=form.cleaned_data["reason"],
                                                            **_benefit_values(form.cleaned_data)))
        if new is not None:
            messages.success(request, "已冲销原记录并登记更正后的记录。")
            return redirect("benefits:record", new.pk)
    return render(request, "benefits/record_form.html", {"form": form, "title": f"更正会员慰问：{record.member.name}", "r": record})


def _batch_members(request, form):
    """(org, members) for the batch form, or None with errors on the form."""
    actor, data = request.actor, form.cleaned_data
    try:
        org = org_get_by_code(actor, data["org_code"])
    except Http404:
        form.add_error("org_code", NOT_FOUND_ORG)
        return None
    selection = data["selection"]
    if selection == "birthday" and not data.get("month"):
        form.add_error("month", "请选择生日月份。")
        return None
    ids = ()
    if selection == "list":
        found, problems = selectors.listed_members(actor, org, (data.get("member_list") or "").splitlines(),
                                                   subtree=bool(data.get("subtree")))
        if problems:
            shown = problems[:50] + ([f"……另有{len(problems) - 50}个"] if len(problems) > 50 else [])
            form.add_error("member_list", "找不到以下会员，或不能向其发放：" + "；".join(shown))
            return None
        ids = [m.pk for m in found]
    members = list(selectors.eligible_members(actor, org, subtree=bool(data.get("subtree")), selection=selection,
                                              month=data.get("month"), ids=ids))
    return org, members


@staff_view("benefits.manage")
def batch_create(request):
    actor = request.actor
    form = BatchForm(request.POST or None, initial={"on": dt.date.today(), "org_code": actor.org.code, "subtree": True})
    preview = None
    if request.method == "POST" and form.is_valid():
        picked = _batch_members(request, form)
        if picked is not None:
            org, members = picked
            data = form.cleaned_data
            values = {k: data.get(k) or "" for k in ("kind", "festival", "on", "form", "goods", "illness")}
            values["amount"] = data["amount"]
            if request.POST.get("action") == "confirm":
                batch = _apply(form, lambda: services.benefit_batch_create(
                    actor=actor, org=org, title=data["title"], selection=data["selection"], members=members,
                    override_reason=data.get("override_reason") or "",
                    selection_label=selectors.SELECTIONS[data["selection"]], **values))
                if batch is not None:
                    messages.success(request, f"已发放：{batch.title}，共{batch.records.count()}人。")
                    return redirect("benefits:batch", batch.pk)
            preview = services.batch_check(actor=actor, members=members, selection=data["selection"], **values)
            for key, message in preview.errors.items():
                form.add_error(key if key in form.fields else None, message)
    context = {"form": form, "preview": preview, "can_override": actor.can("benefits.override")}
    if preview is not None:
        context.update(_preview_page(request, preview))
    return render(request, "benefits/batch.html", context)


PREVIEW_ROWS = 100


def _preview_page(request, preview) -> dict:
    """One page of a batch preview (a district's batch has thousands of rows); the totals
    stay those of the whole batch. The pages are buttons of the same form, so each page is
    checked again against the current data like the first."""
    rows = list(preview.rows())
    pages = max(1, -(-len(rows) // PREVIEW_ROWS))
    raw = request.POST.get("preview_page", "")
    number = min(int(raw), pages) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1
    start = (number - 1) * PREVIEW_ROWS
    return {"preview_rows": rows[start:start + PREVIEW_ROWS], "preview_first": start + 1, "preview_number": number,
            "preview_size": PREVIEW_ROWS,
            "preview_pages": pages,
            "preview_problems": [m for _, problems in rows for m in problems][:200]}


@staff_view("benefits.view")
def batch_detail(request, batch_id):
    batch = selectors.batch_get(request.actor, batch_id)
    page = keyset_page(batch.records.select_related("member", "org"), order=("org_path", "id"), cursor=request.GET.get("cursor"), size=100)
    return render(request, "benefits/batch_detail.html", {"b": batch, "page": page, "totals": selectors.batch_totals(batch)})


# --- rule table ------------------------------------------------------------------------------


@staff_view("benefits.view")
def rules(request):
    actor = request.actor
    today = dt.date.today()
    applying = selectors.ruleset_for(actor.org.path, today)
    applying_rules = selectors.rules_of(applying)  # one query, not one per kind
    return render(request, "benefits/rules.html", {
        "rulesets": selectors.rulesets_for(actor), "applying": applying,
        "applying_rules": applying_rules.values(),
        "unlisted": [label for kind, label in Kind.choices if applying and kind not in applying_rules],
        "own": selectors.own_choice(actor.org), "choices": selectors.choices_for(actor),
        "choose_form": ChooseForm(initial={"org_code": actor.org.code}),
        "new_form": RuleSetForm(initial={"effective_from": today.replace(month=1, day=1)}),
        "can_edit": actor.can("benefits.rules"),
    })


def _rule_forms(ruleset, data=None):
    rules = {r.kind: r for r in ruleset.rules.all()}
    forms = []
    for kind, label in Kind.choices:
        r = rules.get(kind)
        initial = {f: getattr(r, f) for f in services.RULE_FIELDS} if r else {"requires_dues": True}
        forms.append((kind, label, RuleForm(data, prefix=kind, initial=initial)))
    return forms


@staff_view("benefits.view")
def ruleset_detail(request, ruleset_id):
    actor = request.actor
    ruleset = selectors.ruleset_get(actor, ruleset_id)
    post = request.POST if request.method == "POST" else None
    if post is not None:
        actor.require("benefits.rules")
    form = RuleSetForm(post, initial={f: getattr(ruleset, f) for f in services.RULESET_FIELDS})
    rule_forms = _rule_forms(ruleset, post)
    if post is not None and form.is_valid() and all(f.is_valid() for _, _, f in rule_forms):
        rules_data = {kind: f.cleaned_data for kind, _, f in rule_forms}
        try:
            services.ruleset_update(actor=actor, ruleset=ruleset, rules=rules_data, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存慰问标准。")
            return redirect("benefits:ruleset", ruleset.pk)
    maintains = actor.is_operator if ruleset.org_id is None else actor.covers(ruleset.org)
    return render(request, "benefits/ruleset.html", {"rs": ruleset, "form": form, "rule_forms": rule_forms,
                                                     "can_edit": actor.can("benefits.rules") and maintains})


@require_POST
@staff_view("benefits.rules")
def ruleset_new(request):
    actor = request.actor
    form = RuleSetForm(request.POST)
    try:
        source = selectors.ruleset_get(actor, param_id(request.POST, "copy_from", default=0, label="要复制的慰问标准"))
    except Http404:
        messages.error(request, "请选择要复制的慰问标准。")
        return redirect("benefits:rules")
    if not form.is_valid():
        messages.error(request, "请填写标准名称、适用地区和生效日期。")
        return redirect("benefits:rules")
    try:
        ruleset = services.ruleset_create(actor=actor, org=actor.org, copy_from=source, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("benefits:rules")
    messages.success(request, f"已新建“{ruleset.name}”，请核对各项标准。")
    return redirect("benefits:ruleset", ruleset.pk)


@require_POST
@staff_view("benefits.rules")
def rules_choose(request):
    actor = request.actor
    form = ChooseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写工会编码。")
        return redirect("benefits:rules")
    try:
        org = org_get_by_code(actor, form.cleaned_data["org_code"])
        ruleset = selectors.ruleset_get(actor, form.cleaned_data["ruleset"]) if form.cleaned_data.get("ruleset") else None
    except Http404:
        messages.error(request, "找不到该工会或慰问标准，或不在您的管辖范围内。")
        return redirect("benefits:rules")
    flash_service(request, lambda: services.ruleset_choose(actor=actor, org=org, ruleset=ruleset), f"“{org.name}”" + (f"已采用“{ruleset.name}”。" if ruleset else "改为沿用上级工会的慰问标准。"))
    return redirect("benefits:rules")


# --- statistics ------------------------------------------------------------------------------


@staff_view("benefits.view")
def stats(request):
    actor = request.actor
    year = param_year(request, "year", default=dt.date.today().year, label="统计年度")
    figures = selectors.figures(actor, actor.org, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return render(request, "benefits/stats.html", {"f": figures, "year": year, "years": range(dt.date.today().year, 2019, -1)})

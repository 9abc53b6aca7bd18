"""Union tree pages. Input and display only: rules live in services, reads in selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.exchange import files
from gonghui.orgs import selectors, services, sheets
from gonghui.orgs.forms import (
    DeactivateForm,
    HomeLevelForm,
    MoveForm,
    OfficerFormSet,
    OrgFilterForm,
    OrgForm,
    TermForm,
)
from gonghui.orgs.models import Level, Org
from gonghui.web.http import flash_service, staff_view
from gonghui.web.paging import keyset_page, sort_order
from gonghui.web.params import param_id, param_str

SORTS = {
    "code": ("code", "id"),
    "-code": ("-code", "-id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "employees": ("employee_count", "id"),
    "-employees": ("-employee_count", "-id"),
    "level": ("level", "code", "id"),
    "-level": ("-level", "-code", "-id"),
}


def _employees_shown(orgs) -> None:
    """Sets `employees` on each union: its own 职工人数 for a grassroots union or below;
    above that the sum over the active grassroots unions of its subtree (what the
    dashboard and 入会率 use; their own figure is usually 0), with `employees_summed`."""
    high = [o for o in orgs if o.level < Level.GRASSROOTS]
    sums = {}
    if high:
        anywhere = Q()
        for o in high:
            anywhere |= Q(path__startswith=o.path)
        sums = Org.objects.filter(anywhere, level=Level.GRASSROOTS, is_active=True).aggregate(
            **{f"o{o.pk}": Sum("employee_count", filter=Q(path__startswith=o.path)) for o in high})
    for o in orgs:
        o.employees_summed = o.level < Level.GRASSROOTS
        o.employees = (sums.get(f"o{o.pk}") or 0) if o.employees_summed else o.employee_count


def _org_form_initial(org: Org) -> dict:
    return {name: getattr(org, name) for name in services.EDITABLE_FIELDS}


@staff_view("org.view")
def tree(request):
    actor = request.actor
    root = actor.org
    return render(
        request,
        "orgs/tree.html",
        {"root": root, "children": selectors.org_children(actor, root), "breadcrumbs": selectors.org_breadcrumbs(actor, root)},
    )


@staff_view("org.view")
def children(request, org_id):
    org = selectors.org_get(request.actor, org_id)
    return render(request, "orgs/_children.html", {"children": selectors.org_children(request.actor, org)})


@staff_view("org.view")
def org_list(request):
    actor = request.actor
    form = OrgFilterForm(request.GET or None)
    form.fields["level"].choices = [("", "全部层级")] + [(str(v), label) for v, label in Level.choices]
    data = form.cleaned_data if form.is_valid() else {}
    under = selectors.org_get_by_code(actor, data["under"]) if data.get("under") else None
    qs = selectors.org_search(
        actor, q=data.get("q", ""), kind=data.get("kind", ""), level=data.get("level", ""), status=data.get("status") or "active",
        under=under,
    )
    sort, order = sort_order(request, SORTS, "code")
    page = keyset_page(qs, order=order, cursor=request.GET.get("cursor"), size=50)
    _employees_shown(page.rows)
    return render(request, "orgs/list.html", {"form": form, "page": page, "default_sort": "code"})


@staff_view("org.view")
def lookup(request):
    """Suggestions for union pickers (code or name), within the actor's scope."""
    # The pickers send their own field's name: a parent picker parent_code, a union picker org_code.
    q = ""
    for name in ("q", "parent_code", "org_code"):
        q = q or param_str(request, name, max_length=100, label="查询内容")
    rows = []
    if q.strip():
        rows = list(selectors.org_search(request.actor, q=q).order_by("level", "code")[:15])
    return render(request, "orgs/_lookup.html", {"rows": rows})


@staff_view("org.view")
def detail(request, org_id):
    actor = request.actor
    org = selectors.org_get(actor, org_id)
    terms = list(selectors.terms_for(org))
    current = selectors.current_term(org)
    children = selectors.org_children(actor, org, include_inactive=True)
    _employees_shown([org, *children])
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "breadcrumbs": selectors.org_breadcrumbs(actor, org),
            "children": children,
            "terms": terms,
            "current": current,
            "current_officers": selectors.officers_sorted(current) if current else [],
            "can_manage": actor.can("org.manage"),
            "parent_linkable": org.parent is not None and actor.covers(org.parent),
            "home_levels": list(selectors.home_levels_of(actor, org)),
            "home_level_form": HomeLevelForm(),
        },
    )


@require_POST
@staff_view("org.manage")
def home_levels(request, org_id):
    """Add a 职工之家 conferral (action=add) or remove one entered by mistake (action=remove)."""
    actor = request.actor
    org = selectors.org_get(actor, org_id)
    if request.POST.get("action") == "remove":
        award = selectors.home_level_award_get(actor, org, param_id(request.POST, "award", label="评定记录"))
        flash_service(request, lambda: services.home_level_remove(actor=actor, award=award), "已删除该评定记录。")
        return redirect("orgs:detail", org.pk)
    form = HomeLevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("orgs:detail", org.pk)
    d = form.cleaned_data
    flash_service(request, lambda: services.home_level_add(actor=actor, org=org, level=d["level"], conferred_on=d["conferred_on"],
                                                           conferred_by=d["conferred_by"], document_no=d["document_no"]),
                  "已登记职工之家评定。")
    return redirect("orgs:detail", org.pk)


@staff_view("org.manage")
def create(request):
    actor = request.actor
    parent = selectors.org_get(actor, param_id(request, "parent", default=actor.org.pk, label="上级工会"))
    form = OrgForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=actor, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已新建“{org.name}”。")
            return redirect("orgs:detail", org.pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "parent": parent, "title": "新建下级工会", "breadcrumbs": selectors.org_breadcrumbs(actor, parent)},
    )


@staff_view("org.manage")
def edit(request, org_id):
    actor = request.actor
    org = selectors.org_get(actor, org_id)
    form = OrgForm(request.POST or None, initial=_org_form_initial(org))
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=actor, org=org, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("orgs:detail", org.pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "org": org, "parent": org.parent, "title": f"修改：{org.name}", "breadcrumbs": selectors.org_breadcrumbs(actor, org)},
    )


@staff_view("org.manage")
def move(request, org_id):
    actor = request.actor
    org = selectors.org_get(actor, org_id)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_parent = selectors.org_get_by_code(actor, form.cleaned_data["parent_code"])
        except Exception:  # a 404 from the scoped lookup: unknown or out of scope
            form.add_error("parent_code", ORG_NOT_IN_SCOPE)
        else:
            try:
                services.org_move(actor=actor, org=org, new_parent=new_parent)
            except ValidationError as exc:
                form.add_error("parent_code", exc.messages)
            else:
                messages.success(request, f"已将“{org.name}”调整到“{new_parent.name}”之下。")
                return redirect("orgs:detail", org.pk)
    return render(request, "orgs/move.html", {"form": form, "org": org, "breadcrumbs": selectors.org_breadcrumbs(actor, org)})


@staff_view("org.manage")
def deactivate(request, org_id):
    actor = request.actor
    org = selectors.org_get(actor, org_id)
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_deactivate(actor=actor, org=org, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已停用“{org.name}”。其历史记录仍然保留，可随时恢复。")
            return redirect("orgs:detail", org.pk)
    return render(request, "orgs/deactivate.html", {"form": form, "org": org, "breadcrumbs": selectors.org_breadcrumbs(actor, org)})


@require_POST
@staff_view("org.manage")
def reactivate(request, org_id):
    org = selectors.org_get(request.actor, org_id)
    flash_service(request, lambda: services.org_reactivate(actor=request.actor, org=org), f"已恢复“{org.name}”。")
    return redirect("orgs:detail", org.pk)


@staff_view("org.manage")
def elect(request, org_id):
    actor = request.actor
    org = selectors.org_get(actor, org_id)
    form = TermForm(request.POST or None)
    officers = OfficerFormSet(request.POST or None, prefix="o")
    if request.method == "POST" and form.is_valid() and officers.is_valid():
        rows = [f.cleaned_data for f in officers.forms if f.cleaned_data.get("name")]
        try:
            term = services.committee_elect(actor=actor, org=org, officers=rows, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, f"已记录第{term.number}届委员会换届选举。")
            return redirect("orgs:detail", org.pk)
    return render(
        request,
        "orgs/elect.html",
        {"form": form, "officers": officers, "org": org, "breadcrumbs": selectors.org_breadcrumbs(actor, org)},
    )


@staff_view("org.view")
def export(request, org_id):
    org = selectors.org_get(request.actor, org_id)
    path = sheets.orgs_export(actor=request.actor, root=org)
    return files.send_and_delete(path, f"{org.code}-组织架构.xlsx")


@staff_view("org.view")
def template(request):
    path = sheets.orgs_template()
    return files.send_and_delete(path, "组织架构导入模板.xlsx")


@staff_view("org.manage")
def import_orgs(request):
    """The tree's import runs on the generic import pages, in the background worker like
    every other kind: no spreadsheet is parsed inside the web server."""
    return redirect("exchange:import", kind="orgs")

from django import forms
from django.http import Http404
from django.shortcuts import render

from gonghui.access.scope import ORG_NOT_IN_SCOPE
from gonghui.audit import selectors
from gonghui.audit.registry import (
    ACTION_LABELS,
    MONEY_KEYS,
    action_choices,
    display_value,
    field_label,
    object_label,
    object_model,
    source_label,
)
from gonghui.orgs.selectors import org_get_by_code
from gonghui.web.forms import DateInput, StyledForm
from gonghui.web.http import staff_view
from gonghui.web.paging import keyset_page


class AuditFilter(StyledForm):
    start = forms.DateField(label="开始日期", required=False, widget=DateInput())
    end = forms.DateField(label="结束日期", required=False, widget=DateInput())
    user = forms.CharField(label="用户名", required=False)
    org_code = forms.CharField(label="工会编码", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), ("success", "成功"), ("failure", "失败")])


def readable_changes(ev) -> list[tuple[str, object, object]]:
    """(field's Chinese name, old, new) for display, each value as the pages show it."""
    model = object_model(ev.object_type)
    rows = []
    for key, pair in (ev.changes or {}).items():
        label, field = field_label(model, key)
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        money = field is None and key in MONEY_KEYS
        rows.append((label, None if old is None else display_value(field, old, money=money, key=key),
                     display_value(field, new, money=money, key=key)))
    return rows


@staff_view("audit.view")
def event_list(request):
    actor = request.actor
    form = AuditFilter(request.GET or None)
    form.fields["action"].choices = [("", "全部操作"), *action_choices()]
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org_code"):
        try:
            org = org_get_by_code(actor, data["org_code"])
        except Http404:
            form.add_error("org_code", ORG_NOT_IN_SCOPE)
    qs = selectors.event_search(
        actor, start=data.get("start"), end=data.get("end"), user=data.get("user", ""), action=data.get("action", ""), org=org,
        result=data.get("result", ""),
    )
    page = keyset_page(qs, order=("-seq",), cursor=request.GET.get("cursor"), size=50)
    for ev in page.rows:
        ev.label = ACTION_LABELS.get(ev.action, ev.action)
        ev.readable_changes = readable_changes(ev)
        ev.object_label = object_label(ev.object_type)
        ev.source_label = source_label(ev.source, ev.ip)
    return render(request, "audit/list.html", {"form": form, "page": page})

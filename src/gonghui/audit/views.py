from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404
from django.shortcuts import render

from gonghui.audit import selectors
from gonghui.audit.registry import ACTION_LABELS
from gonghui.core.forms import DateInput, StyledForm
from gonghui.core.http import staff_view
from gonghui.core.paging import keyset_page
from gonghui.orgs.selectors import org_get_by_code


class AuditFilter(StyledForm):
    start = forms.DateField(label="开始日期", required=False, widget=DateInput())
    end = forms.DateField(label="结束日期", required=False, widget=DateInput())
    user = forms.CharField(label="用户名", required=False)
    org_code = forms.CharField(label="工会编码", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), ("success", "成功"), ("failure", "失败")])


def _display(field, value):
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    return value


def readable_changes(ev) -> list[tuple[str, object, object]]:
    """(field's Chinese name, old, new) for display; codes become their labels."""
    try:
        model = apps.get_model(ev.object_type) if ev.object_type else None
    except (LookupError, ValueError):
        model = None
    rows = []
    for key, pair in (ev.changes or {}).items():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(key)
            except FieldDoesNotExist:
                field = None
        label = str(getattr(field, "verbose_name", "") or FIELD_LABELS.get(key, key))
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        rows.append((label, None if old is None else _display(field, old), _display(field, new)))
    return rows


# Names of change keys that are not model fields.
FIELD_LABELS = {"file": "文件", "rows": "行数", "role": "角色", "officers": "委员会成员", "number": "届次", "path": "层级路径",
                "to_org": "转入工会", "org": "所属工会", "status": "会籍状态"}


@staff_view("audit.view")
def event_list(request):
    actor = request.actor
    form = AuditFilter(request.GET or None)
    groups = sorted({a.split(".")[0] for a in ACTION_LABELS})
    form.fields["action"].choices = [("", "全部操作")] + [(a, f"{ACTION_LABELS[a]}（{a}）") for a in sorted(ACTION_LABELS)] + [
        (g, f"{g}.* 全部") for g in groups
    ]
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org_code"):
        try:
            org = org_get_by_code(actor, data["org_code"])
        except Http404:
            form.add_error("org_code", "找不到该编码的工会，或它不在您的管辖范围内。")
    qs = selectors.event_search(
        actor, start=data.get("start"), end=data.get("end"), user=data.get("user", ""), action=data.get("action", ""), org=org,
        result=data.get("result", ""),
    )
    page = keyset_page(qs, order=("-seq",), cursor=request.GET.get("cursor"), size=50)
    for ev in page.rows:
        ev.label = ACTION_LABELS.get(ev.action, ev.action)
        ev.readable_changes = readable_changes(ev)
    return render(request, "audit/list.html", {"form": form, "page": page})

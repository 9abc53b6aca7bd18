"""Template helpers available in every template (registered as builtins)."""

from django import template
from django.utils.html import format_html, format_html_join

from gonghui.core import formats, validators
from gonghui.web.paging import query_without

register = template.Library()


@register.filter
def cn_date(value):
    return formats.cn_date(value)


@register.filter
def cn_datetime(value):
    return formats.cn_datetime(value)


@register.filter
def yuan(value):
    return formats.yuan(value)


@register.filter
def mask_id(value):
    return validators.mask_id(value or "")


@register.filter
def mask_phone(value):
    return validators.mask_phone(value or "")


@register.filter
def phone(value):
    return validators.format_phone(value or "")


@register.filter
def yesno_cn(value):
    return "是" if value else "否"


@register.simple_tag(takes_context=True)
def qs(context, **params):
    """The current query string with some parameters replaced (None/'' removes them)."""
    request = context["request"]
    drop = [k for k, v in params.items() if v in (None, "")]
    keep = {k: v for k, v in params.items() if v not in (None, "")}
    text = query_without(request, *drop, **keep)
    return f"?{text}" if text else "?"


@register.simple_tag(takes_context=True)
def query_inputs(context, *drop):
    """Hidden inputs carrying the current query string (minus `drop`) into a GET form."""
    request = context["request"]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">',
                            ((k, v) for k, v in request.GET.items() if k not in drop))


@register.simple_tag(takes_context=True)
def sort_th(context, key, label):
    """A sortable column header: toggles ascending/descending, marks the active one."""
    request = context["request"]
    current = request.GET.get("sort", context.get("default_sort", ""))
    if current == key:
        target, arrow, aria = f"-{key}", " ▲", "ascending"
    elif current == f"-{key}":
        target, arrow, aria = key, " ▼", "descending"
    else:
        target, arrow, aria = key, "", "none"
    text = query_without(request, "sort", "cursor", "page", "letter", sort=target)
    return format_html('<th scope="col" aria-sort="{}"><a href="?{}" class="sort-link">{}{}</a></th>', aria, text, label, arrow)


@register.inclusion_tag("web/_field.html")
def field(bound_field, wrapper_class="mb-3"):
    if bound_field.errors:
        attrs = bound_field.field.widget.attrs
        if "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        attrs["aria-invalid"] = "true"
    return {"field": bound_field, "wrapper_class": wrapper_class}

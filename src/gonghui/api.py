"""The JSON API (OpenAPI at /api/docs, for logged-in staff). Each app contributes a router; every route
authenticates by session and goes through the same selectors and services as the web."""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from gonghui.core.services import error_text


class ActorSessionAuth(SessionAuth):
    """A logged-in session with a working union; the route then uses request.actor."""

    def authenticate(self, request, key):
        from gonghui.web.http import readiness_problem

        user = super().authenticate(request, key)
        if user is None or readiness_problem(request):
            return None
        return user


def _staff_only_docs(view):
    """The docs and the schema map every route and parameter: staff only, on the same
    terms as the API itself. The docs page sends a stranger to the login page like any
    staff page; the schema answers 401 like any API route."""
    from ninja.openapi.views import openapi_json

    from gonghui.web.http import readiness_problem, staff_view

    if getattr(view, "func", view) is not openapi_json:
        return staff_view()(view)

    @functools.wraps(view)
    def schema(request, *args, **kwargs):
        if not request.user.is_authenticated or readiness_problem(request):
            return JsonResponse({"detail": _HTTP_ERRORS["Unauthorized"]}, status=401)
        return view(request, *args, **kwargs)

    return schema


api = NinjaAPI(
    title="gonghui 工会平台 API",
    version="1",
    auth=ActorSessionAuth(),
    urls_namespace="api",
    docs_decorator=_staff_only_docs,
)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": error_text(exc), "errors": detail}, status=422)


# Where a request value came from, as ninja names it (the first element of `loc`).
_LOCATIONS = {
    "query": "查询参数",
    "path": "路径参数",
    "body": "请求体",
    "form": "表单字段",
    "file": "上传文件",
    "header": "请求头",
    "cookie": "Cookie",
}

# pydantic's error types in Chinese; `{name}` takes the error's ctx.
_ERROR_TYPES = {
    "missing": "缺少此项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_places": "小数位数不能超过{decimal_places}位",
    "decimal_max_digits": "数字位数不能超过{max_digits}位",
    "bool_parsing": "应为是或否（true/false）",
    "bool_type": "应为是或否（true/false）",
    "date_parsing": "应为日期，格式如 2025-10-31",
    "date_type": "应为日期，格式如 2025-10-31",
    "date_from_datetime_parsing": "应为日期，格式如 2025-10-31",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "datetime_parsing": "应为日期时间，格式如 2025-10-31T09:30:00",
    "datetime_type": "应为日期时间，格式如 2025-10-31T09:30:00",
    "datetime_from_date_parsing": "应为日期时间，格式如 2025-10-31T09:30:00",
    "time_parsing": "应为时间，格式如 09:30",
    "uuid_parsing": "应为 UUID",
    "string_type": "应为文本",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "不能超过{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "too_short": "至少{min_length}项",
    "too_long": "不能超过{max_length}项",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "不能小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "不能大于{le}",
    "multiple_of": "应为{multiple_of}的倍数",
    "finite_number": "应为有限的数字",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "extra_forbidden": "不接受此项",
    "none_required": "应为空",
    "value_error": "取值不正确",
    "assertion_error": "取值不正确",
}


def _field_error(error: dict) -> dict:
    loc = [str(part) for part in error.get("loc", ())]
    source = loc[0] if loc else ""
    # Our routes name their one body schema `payload`, which a client never writes:
    # the JSON's own keys follow it.
    if source == "body" and len(loc) > 2 and loc[1] == "payload":
        del loc[1]
    field = ".".join(loc[1:])
    template = _ERROR_TYPES.get(error.get("type", ""), "格式不正确")
    try:
        message = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        message = template.split("{")[0].rstrip("，：") or "格式不正确"
    return {"location": _LOCATIONS.get(source, source), "field": field, "message": message, "type": error.get("type", "")}


@api.exception_handler(NinjaValidationError)
def _request_invalid(request, exc):
    """ninja's own 422 (wrong type, missing value …) in Chinese, one entry per field."""
    errors = [_field_error(e) for e in exc.errors]
    parts = [f"{e['location']}“{e['field']}”{e['message']}" if e["field"] else f"{e['location']}{e['message']}" for e in errors]
    detail = "请求参数有误：" + "；".join(parts) + "。" if parts else "请求参数有误。"
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


# ninja's own refusals, which it words in English; our HttpErrors pass through as written.
_HTTP_ERRORS = {
    "Unauthorized": "请先登录（或尚未完成修改初始密码、双因素认证）。",
    "Forbidden": "没有权限。",
    "Cannot parse request body": "请求体不是有效的 JSON。",
    "CSRF check Failed": "CSRF 校验失败，请刷新页面后重试。",
    "Too many requests.": "请求过于频繁，请稍后再试。",
}


@api.exception_handler(HttpError)
def _http_error(request, exc):
    message = str(exc.message)
    # Under DEBUG ninja appends the parser's own words to "Cannot parse request body".
    detail = next((zh for en, zh in _HTTP_ERRORS.items() if message.startswith(en)), message)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    from gonghui.audit.services import audit_denial

    if request.actor is not None and not getattr(exc, "audited", False):
        audit_denial(actor=request.actor, action="permission.denied", object_id=request.path[:128], message=str(exc))
    return api.create_response(request, {"detail": str(exc) or "没有权限。"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "记录不存在或不在您的管辖范围内。"}, status=404)


def _add_module_routers() -> None:
    """Each gonghui domain app with an api module (a `router`) at /api/<app label>."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("gonghui.") and find_spec(f"{config.name}.api"):
            api.add_router(f"/{config.label}", import_module(f"{config.name}.api").router)


_add_module_routers()

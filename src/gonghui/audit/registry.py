"""Human labels for the audit log: actions (each app registers its own in
AppConfig.ready()), the objects and fields an event names (the models' own verbose names —
the one place they are kept), the channels an event came through, and the values it
recorded, formatted as the pages show them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

ACTION_LABELS: dict[str, str] = {
    "scope.denied": "越权访问（已拦截）",
    "permission.denied": "无权限操作（已拦截）",
    "audit.keyed": "审计链启用带密钥的哈希",  # appended once by audit migration 0004
}


def register_actions(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


# Where an event came from (Actor.source), and the placeholder addresses of actors without one.
SOURCE_LABELS = {"web": "网页", "api": "接口", "cli": "命令行", "system": "系统"}
CHANNEL_ADDRESSES = {"task": "后台任务", "cli": "命令行", "system": "系统", "": ""}

# Change keys that are not fields of the event's model.
EXTRA_FIELD_LABELS = {
    "file": "文件", "rows": "行数", "role": "角色", "officers": "委员会成员", "number": "届次", "path": "层级路径",
    "to_org": "转入工会", "org": "所属工会", "status": "会籍状态", "total": "合计金额", "count": "人数",
    "households": "户数", "amount": "金额", "created": "新建", "updated": "更新", "rejected": "拒绝",
    "records": "记录数", "reversal": "冲正", "donor": "捐款人", "batch": "批次", "drive": "捐款活动",
}


def source_label(source: str, ip: str) -> str:
    """网页 · 10.0.0.7, 网页 · 后台任务 (an import the worker ran for a web user), 命令行."""
    channel = SOURCE_LABELS.get(source, source)
    where = CHANNEL_ADDRESSES.get(ip, ip)
    return channel if not where or where == channel else f"{channel} · {where}"


def object_model(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def object_label(object_type: str) -> str:
    model = object_model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def action_choices() -> list[tuple[str, str]]:
    """The audit page's filter: every action by its label, grouped by module, and one
    「全部」 entry per module (the `noun.*` prefix)."""
    from django.apps import apps

    groups: dict[str, list[tuple[str, str]]] = {}
    for action, label in ACTION_LABELS.items():
        groups.setdefault(action.split(".")[0], []).append((action, label))
    choices: list[tuple[str, str]] = []
    for noun in sorted(groups):
        name = _noun_label(noun, apps)
        choices.append((noun, f"{name}：全部操作"))
        choices += [(a, f"　{label}") for a, label in sorted(groups[noun], key=lambda pair: pair[1])]
    return choices


def _noun_label(noun: str, apps) -> str:
    # An action's noun is usually a model's name (member.create, grant.switch) or an app's.
    for config in apps.get_app_configs():
        if config.label == noun:
            return str(config.verbose_name)
        for model in config.get_models():
            if model._meta.model_name == noun:
                return str(model._meta.verbose_name)
    return NOUN_LABELS.get(noun, noun)


NOUN_LABELS = {
    "login": "登录", "logout": "退出", "totp": "双因素认证", "password": "密码", "grant": "角色授权", "account": "账号",
    "scope": "越权访问", "permission": "权限", "committee": "委员会", "batch": "批量发放", "import": "导入",
    "export": "导出", "hardship": "困难职工档案", "stats": "统计报表", "reveal": "查看完整信息",
    "benefit": "会员慰问", "phrase": "工作总结措辞", "drive": "捐款活动", "donation": "捐款", "member": "会员",
    "household": "困难职工档案", "assistance": "困难帮扶", "org": "工会", "user": "账号", "summary": "工作总结",
}


# Change keys that are amounts without being a model's DecimalField (a batch's total).
MONEY_KEYS = frozenset({"total", "amount"})


def _role_value(value) -> str | None:
    """"LJ-001:member" (a grant's union code and role, as account events record it) →
    "LJ-001 · 会员"."""
    from gonghui.access.permissions import Role

    if isinstance(value, str) and ":" in value:
        code, _, role = value.rpartition(":")
        if role in Role.values:
            return f"{code} · {Role(role).label}"
    return None


def display_value(field, value, *, money: bool = False, key: str = "") -> str:
    """A recorded value as the pages write it: choices by their label, money with thousands
    separators and 元, dates as 2025年10月31日, yes/no in Chinese."""
    from django.db import models

    from gonghui.core.formats import cn_date, yuan

    if value is None or value == "":
        return "（空）"
    if key == "role" and (role := _role_value(value)):
        return role
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if money or isinstance(field, models.DecimalField):
        try:
            return f"{yuan(Decimal(str(value)))}元"
        except (InvalidOperation, ValueError):
            return str(value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return cn_date(parsed.date() if not isinstance(field, models.DateTimeField) else parsed)
    if isinstance(field, models.ForeignKey):
        return f"{field.related_model._meta.verbose_name} #{value}"
    if isinstance(value, list):
        return "、".join(display_value(None, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{display_value(None, v)}" for k, v in value.items())
    return str(value)


def field_label(model, key: str) -> tuple[str, object]:
    """(Chinese name, field or None) of a change key."""
    from django.core.exceptions import FieldDoesNotExist

    field = None
    if model is not None:
        # A key that is not the event's own field names one of the record it is about: a
        # 会员信息修改申请 records the member's 手机号 or 学历.
        for candidate in (model, *(m for m in model._meta.app_config.get_models() if m is not model)):
            try:
                field = candidate._meta.get_field(key)
            except FieldDoesNotExist:
                continue
            if not field.is_relation or candidate is model:
                break
            field = None
    name = getattr(field, "verbose_name", "") if field is not None else ""
    if not name or str(name) == key.replace("_", " "):
        name = EXTRA_FIELD_LABELS.get(key, name or key)
    return str(name), field

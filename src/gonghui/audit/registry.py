"""Human labels for audit actions; each app registers its own in AppConfig.ready()."""

ACTION_LABELS: dict[str, str] = {
    "scope.denied": "越权访问（已拦截）",
    "permission.denied": "无权限操作（已拦截）",
    "audit.keyed": "审计链启用带密钥的哈希",  # appended once by audit migration 0004
}


def register_actions(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)

"""System checks run by every management command (`serve`, `migrate`, `db_worker`,
`check`, `check --deploy`).

Settings already tighten every part of the data dir this account owns
(`conf.secure_data_dir`); what is still open to other local accounts here belongs to
someone else, and only its owner (or root) can close it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Warning

from gonghui import conf

_WHAT = {
    "dir": ("gonghui.W001", "数据目录或其中的文件夹", "chmod 700",
            "数据目录中有数据库、密钥和含身份证号的导入导出文件。"),
    "key": ("gonghui.W002", "密钥文件", "chmod 600", "密钥能解密会员的身份证号和手机号。"),
    "database": ("gonghui.W003", "数据库文件", "chmod 600", "数据库中有会员的个人信息。"),
}


def sqlite_path() -> Path | None:
    return conf.sqlite_file(settings.DATABASES.get("default", {}))


def permission_warnings(root: Path, sqlite: Path | None) -> list[Warning]:
    found = []
    for path, kind in conf.private_paths(root, sqlite):
        mode = conf.loose_mode(path)
        if mode is None:
            continue
        check_id, what, fix, why = _WHAT[kind]
        try:
            info = path.stat()
        except OSError:
            continue
        whose = "" if info.st_uid == os.geteuid() else f"；它不属于运行 gonghui 的账号（所有者 uid {info.st_uid}），gonghui 无法自行收紧"
        found.append(Warning(
            f"{what}的权限为 {stat.filemode(info.st_mode)}（{mode:04o}），本机其他账号可以访问{whose}。",
            hint=f"{why}请以所有者身份运行 `{fix} {path}`，并让运行 gonghui 的系统账号拥有整个数据目录"
                 "（gonghui 启动时会自动收紧属于自己的文件）。",
            obj=str(path),
            id=check_id,
        ))
    return found


def data_dir_permissions(app_configs=None, **kwargs) -> list[Warning]:
    return permission_warnings(Path(settings.DATA_DIR), sqlite_path())

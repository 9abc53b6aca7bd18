"""Benchmark settings: the real settings plus the peers we compare with (Django's admin,
and django-import-export when the `bench` extra is installed)."""

import importlib.util
import os
import tempfile

os.environ.setdefault("GONGHUI_DATA_DIR", tempfile.mkdtemp(prefix="gonghui-bench-"))

from gonghui.settings import *  # noqa: E402,F403

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]  # noqa: F405
if importlib.util.find_spec("import_export") is not None:  # pip install -e '.[bench]'
    INSTALLED_APPS.append("import_export")
ROOT_URLCONF = "bench_urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["*"]

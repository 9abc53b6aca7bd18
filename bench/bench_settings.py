"""Benchmark settings: the real settings plus Django's admin, the peer we compare with."""

import os
import tempfile

os.environ.setdefault("GONGHUI_DATA_DIR", tempfile.mkdtemp(prefix="gonghui-bench-"))

from gonghui.settings import *  # noqa: E402,F403

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]  # noqa: F405
ROOT_URLCONF = "bench_urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["*"]

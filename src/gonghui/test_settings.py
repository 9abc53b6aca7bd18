"""Settings for the test suite: the real settings with a throwaway data dir, a fast
password hasher and tasks run inline. DATABASE_URL (if set) selects PostgreSQL."""

import os
import tempfile

os.environ.setdefault("GONGHUI_DATA_DIR", tempfile.mkdtemp(prefix="gonghui-test-"))
os.environ["GONGHUI_TESTING"] = "1"

from gonghui.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested on its own

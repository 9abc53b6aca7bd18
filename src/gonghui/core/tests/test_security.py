import os
import subprocess
import sys

from django.db import connection


def test_it_sends_the_security_headers(client, personas, login):
    response = login(personas.street_chair).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_it_answers_404_in_chinese(client, personas, login):
    response = login(personas.street_chair).get("/orgs/999999/")
    assert response.status_code == 404 and "找不到您要的内容" in response.content.decode()


def test_pages_need_a_login(db, client):
    response = client.get("/orgs/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGHUI_TESTING")}
    env.update({
        "GONGHUI_ENV": "production", "GONGHUI_ALLOWED_HOSTS": "gonghui.example.org", "GONGHUI_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
    })
    result = subprocess.run([sys.executable, "-m", "gonghui.cli", "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_development_settings_do_fail_the_deploy_check(tmp_path):
    # Proves the check above can fail: the same command without production settings.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGHUI_TESTING", "GONGHUI_ENV")}
    env.update({"GONGHUI_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "gonghui.settings"})
    result = subprocess.run([sys.executable, "-m", "gonghui.cli", "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True)
    assert result.returncode != 0


def test_a_generated_secret_key_is_kept_in_the_data_dir(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("GONGHUI_SECRET_KEY",)}
    env.update({"GONGHUI_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "gonghui.settings"})
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True).stdout
    second = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True).stdout
    assert first == second and len(first.strip()) > 50
    assert oct((tmp_path / "keys" / "secret_key").stat().st_mode)[-3:] == "600"


def test_the_totp_secret_is_encrypted_at_rest(personas):
    user = personas.street_admin
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("g1:") and user.totp_secret not in stored
    user.refresh_from_db()
    assert len(user.totp_secret) == 32


def test_blind_indexes_are_stable_and_purpose_bound(settings):
    from gonghui.core import crypto

    assert crypto.blind_index("110105194912310021", purpose="id") == crypto.blind_index("110105194912310021", purpose="id")
    assert crypto.blind_index("110105194912310021", purpose="id") != crypto.blind_index("110105194912310021", purpose="phone")
    assert crypto.decrypt(crypto.encrypt("张三")) == "张三"

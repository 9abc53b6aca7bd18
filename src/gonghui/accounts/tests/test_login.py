import datetime as dt

import pyotp
import pytest
from django.utils import timezone

from gonghui.access.permissions import Role
from gonghui.accounts.models import LoginLock
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import staff

PASSWORD = "Test#Pass2025"


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_it_logs_in_and_records_it(client, personas):
    response = post_login(client, "street_chair", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert AuditEvent.objects.filter(action="login.success", username="street_chair", ip="10.0.0.1").exists()


def test_it_says_so_in_chinese_on_a_wrong_password(client, personas):
    response = post_login(client, "street_chair", "wrong")
    text = response.content.decode()
    assert "用户名或密码错误" in text and "再错4次" in text
    event = AuditEvent.objects.get(action="login.failure")
    assert event.username == "street_chair" and event.result == "failure" and event.org_id == personas.street_chair.grants.get().org_id


def test_it_locks_an_account_after_five_failures_for_fifteen_minutes(client, personas):
    for i in range(5):
        response = post_login(client, "street_chair", "wrong", ip=f"10.0.0.{i}")
    assert "已锁定15分钟" in response.content.decode()
    response = post_login(client, "street_chair", PASSWORD, ip="10.0.0.99")
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.locked").count() >= 2
    lock = LoginLock.objects.get(key="user:street_chair")
    assert dt.timedelta(minutes=14) < lock.locked_until - timezone.now() <= dt.timedelta(minutes=15)
    # After the lock expires the right password works again.
    LoginLock.objects.filter(pk=lock.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert post_login(client, "street_chair", PASSWORD, ip="10.0.0.99").status_code == 302


def test_it_locks_an_address_that_tries_many_accounts(client, personas):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        post_login(client, name, "wrong", ip="10.9.9.9")
    response = post_login(client, "street_chair", PASSWORD, ip="10.9.9.9")
    assert "锁定" in response.content.decode()
    assert post_login(client, "street_chair", PASSWORD, ip="10.9.9.10").status_code == 302


def test_an_administrator_can_unlock_an_account(client, personas, login):
    for _ in range(5):
        post_login(client, "grassroots_chair", "wrong")
    admin = login(personas.street_admin)
    response = admin.post(f"/accounts/users/{personas.grassroots_chair.pk}/unlock/")
    assert response.status_code == 302
    assert not LoginLock.objects.filter(key="user:grassroots_chair").exists()
    admin.logout()
    assert post_login(client, "grassroots_chair", PASSWORD, ip="10.1.1.1").status_code == 302


def test_an_inactive_account_cannot_log_in(client, personas):
    personas.street_chair.is_active = False
    personas.street_chair.save()
    assert "用户名或密码错误" in post_login(client, "street_chair", PASSWORD).content.decode()


def test_an_administrator_must_give_the_second_factor(client, personas):
    response = post_login(client, "street_admin", PASSWORD)
    assert response.url == "/accounts/otp/"
    assert client.get("/").status_code == 302  # not logged in yet
    wrong = client.post("/accounts/otp/", {"code": "000000"}, REMOTE_ADDR="10.0.0.1")
    assert "动态口令错误或已过期" in wrong.content.decode()
    code = pyotp.TOTP(personas.street_admin.totp_secret).now()
    assert client.post("/accounts/otp/", {"code": code}).url == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="totp.failure").exists()


def test_a_used_code_cannot_be_replayed(client, personas):
    code = pyotp.TOTP(personas.street_admin.totp_secret).now()
    post_login(client, "street_admin", PASSWORD)
    client.post("/accounts/otp/", {"code": code})
    client.logout()
    post_login(client, "street_admin", PASSWORD)
    response = client.post("/accounts/otp/", {"code": code})
    assert response.status_code == 200  # refused, still on the code page


def test_a_new_administrator_enrols_before_working(client, tree):
    admin = staff(tree.street, Role.CHAIR, username="newadmin")
    from gonghui.testing.factories import grant

    grant(admin, tree.grassroots, Role.SYSADMIN)
    response = post_login(client, "newadmin", PASSWORD)
    assert response.url == "/accounts/otp/setup/"
    page = client.get("/accounts/otp/setup/")
    assert "二维码" in page.content.decode()
    admin.refresh_from_db()
    assert client.get("/accounts/otp/qr.svg")["Content-Type"] == "image/svg+xml"
    client.post("/accounts/otp/setup/", {"code": pyotp.TOTP(admin.totp_secret).now()})
    admin.refresh_from_db()
    assert admin.totp_enabled
    assert client.get("/").status_code == 200


def test_it_logs_out_after_the_idle_time(client, personas, settings):
    post_login(client, "street_chair", PASSWORD)
    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - settings.GONGHUI_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get("/orgs/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="logout.idle", username="street_chair").exists()
    assert client.get("/").status_code == 302


def test_a_forced_password_change_comes_first(client, personas):
    personas.street_chair.must_change_password = True
    personas.street_chair.save()
    post_login(client, "street_chair", PASSWORD)
    assert client.get("/").url == "/accounts/password/"
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "short", "new_password2": "short"})
    assert "密码太短：至少10个字符" in response.content.decode()
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": "Another#Pass2026", "new_password2": "Another#Pass2026"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "password,message",
    [("Short#1a", "10"), ("alllowercaseletters", "至少3类"), ("Password123", "常见"), ("abcdefghij12", "至少3类")],
)
def test_it_enforces_the_password_policy(password, message, db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert any(message in m for m in exc.value.messages)


def test_it_hashes_passwords_with_argon2_in_production_settings():
    from gonghui import settings as real

    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_unlocking_an_account_also_frees_the_addresses_it_failed_from(client, personas, login):
    for _ in range(5):
        post_login(client, "grassroots_chair", "wrong", ip="10.7.7.7")
    assert LoginLock.objects.filter(key="ip:10.7.7.7").exists()
    login(personas.street_admin).post(f"/accounts/users/{personas.grassroots_chair.pk}/unlock/")
    assert not LoginLock.objects.filter(key__in=["ip:10.7.7.7", "user:grassroots_chair"]).exists()


def test_the_login_page_states_the_configured_lockout(client, settings, db):
    settings.GONGHUI_LOCKOUT_THRESHOLD, settings.GONGHUI_LOCKOUT_MINUTES = 7, 20
    assert "连续输错密码7次，账号将被锁定20分钟" in client.get("/accounts/login/").content.decode()


def test_the_api_also_requires_a_changed_password_and_an_admins_second_factor(client, personas, tree):
    personas.street_chair.must_change_password = True
    personas.street_chair.save()
    client.force_login(personas.street_chair)
    assert client.get("/api/orgs/").status_code == 401
    personas.street_admin.totp_enabled = False
    personas.street_admin.save()
    client.force_login(personas.street_admin)
    assert client.get("/api/orgs/").status_code == 401


def test_a_member_sees_their_own_page_not_the_subtrees_figures(client, tree):
    member = staff(tree.grassroots, Role.MEMBER, username="member1")
    client.force_login(member)
    page = client.get("/").content.decode()
    assert "会员本人" in page and "各层级工会数量" not in page
    assert client.get("/orgs/").status_code == 403


def test_an_undecryptable_secret_does_not_take_pages_down(personas, login):
    from django.db import connection

    from gonghui.core import crypto

    with connection.cursor() as cursor:
        token = crypto.PREFIX + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
        cursor.execute("UPDATE accounts_user SET totp_secret = %s WHERE id = %s", [token, personas.grassroots_chair.pk])
    assert login(personas.street_admin).get("/accounts/users/").status_code == 200
    from gonghui.accounts.models import User

    assert User.objects.get(pk=personas.grassroots_chair.pk).totp_secret == ""

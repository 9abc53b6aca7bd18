"""Security issue 10: the administrator's second factor cannot be guessed, bypassed or replayed.

Every wrong code — at /accounts/otp/, at /accounts/otp/setup/ during a login, at
/accounts/otp/setup/ from the user menu — counts towards the same account and address
lockouts as a wrong password, and every step refuses while a lock is in force.
"""

import datetime as dt

import pyotp
import pytest
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.accounts import services
from gonghui.accounts.models import LoginFailure, LoginLock, User
from gonghui.audit.models import AuditEvent
from gonghui.testing.factories import grant, staff

PASSWORD = "Test#Pass2025"
IP = "10.20.0.1"


def wrong_code(secret: str) -> str:
    """A six-digit code that is none of the ones the server accepts right now."""
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    accepted = {totp.at(now + dt.timedelta(seconds=30 * offset)) for offset in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1000000)) if c not in accepted)


def post_password(client, username, ip=IP):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)


def post_code(client, url, code, ip=IP):
    return client.post(url, {"code": code}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def new_admin(tree):
    """An administrator who has not enrolled yet (a chair at S1 made sysadmin at G1)."""
    user = staff(tree.street, Role.CHAIR, username="newadmin")
    grant(user, tree.grassroots, Role.SYSADMIN)
    return user


# --- an enrolled user only ever reaches the verification step --------------------------



def lock_with_wrong_codes(client, admin):
    """The password, then five wrong codes at the verification step: the account locks."""
    post_password(client, "street_admin")
    for _ in range(5):
        post_code(client, "/accounts/otp/", wrong_code(admin.totp_secret))

def test_a_pending_login_of_an_enrolled_user_is_sent_from_setup_to_verification(client, personas):
    admin = personas.street_admin
    secret = admin.totp_secret
    assert post_password(client, "street_admin").url == "/accounts/otp/"

    assert client.get("/accounts/otp/setup/").url == "/accounts/otp/"
    assert client.get("/accounts/otp/setup/?renew=1").url == "/accounts/otp/"
    right = pyotp.TOTP(secret).now()
    response = post_code(client, "/accounts/otp/setup/", right)
    assert response.status_code == 302 and response.url == "/accounts/otp/"
    assert not logged_in(client)
    admin.refresh_from_db()
    assert admin.totp_secret == secret and admin.totp_enabled and admin.totp_last_counter == 0  # code not spent
    assert client.get("/accounts/otp/qr.svg").status_code == 404

    assert post_code(client, "/accounts/otp/", right).url == "/"
    assert logged_in(client)


def test_an_enrolled_user_cannot_get_a_new_secret_from_the_menu_either(client, personas, login):
    admin = personas.street_admin
    secret = admin.totp_secret
    client = login(admin)
    page = client.get("/accounts/otp/setup/?renew=1")
    assert page.status_code == 200 and "已启用双因素认证" in page.content.decode()
    response = post_code(client, "/accounts/otp/setup/", pyotp.TOTP(secret).now())
    assert "已启用双因素认证" in response.content.decode()
    admin.refresh_from_db()
    assert admin.totp_secret == secret and admin.totp_last_counter == 0

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.totp_begin(user=admin)
    admin.refresh_from_db()
    assert admin.totp_secret == secret
    refusal = services.totp_enable(actor=Actor.anonymous(ip=IP, user=admin), user=admin, code="123456", ip=IP)
    assert "已启用双因素认证" in refusal
    assert not AuditEvent.objects.filter(action="totp.enable").exists()


# --- wrong codes lock, wherever they are typed ----------------------------------------


def test_wrong_codes_at_verification_lock_the_account_and_a_right_code_is_then_refused(client, personas):
    admin = personas.street_admin
    post_password(client, "street_admin")
    for _ in range(5):
        response = post_code(client, "/accounts/otp/", wrong_code(admin.totp_secret))
    assert "动态口令错误次数过多，已锁定15分钟" in response.content.decode()
    assert LoginLock.objects.filter(key="user:street_admin").exists()
    assert LoginFailure.objects.filter(username="street_admin").count() == 5

    response = post_code(client, "/accounts/otp/", pyotp.TOTP(admin.totp_secret).now())
    assert response.status_code == 200 and "已被锁定" in response.content.decode()
    assert not logged_in(client)
    admin.refresh_from_db()
    assert admin.totp_last_counter == 0  # a refused attempt does not spend the code
    assert AuditEvent.objects.filter(action="totp.failure", username="street_admin", result="failure").count() == 5
    assert AuditEvent.objects.filter(action="login.locked", message__contains="输入动态口令").exists()


def test_the_reported_bypass_a_right_code_at_setup_while_locked_does_not_log_in(client, personas):
    admin = personas.street_admin
    lock_with_wrong_codes(client, admin)
    response = post_code(client, "/accounts/otp/setup/", pyotp.TOTP(admin.totp_secret).now())
    assert response.status_code == 302 and response.url == "/accounts/otp/"
    assert not logged_in(client)
    assert not AuditEvent.objects.filter(action="login.success", username="street_admin").exists()


def test_guessing_at_enrolment_during_login_is_counted_and_locked(client, new_admin, settings):
    assert post_password(client, "newadmin").url == "/accounts/otp/setup/"
    client.get("/accounts/otp/setup/")
    new_admin.refresh_from_db()
    secret = new_admin.totp_secret
    # The report: 100 guesses in under two seconds, none of them counted.
    for _ in range(20):
        response = post_code(client, "/accounts/otp/setup/", wrong_code(secret))
    assert LoginFailure.objects.filter(username="newadmin").count() == settings.GONGHUI_LOCKOUT_THRESHOLD
    assert LoginLock.objects.filter(key="user:newadmin").exists()
    assert "已被锁定" in response.content.decode()

    response = post_code(client, "/accounts/otp/setup/", pyotp.TOTP(secret).now())
    assert "已被锁定" in response.content.decode()
    new_admin.refresh_from_db()
    assert not new_admin.totp_enabled and not logged_in(client)
    failures = AuditEvent.objects.filter(action="totp.failure", username="newadmin")
    assert failures.count() == settings.GONGHUI_LOCKOUT_THRESHOLD
    assert all(e.result == "failure" and e.message == "绑定双因素认证时动态口令错误" for e in failures)


def test_wrong_codes_at_setup_from_the_user_menu_count_too(client, personas, login):
    chair = personas.street_chair
    client = login(chair)
    client.get("/accounts/otp/setup/")
    chair.refresh_from_db()
    first = post_code(client, "/accounts/otp/setup/", wrong_code(chair.totp_secret))
    assert "动态口令错误或已过期" in first.content.decode() and "再错4次" in first.content.decode()
    for _ in range(4):
        post_code(client, "/accounts/otp/setup/", wrong_code(chair.totp_secret))
    assert LoginLock.objects.filter(key="user:street_chair").exists()

    response = post_code(client, "/accounts/otp/setup/", pyotp.TOTP(chair.totp_secret).now())
    assert "已被锁定" in response.content.decode()
    chair.refresh_from_db()
    assert not chair.totp_enabled
    # The same lock keeps the password out.
    client.logout()
    assert "已被锁定" in post_password(client, "street_chair", ip="10.20.0.9").content.decode()


def test_wrong_codes_count_towards_the_address_lock(client, personas, settings):
    settings.GONGHUI_LOCKOUT_THRESHOLD = 50  # only the address can lock here
    admin = personas.street_admin
    post_password(client, "street_admin", ip="10.30.0.1")
    for _ in range(5):
        post_code(client, "/accounts/otp/", wrong_code(admin.totp_secret), ip="10.30.0.1")
    assert LoginLock.objects.filter(key="ip:10.30.0.1").exists()
    assert not LoginLock.objects.filter(key="user:street_admin").exists()
    response = post_code(client, "/accounts/otp/", pyotp.TOTP(admin.totp_secret).now(), ip="10.30.0.1")
    assert "已被锁定" in response.content.decode() and not logged_in(client)
    # From another address the same code is good: the account itself is not locked.
    assert post_code(client, "/accounts/otp/", pyotp.TOTP(admin.totp_secret).now(), ip="10.30.0.2").url == "/"


def test_wrong_codes_and_wrong_passwords_add_up(client, personas):
    admin = personas.street_admin
    for _ in range(3):
        client.post("/accounts/login/", {"username": "street_admin", "password": "wrong"}, REMOTE_ADDR=IP)
    post_password(client, "street_admin")
    post_code(client, "/accounts/otp/", wrong_code(admin.totp_secret))
    response = post_code(client, "/accounts/otp/", wrong_code(admin.totp_secret))
    assert "已锁定15分钟" in response.content.decode()
    assert LoginLock.objects.filter(key="user:street_admin").exists()


# --- every step checks the locks ------------------------------------------------------


def test_a_lock_set_after_the_password_step_stops_verification(client, personas):
    admin = personas.street_admin
    assert post_password(client, "street_admin").url == "/accounts/otp/"
    # Meanwhile someone elsewhere locks the account with wrong passwords.
    for i in range(5):
        client.post("/accounts/login/", {"username": "street_admin", "password": "wrong"}, REMOTE_ADDR=f"10.40.0.{i}")
    response = post_code(client, "/accounts/otp/", pyotp.TOTP(admin.totp_secret).now())
    assert "已被锁定" in response.content.decode() and not logged_in(client)


def test_a_lock_set_after_the_password_step_stops_enrolment(client, new_admin):
    post_password(client, "newadmin")
    client.get("/accounts/otp/setup/")
    new_admin.refresh_from_db()
    LoginLock.objects.create(key="user:newadmin", locked_until=timezone.now() + dt.timedelta(minutes=15))
    response = post_code(client, "/accounts/otp/setup/", pyotp.TOTP(new_admin.totp_secret).now())
    assert "已被锁定" in response.content.decode()
    new_admin.refresh_from_db()
    assert not new_admin.totp_enabled and not logged_in(client)


def test_the_final_login_refuses_while_locked(personas):
    user = personas.street_chair
    LoginLock.objects.create(key="ip:10.50.0.1", locked_until=timezone.now() + dt.timedelta(minutes=5))
    assert "已被锁定" in services.login_complete(user=user, ip="10.50.0.1")
    assert not AuditEvent.objects.filter(action="login.success").exists()
    assert AuditEvent.objects.filter(action="login.locked", message__contains="完成登录").exists()
    assert services.login_complete(user=user, ip="10.50.0.2") == ""
    assert AuditEvent.objects.filter(action="login.success", username="street_chair").exists()


def test_an_expired_lock_lets_the_right_code_in(client, personas):
    admin = personas.street_admin
    lock_with_wrong_codes(client, admin)
    LoginLock.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert post_code(client, "/accounts/otp/", pyotp.TOTP(admin.totp_secret).now()).url == "/"
    assert not LoginFailure.objects.filter(username="street_admin").exists()


# --- a right code works once ----------------------------------------------------------


def test_the_code_that_confirmed_enrolment_cannot_log_in_again(client, new_admin):
    post_password(client, "newadmin")
    client.get("/accounts/otp/setup/")
    new_admin.refresh_from_db()
    code = pyotp.TOTP(new_admin.totp_secret).now()
    assert post_code(client, "/accounts/otp/setup/", code).url == "/"
    client.logout()
    assert post_password(client, "newadmin").url == "/accounts/otp/"
    response = post_code(client, "/accounts/otp/", code)
    assert response.status_code == 200 and "动态口令错误或已过期" in response.content.decode()
    assert not logged_in(client)


def test_two_requests_with_the_same_code_at_once_only_one_gets_in(personas):
    # Two requests load the account before either has used the code.
    first = User.objects.get(pk=personas.street_admin.pk)
    second = User.objects.get(pk=personas.street_admin.pk)
    code = pyotp.TOTP(first.totp_secret).now()
    assert services.totp_check(user=first, code=code, ip=IP) == ""
    assert "动态口令错误或已过期" in services.totp_check(user=second, code=code, ip=IP)


# --- wording --------------------------------------------------------------------------


def test_a_wrong_code_says_the_code_was_wrong_not_the_password(client, personas):
    post_password(client, "street_admin")
    text = post_code(client, "/accounts/otp/", wrong_code(personas.street_admin.totp_secret)).content.decode()
    assert "动态口令错误或已过期，请输入手机上当前显示的6位口令" in text and "再错4次" in text
    assert "用户名或密码错误" not in text


def test_the_code_pages_state_the_lockout(client, personas, new_admin):
    post_password(client, "street_admin")
    assert "连续输错5次" in client.get("/accounts/otp/").content.decode()
    client.logout()
    post_password(client, "newadmin")
    assert "连续输错5次" in client.get("/accounts/otp/setup/").content.decode()

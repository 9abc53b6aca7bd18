from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from gonghui.access.permissions import Role
from gonghui.access.scope import ScopedQuerySet
from gonghui.core.fields import EncryptedTextField


class User(AbstractUser):
    """A person who logs in. What they may see comes only from their RoleGrants."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    # The TOTP secret is a credential: encrypted with the field key like other secrets.
    totp_secret = EncryptedTextField("动态口令密钥", blank=True, default="")
    totp_enabled = models.BooleanField("已启用双因素认证", default=False)
    totp_last_counter = models.BigIntegerField(default=0)  # refuses a code used before
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    created_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = UserManager()

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username


class RoleGrantQuerySet(ScopedQuerySet):
    scope_field = "org"


class RoleGrant(models.Model):
    """A role held at a union; it covers that union's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name="账号")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="grants", verbose_name="工会")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="grant_unique")]

    def __str__(self):
        return f"{self.org} · {self.get_role_display()}"


class LoginFailure(models.Model):
    """One failed login; recent rows per account and per address drive the lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "登录失败记录"
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["ip", "at"])]

    def __str__(self):
        return f"{self.username}@{self.ip}"


class LoginLock(models.Model):
    """An account ("user:<name>") or address ("ip:<addr>") locked out until a time."""

    key = models.CharField(max_length=200, unique=True)
    locked_until = models.DateTimeField()

    class Meta:
        verbose_name = "登录锁定"

    def __str__(self):
        return self.key

import pyotp
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.models import SiteFlag


class Command(BaseCommand):
    help = "（仅演示库）显示演示账号当前的动态口令"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        from gonghui.accounts.models import User

        if not SiteFlag.get("demo"):
            raise CommandError("只有演示数据库可以用此命令查看动态口令。")
        user = User.objects.filter(username=username).first()
        if user is None or not user.totp_enabled:
            raise CommandError(f"账号“{username}”没有启用双因素认证。")
        self.stdout.write(pyotp.TOTP(user.totp_secret).now())

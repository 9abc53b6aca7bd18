from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gonghui.core.models import SiteFlag


class Command(BaseCommand):
    help = "建立（或重建）演示数据库并启动网站，打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="删除现有演示数据后重建")
        parser.add_argument("--no-serve", action="store_true", help="只建立数据，不启动网站")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=2025, help="随机种子（相同种子生成相同数据）")

    def handle(self, *args, reset, no_serve, host, port, seed, **options):
        from gonghui.orgs.models import Org

        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        if reset:
            if sqlite:
                connection.close()
                for suffix in ("", "-wal", "-shm"):
                    path = settings.SQLITE_PATH.with_name(settings.SQLITE_PATH.name + suffix)
                    if path.exists():
                        path.unlink()
            else:
                call_command("migrate", interactive=False, verbosity=0)
                if Org.objects.exists() and SiteFlag.get("demo") == "":
                    raise CommandError("该数据库中有正式数据（不是演示库），不能用 --reset 清空。")
                call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        if Org.objects.exists():
            if SiteFlag.get("demo") == "":
                raise CommandError("该数据库中已有正式数据，演示命令不会写入。请设置另一个 GONGHUI_DATA_DIR 或 DATABASE_URL。")
            self.stdout.write("演示数据库已存在（如需重建请加 --reset）。")
            ctx = None
        else:
            from gonghui.access.actor import Actor
            from gonghui.core.demo import build

            self.stdout.write("正在生成演示数据……")
            ctx = build(actor=Actor.system(source="system"), seed=seed, progress=self.stdout.write)
        self._print_logins(ctx)
        if not no_serve:
            call_command("serve", host=host, port=port)

    def _print_logins(self, ctx):
        from gonghui.access.permissions import Role
        from gonghui.accounts.demo import STAFF
        from gonghui.core.demo import DEMO_PASSWORD
        from gonghui.orgs.models import Org

        names = dict(Org.objects.filter(code__in=[s[2] for s in STAFF]).values_list("code", "name"))
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, _full, code, role in STAFF:
            self.stdout.write(f"  {username:<12} {Role(role).label:<10} {names.get(code, code)}")
        from gonghui.accounts.models import User

        member_user = User.objects.filter(username="huiyuan").select_related("member__org").first()
        if member_user is not None and hasattr(member_user, "member"):
            self.stdout.write(f"  {'huiyuan':<12} {'会员':<10} {member_user.member.org.name}（手机浏览器自助）")
        self.stdout.write("  admin 为系统管理员，须输入动态口令：另开一个窗口运行  gonghui otp admin  查看当前口令。")
        if ctx is not None:
            for note in ctx.notes:
                self.stdout.write(f"  {note}")
        self.stdout.write(f"数据目录：{settings.DATA_DIR}")

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.access.actor import Actor
from gonghui.core.services import error_text


class Command(BaseCommand):
    help = "在空数据库上创建第一个系统管理员（及其所在的顶级工会）"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True, help="姓名")
        parser.add_argument("--org-code", required=True, help="顶级工会的编码（不存在则新建）")
        parser.add_argument("--org-name", help="新建顶级工会时的名称")
        parser.add_argument("--org-kind", default="district", choices=["province", "city", "district"])

    def handle(self, *args, username, full_name, org_code, org_name, org_kind, **options):
        from django.core.management import call_command

        from gonghui.access.permissions import Role
        from gonghui.accounts import services
        from gonghui.accounts.models import RoleGrant
        from gonghui.orgs import services as org_services
        from gonghui.orgs.models import Org

        call_command("migrate", interactive=False, verbosity=0)
        if RoleGrant.objects.filter(role=Role.SYSADMIN).exists():
            raise CommandError("已有系统管理员。请由其在网页“账号与权限”中创建其他账号。")
        actor = Actor.system(source="cli")
        password = os.environ.get("GONGHUI_ADMIN_PASSWORD") or getpass.getpass("请输入密码（至少10位，含3类字符）：")
        if not os.environ.get("GONGHUI_ADMIN_PASSWORD") and password != getpass.getpass("请再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        try:
            org = Org.objects.filter(code=org_code.upper()).first()
            if org is None:
                if not org_name:
                    raise CommandError("该编码的工会不存在，请用 --org-name 指定名称以新建顶级工会。")
                org = org_services.org_create(actor=actor, parent=None, code=org_code, name=org_name, kind=org_kind)
            user = services.user_create(
                actor=actor, username=username, full_name=full_name, password=password, org=org, role=Role.SYSADMIN,
                must_change_password=False,
            )
        except ValidationError as exc:
            raise CommandError(error_text(exc)) from None
        self.stdout.write(f"已创建系统管理员“{user.username}”（{org.name}）。首次登录时需用手机绑定双因素认证。")

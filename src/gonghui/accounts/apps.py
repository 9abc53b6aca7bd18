from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from gonghui.accounts import demo
        from gonghui.audit.registry import register_actions
        from gonghui.core.demo import register_step

        register_step(20, "工作人员账号", demo.populate)

        register_actions(
            {
                "login.success": "登录成功",
                "login.failure": "登录失败",
                "login.locked": "登录被锁定",
                "logout": "退出登录",
                "logout.idle": "超时自动退出",
                "user.create": "新建账号",
                "user.update": "修改账号",
                "user.deactivate": "停用账号",
                "user.reactivate": "启用账号",
                "user.unlock": "解除登录锁定",
                "password.change": "修改密码",
                "password.reset": "重置密码",
                "grant.create": "授予角色",
                "grant.revoke": "撤销角色",
                "grant.switch": "切换工作单位",
                "totp.enable": "启用双因素认证",
                "totp.disable": "停用双因素认证",
                "totp.failure": "动态口令错误",
            }
        )

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = "会员管理"

    def ready(self):
        from gonghui.members.summary import CONTRIBUTOR
        from gonghui.summary.registry import register as register_summary_part

        register_summary_part(CONTRIBUTOR)
        from gonghui.access.scope import register_path_copy
        from gonghui.audit.registry import register_actions
        from gonghui.core.demo import register_step
        from gonghui.members import demo
        from gonghui.members.panels import dashboard_panel, member_landing
        from gonghui.members.sheets import register_exchange
        from gonghui.web.dashboard import register_member_landing, register_panel

        register_exchange()
        from gonghui.members.services import members_block_deactivation
        from gonghui.orgs.services import DEACTIVATION_CHECKS

        if members_block_deactivation not in DEACTIVATION_CHECKS:
            DEACTIVATION_CHECKS.append(members_block_deactivation)
        from gonghui.web.context_processors import register_nav

        register_nav(20, "members:list", "会员管理", "bi-person-vcard", "member.view")
        register_nav(21, "members:me", "我的会员信息", "bi-person-badge", "self.member")
        register_step(30, "会员名册与会籍变动", demo.populate)
        register_panel(20, dashboard_panel)
        register_member_landing(member_landing)

        for label, column in (
            ("members.Member", "org_path"),
            ("members.MemberSpell", "org_path"),
            ("members.MembershipEvent", "org_path"),
            ("members.ChangeRequest", "org_path"),
            ("members.Transfer", "from_path"),
            ("members.Transfer", "to_path"),
        ):
            register_path_copy(label, column)
        register_actions(
            {
                "member.create": "登记会员",
                "member.update": "修改会员信息",
                "member.event": "会籍变动",
                "member.transfer.propose": "发起转会",
                "member.transfer.confirm": "接收转会",
                "member.transfer.reject": "拒绝转会",
                "member.transfer.cancel": "撤回转会",
                "member.reveal": "查看敏感信息",
                "member.request": "会员申请修改信息",
                "member.request.decide": "审核会员修改申请",
                "member.import": "导入会员",
                "member.export": "导出会员",
                "member.account": "开通会员账号",
            }
        )

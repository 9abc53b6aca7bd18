from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "gonghui.assistance"
    label = "assistance"
    verbose_name = "困难帮扶"

    def ready(self):
        from gonghui.assistance.summary import CONTRIBUTOR
        from gonghui.summary.registry import register as register_summary_part

        register_summary_part(CONTRIBUTOR)
        from gonghui.access.permissions import Role, register_permissions
        from gonghui.access.scope import register_path_copy
        from gonghui.assistance import demo
        from gonghui.assistance.panels import dashboard_panel
        from gonghui.assistance.services import hardship_block_deactivation, household_follow_member
        from gonghui.assistance.sheets import register_exchange
        from gonghui.audit.registry import register_actions
        from gonghui.core.demo import register_step
        from gonghui.members.services import MEMBER_MOVED_HOOKS
        from gonghui.orgs.services import DEACTIVATION_CHECKS
        from gonghui.web.context_processors import register_nav
        from gonghui.web.dashboard import register_panel

        everything = {"assistance.view", "assistance.manage", "assistance.sensitive"}
        register_permissions(
            {"assistance.view": "查看帮扶", "assistance.manage": "维护困难档案与帮扶",
             "assistance.sensitive": "查看困难家庭收入、健康等敏感信息"},
            {Role.CHAIR: everything, Role.OFFICER: everything, Role.BRANCH_LEAD: {"assistance.view"},
             Role.FINANCE: {"assistance.view"}, Role.AUDITOR: {"assistance.view"}},
        )
        register_nav(30, "assistance:home", "困难帮扶", "bi-heart-pulse", "assistance.view")
        register_nav(31, "assistance:apply", "申请困难帮扶", "bi-heart", "self.member")
        for label in ("assistance.Household", "assistance.HouseholdSpell", "assistance.AssistanceRecord",
                      "assistance.AssistanceBatch", "assistance.RegionSetting"):
            register_path_copy(label, "org_path")
        register_actions({
            "hardship.create": "建立困难职工档案",
            "hardship.apply": "会员申请困难帮扶",
            "hardship.update": "修改困难职工档案",
            "hardship.family": "修改困难家庭成员",
            "hardship.tier": "确定困难类别",
            "hardship.transition": "困难档案状态变动",
            "hardship.verify": "困难档案年度核实",
            "hardship.transfer": "困难档案随会员转会",
            "hardship.view": "查看困难家庭敏感信息",
            "hardship.import": "导入困难职工档案",
            "hardship.export": "导出困难职工档案",
            "assistance.create": "登记帮扶记录",
            "assistance.create_nonmember": "登记非会员帮扶记录（居民、包联村）",
            "assistance.reveal": "查看受助居民完整身份证号",
            "assistance.batch": "批量发放帮扶",
            "assistance.reverse": "冲销帮扶记录",
            "assistance.sign": "帮扶签收",
            "assistance.batch_sign": "批量登记帮扶签收",
            "assistance.sign_sheet": "打印帮扶签收表",
            "assistance.correct": "更正帮扶记录",
            "assistance.import": "导入帮扶记录",
            "assistance.export": "导出帮扶发放名单",
            "assistance.region": "设置低保地区",
            "assistance.dibao": "维护低保标准",
        })
        register_step(40, "困难职工档案与帮扶", demo.populate)
        register_exchange()
        register_panel(30, dashboard_panel)
        if household_follow_member not in MEMBER_MOVED_HOOKS:
            MEMBER_MOVED_HOOKS.append(household_follow_member)
        if hardship_block_deactivation not in DEACTIVATION_CHECKS:
            DEACTIVATION_CHECKS.append(hardship_block_deactivation)

from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "gonghui.donations"
    label = "donations"
    verbose_name = "捐款"

    def ready(self):
        from gonghui.donations.summary import CONTRIBUTOR
        from gonghui.summary.registry import register as register_summary_part

        register_summary_part(CONTRIBUTOR)
        from gonghui.access.permissions import Role, register_permissions
        from gonghui.access.scope import register_path_copy
        from gonghui.audit.registry import register_actions
        from gonghui.core.demo import register_step
        from gonghui.donations import demo
        from gonghui.donations.panels import dashboard_panel
        from gonghui.donations.sheets import register_exchange
        from gonghui.web.context_processors import register_nav
        from gonghui.web.dashboard import register_panel

        both = {"donations.view", "donations.manage"}
        register_permissions(
            {"donations.view": "查看捐款", "donations.manage": "组织捐款活动"},
            {Role.CHAIR: both, Role.OFFICER: both, Role.FINANCE: both, Role.AUDITOR: {"donations.view"},
             Role.BRANCH_LEAD: {"donations.view"}},
        )
        register_nav(40, "donations:home", "捐款活动", "bi-cash-coin", "donations.view")
        register_path_copy("donations.Drive", "org_path")
        register_path_copy("donations.Donation", "org_path")
        register_step(60, "捐款活动", demo.populate)
        register_exchange()
        register_panel(40, dashboard_panel)
        register_actions({
            "drive.create": "发起捐款活动",
            "drive.update": "修改捐款活动",
            "drive.close": "结束捐款活动",
            "drive.reopen": "重新开启捐款活动",
            "donation.record": "登记捐款",
            "donation.batch": "批量登记捐款",
            "donation.reverse": "冲正捐款",
            "donation.import": "导入捐款",
            "donation.export": "导出捐款",
        })

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = "组织管理"

    def ready(self):
        from gonghui.orgs.summary import CONTRIBUTOR
        from gonghui.summary.registry import register as register_summary_part

        register_summary_part(CONTRIBUTOR)
        from gonghui.audit.registry import register_actions
        from gonghui.core.demo import register_step
        from gonghui.orgs import demo

        register_step(10, "组织架构与委员会", demo.populate)
        from gonghui.orgs.sheets import register_exchange

        register_exchange()
        from gonghui.web.context_processors import register_nav

        register_nav(10, "orgs:tree", "组织管理", "bi-diagram-3", "org.view")
        from gonghui.orgs.panels import dashboard_panel
        from gonghui.web.dashboard import register_panel

        register_panel(0, dashboard_panel)

        register_actions(
            {
                "org.create": "新建工会",
                "org.update": "修改工会信息",
                "org.move": "调整上级工会",
                "org.deactivate": "停用工会",
                "org.reactivate": "恢复工会",
                "org.import": "导入组织",
                "org.export": "导出组织",
                "committee.elect": "换届选举",
                "org.home_level.add": "登记职工之家评定",
                "org.home_level.remove": "删除职工之家评定记录",
            }
        )

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "gonghui.benefits"
    label = "benefits"
    verbose_name = "会员慰问"

    def ready(self):
        from gonghui.benefits.summary import CONTRIBUTOR
        from gonghui.summary.registry import register as register_summary_part

        register_summary_part(CONTRIBUTOR)
        from gonghui.access.permissions import Role, register_permissions
        from gonghui.access.scope import register_path_copy
        from gonghui.audit.registry import register_actions
        from gonghui.benefits import demo
        from gonghui.benefits.panels import dashboard_panel
        from gonghui.benefits.sheets import register_exchange
        from gonghui.core.demo import register_step
        from gonghui.web.context_processors import register_nav
        from gonghui.web.dashboard import register_panel

        register_permissions(
            {"benefits.view": "查看会员慰问", "benefits.manage": "发放会员慰问", "benefits.override": "批准超标准慰问",
             "benefits.rules": "维护慰问标准", "benefits.sensitive": "查看慰问中的病情信息"},
            {Role.CHAIR: {"benefits.view", "benefits.manage", "benefits.override", "benefits.sensitive"},
             Role.OFFICER: {"benefits.view", "benefits.manage", "benefits.sensitive"},
             Role.FINANCE: {"benefits.view"},
             Role.AUDITOR: {"benefits.view"},
             Role.BRANCH_LEAD: {"benefits.view"}},
        )
        register_nav(35, "benefits:home", "会员慰问", "bi-gift", "benefits.view")
        register_step(50, "会员慰问", demo.populate)
        register_exchange()
        register_panel(35, dashboard_panel)
        for label in ("benefits.BenefitRecord", "benefits.BenefitBatch", "benefits.RuleChoice", "benefits.RuleSet"):
            register_path_copy(label, "org_path")
        register_actions({
            "benefit.create": "发放会员慰问",
            "benefit.batch": "批量发放会员慰问",
            "benefit.override": "批准超标准慰问",
            "benefit.reverse": "冲销会员慰问",
            "benefit.correct": "更正会员慰问",
            "benefit.import": "导入会员慰问",
            "benefit.export": "导出会员慰问",
            "benefit.illness.view": "查看慰问中的病情信息",
            "benefit.ruleset.create": "新建慰问标准",
            "benefit.ruleset.update": "修改慰问标准",
            "benefit.ruleset.choose": "选用慰问标准",
        })

from django.apps import AppConfig


class SummaryConfig(AppConfig):
    name = "gonghui.summary"
    label = "summary"
    verbose_name = "工作总结"

    def ready(self):
        from gonghui.access.permissions import Role, register_permissions
        from gonghui.access.scope import register_path_copy
        from gonghui.audit.registry import register_actions
        from gonghui.core.demo import register_step
        from gonghui.summary import assemble  # noqa: F401  (registers the opening phrase)
        from gonghui.web.context_processors import register_nav

        register_permissions(
            {"summary.view": "查看工作总结与统计", "summary.edit": "起草和保存工作总结", "summary.phrases": "修改工作总结措辞模板"},
            {Role.CHAIR: {"summary.view", "summary.edit"}, Role.OFFICER: {"summary.view", "summary.edit"},
             Role.FINANCE: {"summary.view"}, Role.AUDITOR: {"summary.view"}, Role.BRANCH_LEAD: {"summary.view"}},
        )
        register_nav(60, "summary:home", "工作总结", "bi-file-earmark-text", "summary.view")
        register_nav(61, "summary:stats", "统计报表", "bi-bar-chart", "summary.view")
        from gonghui.web.dashboard import register_link

        register_link(10, "summary:stats", "统计报表", "summary.view")
        register_link(20, "summary:home", "工作总结", "summary.view")
        from gonghui.summary import demo

        register_step(70, "工作总结", demo.populate)
        register_path_copy("summary.SummaryDraft", "org_path")
        register_path_copy("summary.PhraseOverride", "org_path")
        register_path_copy("summary.SummarySetting", "org_path")
        register_path_copy("summary.PurposeClauseSet", "org_path")
        register_actions({
            "summary.create": "生成工作总结",
            "summary.save": "保存工作总结版本",
            "summary.export": "导出工作总结",
            "summary.delete": "删除工作总结",
            "summary.stats_export": "导出统计报表",
            "phrase.set": "修改总结措辞模板",
            "phrase.reset": "恢复默认措辞",
            "summary_setting.set": "修改工作总结设置",
            "summary_setting.delete": "删除工作总结设置",
            "purpose.set": "修改总结成效语",
            "purpose.reset": "恢复默认成效语",
        })

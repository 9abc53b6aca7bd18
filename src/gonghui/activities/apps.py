from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "gonghui.activities"
    label = "activities"
    verbose_name = "活动与培训"

    def ready(self):
        from gonghui.access.permissions import Role, register_permissions
        from gonghui.access.scope import register_path_copy
        from gonghui.activities import demo
        from gonghui.activities.panels import dashboard_panel
        from gonghui.activities.sheets import register_exchange
        from gonghui.activities.summary import register_summary
        from gonghui.audit.registry import register_actions
        from gonghui.core.demo import register_step
        from gonghui.web.context_processors import register_nav
        from gonghui.web.dashboard import register_panel

        view = {"activities.view"}
        manage = {"activities.view", "activities.manage"}
        register_permissions(
            {"activities.view": "查看活动与培训", "activities.manage": "组织活动、报名签到与学习任务",
             "activities.kinds": "维护活动类型"},
            {Role.CHAIR: manage, Role.OFFICER: manage, Role.BRANCH_LEAD: manage, Role.FINANCE: view, Role.AUDITOR: view},
        )
        for model in ("Partner", "Activity", "Session", "Registration", "CheckIn", "Attachment", "StudyAssignment",
                      "StudySubmission"):
            register_path_copy(f"activities.{model}", "org_path")
        register_path_copy("activities.Registration", "unit_path")
        register_path_copy("activities.StudyAssignment", "target_path")
        register_path_copy("activities.StudySubmission", "unit_path")
        register_actions(ACTIONS)
        register_exchange()
        register_nav(45, "activities:home", "活动与培训", "bi-calendar-event", "activities.view")
        register_nav(46, "activities:study", "学习任务", "bi-book", "activities.view")
        register_nav(47, "activities:my", "我的活动", "bi-calendar-check", "self.member")
        register_nav(48, "activities:study_mine", "我的学习任务", "bi-journal-text", "self.member")
        register_summary()
        register_panel(45, dashboard_panel)
        register_step(65, "活动与培训", demo.populate)


ACTIONS = {
    "activity_kind.create": "新增活动类型",
    "activity_kind.update": "修改活动类型",
    "partner.create": "登记合作单位",
    "partner.update": "修改合作单位",
    "activity.create": "新建活动",
    "activity.update": "修改活动",
    "activity.status": "变更活动状态",
    "activity.import": "导入活动",
    "activity.export": "导出活动",
    "session.add": "增加场次",
    "session.update": "修改场次",
    "session.remove": "删除场次",
    "session.rotate": "更换签到二维码",
    "registration.signup": "报名活动",
    "registration.add": "代为报名",
    "registration.cancel": "取消报名",
    "registration.promote": "候补转正",
    "registration.score": "登记答卷成绩",
    "checkin.record": "活动签到",
    "checkin.undo": "撤销签到",
    "attendance.import": "导入参加人员",
    "attendance.export": "导出参加人员",
    "attachment.add": "上传活动附件",
    "attachment.remove": "删除活动附件",
    "study.create": "布置学习任务",
    "study.update": "修改学习任务",
    "study.submit": "提交学习心得",
    "study.remove": "删除学习提交",
}

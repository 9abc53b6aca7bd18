from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gonghui.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from gonghui.audit.services import audit_denial
        from gonghui.core.services import register_audit_writer

        register_audit_writer(audit_denial)

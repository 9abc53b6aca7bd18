import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站（waitress）并在后台启动任务处理进程"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GONGHUI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GONGHUI_PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程（已单独部署 worker 时使用）")
        parser.add_argument(
            "--trusted-proxy", default=os.environ.get("GONGHUI_TRUSTED_PROXY", ""),
            help="反向代理的地址（如 127.0.0.1）：信任其 X-Forwarded-Proto/For 头",
        )

    def handle(self, *args, host, port, threads, no_worker, trusted_proxy, **options):
        from waitress import serve

        from gonghui.wsgi import application

        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            # The embedded install has no operator to run migrations: do it here.
            call_command("migrate", interactive=False, verbosity=0)
            from gonghui.core.db import refresh_planner_stats

            refresh_planner_stats()
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "gonghui.cli", "db_worker", "--interval", "1"])

        def stop(*_):
            if worker is not None and worker.poll() is None:
                worker.terminate()
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"工会工作平台已启动：http://{host}:{port}/  （按 Ctrl+C 停止）")
        try:
            proxy = {}
            if trusted_proxy:
                # The proxy's scheme and client address become the request's own, so the
                # HTTPS redirect, secure cookies and the audit trail's IP are right.
                proxy = {
                    "trusted_proxy": trusted_proxy,
                    "trusted_proxy_count": 1,
                    "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"},
                }
            serve(
                application, host=host, port=port, threads=threads, ident="gonghui", clear_untrusted_proxy_headers=True, **proxy
            )
        finally:
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=10)

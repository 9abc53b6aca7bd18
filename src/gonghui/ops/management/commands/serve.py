import logging
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

log = logging.getLogger("gonghui.serve")


class WorkerSupervisor:
    """The background worker, started with the site and started again whenever it dies.

    A worker killed mid-import (by the kernel, an operator or a crash) leaves its job
    "处理中" and its task claimed; the supervisor marks that job failed with a Chinese
    reason at once and starts a new worker, so later imports do not wait forever. A worker
    that keeps dying is restarted with a growing pause (up to a minute) instead of in a
    tight loop.
    """

    def __init__(self, command: list[str]):
        self.command = command
        self.stopping = threading.Event()
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._start()
        self.thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self.thread.start()

    def _start(self) -> None:
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(self.command)

    def _watch(self) -> None:
        from django.db import connection

        from gonghui.exchange.jobs import jobs_recover

        pause = 1.0
        while not self.stopping.is_set():
            code = self.process.wait()
            if self.stopping.is_set():
                break
            pid = self.process.pid
            log.error("background worker (pid %s) ended with %s; restarting it", pid, code)
            try:
                jobs_recover(dead_pid=pid)
            except Exception:  # the database may be what failed; the next worker retries
                log.exception("could not recover the jobs of worker %s", pid)
            finally:
                connection.close()
            # A worker that ran for a while gets a new one at once; one that dies at start
            # (a broken database, say) is retried at 1, 2, 4 … 60 s.
            pause = 1.0 if time.monotonic() - self.started_at > 60 else min(pause * 2, 60.0)
            if self.stopping.wait(pause if self.restarts else 0):
                break
            self.restarts += 1
            self._start()

    def stop(self) -> None:
        self.stopping.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


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
        from gonghui.exchange.jobs import jobs_recover

        # Jobs a worker of this host left running when the site last stopped.
        jobs_recover()
        supervisor = None if no_worker else WorkerSupervisor([sys.executable, "-m", "gonghui.cli", "db_worker", "--interval", "1"])

        def stop(*_):
            if supervisor is not None:
                supervisor.stop()
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
            if supervisor is not None:
                supervisor.stop()

"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

One browser per session, a fresh context (cookies, storage) per test. Every page records
console errors, CSP violations and uncaught exceptions so a test can assert the app ran
clean. Screenshots go to $GONGHUI_TEST_OUTPUT/screenshots/<test>-<db vendor>-<nn>-<step>.png.
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect, sync_playwright

from gonghui.accounts.models import LoginFailure, LoginLock

PASSWORD = "Test#Pass2025"  # what gonghui.testing.factories.UserFactory sets
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # date fields as a Chinese user sees them
]
CHART_ANIMATION_MS = 1100  # ECharts animates a chart in for 1000 ms by default
OUTPUT_DIR = Path(os.environ.get("GONGHUI_TEST_OUTPUT", "/work/main/test-output")) / "screenshots"


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop running in this thread while it is open,
    # which Django's async-safety check mistakes for async code calling the ORM; the
    # check is relaxed only for as long as the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _no_lockout_left_over(transactional_db):
    """Every browser shares 127.0.0.1, so a lock left by an earlier test would refuse all
    logins. The flush between transactional tests clears them; make sure it did."""
    assert not LoginLock.objects.exists(), "a login lock survived from an earlier test"
    assert not LoginFailure.objects.exists(), "login failures survived from an earlier test"


@pytest.fixture
def open_page(browser, live_server):
    """open_page(**context_options) → a Page in a fresh context aimed at the live server.

    page.problems collects console errors (CSP violations included) and uncaught
    exceptions for the whole life of the page.
    """
    contexts = []

    def do(**options) -> Page:
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", {"width": 1366, "height": 900})
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: page.problems.append(f"pageerror: {exc}"))
        return page

    yield do
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page) -> Page:
    return open_page()


@pytest.fixture
def shot(request):
    """shot(page, "step") saves a (full-page) screenshot named after the test and DB vendor."""
    test = re.sub(r"[^\w.-]+", "_", request.node.name)
    counter = iter(range(1, 100))
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)

    def do(page: Page, step: str, *, full_page: bool = True) -> Path:
        if page.locator("[data-chart] canvas").count():
            page.wait_for_timeout(CHART_ANIMATION_MS)  # so the picture shows the finished charts
        path = OUTPUT_DIR / f"{test}-{connection.vendor}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return do


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def log_in():
    """log_in(page, username, password=…) submits the login form; unless told otherwise it
    then expects the dashboard (工作台)."""

    def do(page: Page, username: str, password: str = PASSWORD, *, expect_dashboard: bool = True) -> None:
        if not page.url.split("?")[0].endswith("/accounts/login/"):
            page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        if expect_dashboard:
            expect(page).to_have_title(re.compile(r"^工作台"))

    return do

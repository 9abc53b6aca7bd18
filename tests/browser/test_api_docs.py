"""The API documentation works offline and under the strict CSP, for logged-in staff."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_staff_read_the_api_docs_without_a_cdn(page, personas, tree, log_in, live_server):
    outside = []
    page.on("request", lambda r: r.url.startswith(live_server.url) or r.url.startswith("data:") or outside.append(r.url))
    log_in(page, "street_chair")
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("gonghui")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert outside == [] and page.problems == []

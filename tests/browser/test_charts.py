"""Charts as a reader needs them (issue: clipped bar labels, figures without separators,
donuts without shares, paged legends, one-bar charts): one helper, charts.js, draws them
all; these checks read what ECharts actually laid out."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.access.permissions import Role
from gonghui.donations import services as donations
from gonghui.testing.factories import actor_of, staff

pytestmark = pytest.mark.browser

# For each chart on the page: its kind, its value labels as drawn, whether each label fits
# inside the chart, and the legend's type and names.
LAYOUT = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
  const chart = echarts.getInstanceByDom(el);
  if (!chart) { return {source: el.dataset.source, figure: el.innerText.trim()}; }
  const option = chart.getOption();
  const series = option.series[0];
  const out = {source: el.dataset.source, kind: el.dataset.chart, width: el.clientWidth};
  if (series.type === 'bar') {
    const grid = chart.getModel().getComponent('grid').coordinateSystem.getRect();
    const horizontal = el.dataset.chart === 'hbar';
    const ctx = document.createElement('canvas').getContext('2d'); ctx.font = '12px sans-serif';
    out.labels = series.label.show ? series.data.map(v => series.label.formatter({value: v})) : [];
    out.shown = series.label.show;
    out.fits = out.labels.every(t => horizontal ? grid.x + grid.width + 5 + ctx.measureText(t).width <= el.clientWidth
                                                : grid.y - 5 - 12 >= 0);
  } else {
    out.legendType = option.legend[0].type;
    out.legendNames = series.data.map(d => option.legend[0].formatter(d.name));
  }
  return out;
})"""


def _wait_for_charts(page):
    page.wait_for_function("() => typeof echarts !== 'undefined' && document.querySelectorAll('[data-chart]').length > 0")


def test_money_bars_carry_separators_and_fit_and_donuts_name_every_share(page, personas, tree, log_in, shot):
    actor = actor_of(personas.grassroots_chair)
    drive = donations.drive_create(actor=actor, org=tree.grassroots, name="抗洪救灾爱心捐款", purpose="抗洪救灾",
                                   starts_on=dt.date.today() - dt.timedelta(days=10),
                                   ends_on=dt.date.today() + dt.timedelta(days=10))
    for name, kind, amount in (("临江精密机械有限公司", "unit", Decimal(1_000_000)), ("临江精密机械有限公司", "unit", Decimal(1_000_000)),
                               ("临江精密机械有限公司", "unit", Decimal(1_000_000)), ("王芳", "person", Decimal(200)), ("李强", "person", Decimal("150.50"))):
        donations.donation_record(actor=actor, drive=drive, name=name, kind=kind, amount=amount, on=dt.date.today())
    other = donations.drive_create(actor=actor, org=tree.grassroots, name="金秋助学", purpose="助学",
                                   starts_on=dt.date.today() - dt.timedelta(days=10), ends_on=dt.date.today() + dt.timedelta(days=10))
    donations.donation_record(actor=actor, drive=other, name="赵敏", kind="person", amount=Decimal(88), on=dt.date.today())
    log_in(page, "grassroots_chair")
    page.goto("/donations/stats/")
    _wait_for_charts(page)
    layout = {c["source"]: c for c in page.evaluate(LAYOUT)}
    shot(page, "donations-stats")
    drives = layout["chart-drives"]
    assert sorted(drives["labels"]) == ["3,000,350.5元", "88元"]
    for chart in layout.values():
        if chart.get("labels"):
            assert chart["fits"], chart
            assert all("," in t or float(t.rstrip("元").replace(",", "")) < 1000 for t in chart["labels"])
    kinds = layout["chart-kinds"]
    assert kinds["legendType"] == "plain"  # never paged: every category stays visible
    assert all(name.endswith("%") for name in kinds["legendNames"]) and len(kinds["legendNames"]) >= 2
    assert page.problems == []


def test_a_union_without_branches_sees_figures_not_one_bar_charts(page, tree, log_in, shot):
    staff(tree.branch, Role.BRANCH_LEAD, username="lead_b1", full_name="分会负责人")
    log_in(page, "lead_b1")
    page.wait_for_selector('[data-source="chart-levels"]')
    levels = page.locator('[data-source="chart-levels"]')
    assert levels.locator("canvas").count() == 0 and "1个" in levels.inner_text()
    shot(page, "branch-dashboard")
    assert page.problems == []


def test_a_narrow_chart_of_many_months_keeps_its_labels_apart(open_page, personas, tree, log_in, shot):
    """Twelve months on a phone-width card: category labels tilt, value labels give way to
    the tooltip instead of running into each other."""
    page = open_page(viewport={"width": 390, "height": 844})
    log_in(page, "street_chair")
    page.wait_for_selector('[data-source="m-months"] canvas')
    layout = {c["source"]: c for c in page.evaluate(LAYOUT)}
    months = layout["m-months"]
    assert months["kind"] == "bar" and months["shown"] is False
    rotate = page.evaluate("() => echarts.getInstanceByDom(document.querySelector('[data-source=\"m-months\"]'))"
                           ".getOption().xAxis[0].axisLabel.rotate")
    assert rotate == 45
    shot(page, "phone-dashboard")
    assert page.problems == []

"""Counts on pages carry thousands separators like money does (Django's zh_Hans format has none)."""

from django.contrib.humanize.templatetags.humanize import intcomma

from gonghui.core.formats import yuan


def test_counts_and_money_are_grouped_the_same_way():
    assert intcomma(3463) == "3,463" and intcomma(12345678) == "12,345,678"
    assert yuan(37250) == "37,250"


def test_the_dashboard_writes_counts_with_separators(tree, personas, login):
    import re

    from gonghui.orgs.models import Kind
    from gonghui.testing.factories import OrgFactory

    for i in range(2):
        OrgFactory(parent=tree.street, code=f"X{i}", kind=Kind.ENTERPRISE, employee_count=1_500)
    page = login(personas.street_chair).get("/").content.decode()
    figures = re.findall(r'class="stat-value"[^>]*>([^<]*)<', page)
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", f.strip()) for f in figures), figures
    assert not any(re.fullmatch(r"\d{4,}", f.strip()) for f in figures), figures


import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.formats import doc_money, doc_number, doc_percent
from gonghui.summary.periods import parse_period

D = dt.date


@pytest.mark.parametrize("code, start, end, label", [
    ("2025", D(2025, 1, 1), D(2025, 12, 31), "2025年"),
    ("2025H1", D(2025, 1, 1), D(2025, 6, 30), "2025年上半年"),
    ("2025h2", D(2025, 7, 1), D(2025, 12, 31), "2025年下半年"),
    ("2025Q1", D(2025, 1, 1), D(2025, 3, 31), "2025年第一季度"),
    ("2024Q1", D(2024, 1, 1), D(2024, 3, 31), "2024年第一季度"),
    ("2025Q3", D(2025, 7, 1), D(2025, 9, 30), "2025年第三季度"),
    ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "2024年2月"),
    ("2025-2", D(2025, 2, 1), D(2025, 2, 28), "2025年2月"),
    ("2025-10", D(2025, 10, 1), D(2025, 10, 31), "2025年10月"),
    ("2025-01-01..2025-06-30", D(2025, 1, 1), D(2025, 6, 30), "2025年1月1日至6月30日"),
    ("2024-12-01..2025-01-31", D(2024, 12, 1), D(2025, 1, 31), "2024年12月1日至2025年1月31日"),
    (" 2025-03-05～2025-03-05 ", D(2025, 3, 5), D(2025, 3, 5), "2025年3月5日至3月5日"),
])
def test_it_parses_each_kind_of_period(code, start, end, label):
    p = parse_period(code)
    assert (p.start, p.end, p.label) == (start, end, label)


@pytest.mark.parametrize("code, message", [
    ("", "请填写期间"), ("2025H3", "无法识别"), ("2025Q5", "无法识别"), ("2025-13", "月份 13 不存在"),
    ("2025-02-30..2025-03-01", "日期不存在"), ("2025-06-30..2025-01-01", "结束日期早于开始日期"),
    ("1900", "超出范围"), ("2019-01-01..2025-12-31", "不能超过5年"), ("去年", "无法识别"),
])
def test_it_refuses_bad_periods_in_chinese(code, message):
    with pytest.raises(ValidationError) as exc:
        parse_period(code)
    assert message in exc.value.messages[0]


def test_it_compares_with_the_same_period_a_year_earlier():
    assert parse_period("2025H1").year_earlier().code == "2024H1"
    leap = parse_period("2024-02").year_earlier()
    assert (leap.start, leap.end) == (D(2023, 2, 1), D(2023, 2, 28))
    back = parse_period("2025-02").year_earlier()
    assert back.end == D(2024, 2, 29)  # a month's end stays the month's end
    rng = parse_period("2025-03-01..2025-03-15").year_earlier()
    assert (rng.start, rng.end) == (D(2024, 3, 1), D(2024, 3, 15))


def test_it_takes_as_of_figures_at_the_end_or_today():
    p = parse_period("2025")
    assert p.as_of(D(2026, 3, 1)) == D(2025, 12, 31)
    assert p.as_of(D(2025, 10, 31)) == D(2025, 10, 31)
    assert p.as_of(D(2024, 5, 1)) == D(2025, 1, 1)


@pytest.mark.parametrize("value, text", [
    ("11500", "11500元"), ("500.00", "500元"), ("1250.50", "1250.5元"), ("99999.99", "99999.99元"),
    ("100000", "100000元"), ("123456", "123456元"), ("1234567.89", "1234567.89元"), ("0.01", "0.01元"),
])
def test_it_writes_money_as_official_documents_do(value, text):
    assert doc_money(value) == text


def test_it_writes_numbers_and_percentages_without_separators():
    assert doc_number(11500) == "11500"
    assert doc_number("3.50") == "3.5"
    assert doc_percent(0.1333) == "13.3%"
    assert doc_percent(0.5) == "50%"
    assert doc_percent(2 / 3) == "66.7%"

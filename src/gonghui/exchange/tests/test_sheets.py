import datetime as dt

import pytest

from gonghui.exchange.sheets import CellError, neutralize, to_bool, to_date, to_int, to_text


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2025-10-31", dt.date(2025, 10, 31)), ("2025/1/2", dt.date(2025, 1, 2)), ("2025.1.2", dt.date(2025, 1, 2)),
        ("2025年1月2日", dt.date(2025, 1, 2)), ("20250102", dt.date(2025, 1, 2)), (45961, dt.date(2025, 10, 31)),
        ("45961", dt.date(2025, 10, 31)), (dt.datetime(2025, 1, 2, 0, 0), dt.date(2025, 1, 2)), ("", None),
    ],
)
def test_it_reads_the_dates_people_type(raw, expected):
    assert to_date(raw) == expected


@pytest.mark.parametrize("raw", ["2025-02-30", "明天", "31/10/2025"])
def test_it_refuses_dates_it_cannot_read(raw):
    with pytest.raises(CellError):
        to_date(raw)


def test_it_reads_numbers_and_flags():
    assert to_int(12.0) == 12 and to_int("1,200") == 1200 and to_int("") is None
    with pytest.raises(CellError):
        to_int(1.5)
    assert to_bool("是") and not to_bool("否") and to_bool("√")
    with pytest.raises(CellError):
        to_bool("也许")
    assert to_text(1001.0) == "1001" and to_text("'=A1") == "=A1"


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@x", "\tx"])
def test_it_neutralizes_formula_like_text(text):
    assert neutralize(text).startswith("'")
    assert neutralize("正常文字") == "正常文字"


@pytest.mark.parametrize("raw,expected", [("1,200.50", "1200.50"), (300, "300.00"), ("￥500元", "500.00"), (12.5, "12.50")])
def test_it_reads_money(raw, expected):
    from decimal import Decimal

    from gonghui.exchange.sheets import to_decimal

    assert to_decimal(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["十元", "1.234", "NaN"])
def test_it_refuses_bad_money(raw):
    from gonghui.exchange.sheets import to_decimal

    with pytest.raises(CellError):
        to_decimal(raw)

"""Chinese numerals for ordinals (第三届) and headings (一、, （十二）)."""

import pytest

from gonghui.core.formats import cn_numeral


@pytest.mark.parametrize("n, expected", [
    (1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"), (99, "九十九"), (100, "一百"),
    (101, "一百零一"), (110, "一百一十"), (120, "一百二十"), (1000, "一千"), (1001, "一千零一"), (1010, "一千零一十"),
    (2003, "二千零三"), (9999, "九千九百九十九"),
])
def test_it_writes_a_number_in_chinese_numerals(n, expected):
    assert cn_numeral(n) == expected


@pytest.mark.parametrize("n", [0, -1, 10000])
def test_it_refuses_numbers_it_cannot_write(n):
    with pytest.raises(ValueError):
        cn_numeral(n)


def test_it_writes_headings_as_before():
    from gonghui.summary.document import cn_numeral as heading

    assert [heading(n) for n in (1, 10, 12, 20, 99)] == ["一", "十", "十二", "二十", "九十九"]
    with pytest.raises(ValueError):
        heading(100)

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core import validators as v

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def reference_uscc_check(body: str) -> str:
    # Independent derivation: GB 32100's weights are 3**i mod 31.
    total = sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(body))
    return ALPHABET[(31 - total % 31) % 31]


def reference_id_check(body: str) -> str:
    # Independent derivation: GB 11643's weights are 2**(17-i) mod 11.
    r = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body)) % 11
    value = (12 - r) % 11
    return "X" if value == 10 else str(value)


uscc_bodies = st.builds(
    lambda a, b, region, rest: a + b + region + rest,
    st.sampled_from("8915"),
    st.sampled_from("1239"),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


@given(uscc_bodies)
def test_it_computes_the_uscc_check_character_like_the_reference(body):
    assert v.uscc_check_char(body) == reference_uscc_check(body)
    assert v.normalize_uscc(body + reference_uscc_check(body)) == body + reference_uscc_check(body)


@given(uscc_bodies, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_it_rejects_every_single_character_change_of_a_uscc(body, position, replacement):
    code = body + reference_uscc_check(body)
    mutated = code[:position] + replacement + code[position + 1 :]
    if mutated == code:
        return
    with pytest.raises(ValidationError):
        v.normalize_uscc(mutated)


def test_it_explains_a_wrong_uscc_in_chinese():
    good = "91330108MA2B3C4D5"
    good += v.uscc_check_char(good)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位不符"):
        v.normalize_uscc(wrong)
    with pytest.raises(ValidationError, match="应为18位"):
        v.normalize_uscc(good[:-2])
    with pytest.raises(ValidationError, match="无效字符"):
        v.normalize_uscc(good[:5] + "I" + good[6:])


def test_it_accepts_full_width_and_lower_case_uscc_input():
    good = "91330108ma2b3c4d5".upper()
    good += v.uscc_check_char(good)
    typed = "".join(chr(ord(c) + 0xFEE0) for c in good.lower())  # full-width
    assert v.normalize_uscc(typed) == good


birthdays = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31))
id_bodies = st.builds(
    lambda region, birth, seq: f"{region}{birth:%Y%m%d}{seq:03d}",
    st.sampled_from(["110105", "330108", "340104", "440305", "510107"]),
    birthdays,
    st.integers(min_value=0, max_value=999),
)


@given(id_bodies)
def test_it_computes_the_id_check_character_like_the_reference(body):
    assert v.id_check_char(body) == reference_id_check(body)
    parsed = v.parse_resident_id(body + reference_id_check(body))
    assert parsed.birth_date.strftime("%Y%m%d") == body[6:14]
    assert parsed.gender == ("M" if int(body[16]) % 2 else "F")


@settings(max_examples=50)
@given(id_bodies)
def test_it_rejects_every_single_digit_mutation_of_an_id(body):
    number = body + reference_id_check(body)
    for position in range(18):
        for replacement in "0123456789X":
            mutated = number[:position] + replacement + number[position + 1 :]
            if mutated == number:
                continue
            with pytest.raises(ValidationError):
                v.parse_resident_id(mutated)


@given(st.text(max_size=40))
def test_it_never_raises_anything_but_a_validation_error(text):
    for fn in (v.normalize_uscc, v.parse_resident_id, v.normalize_mobile, v.normalize_phone):
        with contextlib.suppress(ValidationError):
            fn(text)


def test_it_converts_a_15_digit_id_to_18_digits():
    parsed = v.parse_resident_id("110105491231002")
    assert parsed.number == "11010519491231002" + reference_id_check("11010519491231002")
    assert parsed.birth_date == dt.date(1949, 12, 31)


def test_it_warns_but_accepts_an_unknown_region():
    body = "990101198001010010"[:17]
    parsed = v.parse_resident_id(body + v.id_check_char(body))
    assert parsed.warnings and "地区码" in parsed.warnings[0]


def test_it_rejects_an_impossible_birth_date():
    body = "11010519800230001"  # 30 February
    with pytest.raises(ValidationError, match="出生日期不存在"):
        v.parse_resident_id(body + v.id_check_char(body))


@pytest.mark.parametrize("raw,expected", [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("１３８１２３４５６７８", "13812345678")])
def test_it_normalizes_mobile_numbers(raw, expected):
    assert v.normalize_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "23812345678", "abc"])
def test_it_rejects_bad_mobile_numbers(raw):
    with pytest.raises(ValidationError, match="手机号"):
        v.normalize_mobile(raw)


def test_it_accepts_a_landline_for_an_org_contact():
    assert v.normalize_phone("0571-86600001") == "057186600001"
    assert v.format_phone("057186600001") == "0571-86600001"
    assert v.format_phone("01012345678") == "010-12345678"


def test_it_masks_ids_and_phones():
    assert v.mask_id("110105194912310021") == "110105********0021"
    assert v.mask_phone("13812345678") == "138****5678"

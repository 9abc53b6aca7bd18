"""Validators for Chinese identifiers: USCC (GB 32100), resident ID (GB 11643), phones.

Each `normalize_*` returns the canonical form or raises ValidationError with a Chinese
message a union clerk can act on. Input is NFKC-normalised first because codes are often
typed with a Chinese input method switched to full-width characters.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata

from django.core.exceptions import ValidationError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}


def _clean(value: object) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return re.sub(r"[\s\-]", "", text).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: object) -> str:
    code = _clean(value)
    if len(code) != 18:
        raise ValidationError(f"统一社会信用代码应为18位，当前为{len(code)}位。", code="uscc_length")
    bad = sorted({ch for ch in code if ch not in _USCC_VALUE})
    if bad:
        raise ValidationError(
            f"统一社会信用代码含有无效字符：{'、'.join(bad)}（代码不使用 I、O、S、V、Z）。", code="uscc_chars"
        )
    if not code[2:8].isdigit():
        raise ValidationError("统一社会信用代码第3至8位应为行政区划代码（数字）。", code="uscc_region")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不符，请核对是否抄录有误。", code="uscc_check")
    return code


# --- resident identity card (GB 11643-1999) --------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Province-level prefixes (first two digits) in use; anything else is a warning only.
ID_PROVINCES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83", "91"]
)


_DIGIT = {str(d): d for d in range(10)}


def id_check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("the check character needs exactly 17 digits")
    try:
        # map() over a digit table: a third of the generator's time (an import checks 100,000).
        digits = list(map(_DIGIT.__getitem__, first17))
    except KeyError:  # other Unicode digits, which int() also reads
        digits = [int(d) for d in first17]
    return ID_CHECK[sum(map(operator.mul, digits, ID_WEIGHTS)) % 11]


class ResidentId:
    """A validated 18-character resident ID with what it encodes."""

    __slots__ = ("number", "birth_date", "gender", "warnings")

    def __init__(self, number: str, birth_date: dt.date, gender: str, warnings: list[str]):
        self.number = number
        self.birth_date = birth_date
        self.gender = gender  # "M" or "F"
        self.warnings = warnings


def parse_resident_id(value: object, *, today: dt.date | None = None) -> ResidentId:
    """Validate an ID number; 15-digit legacy numbers are converted to 18 digits."""
    number = _clean(value)
    if len(number) == 15:
        if not number.isdigit():
            raise ValidationError("15位身份证号应全部为数字。", code="id_chars")
        body = number[:6] + "19" + number[6:]
        number = body + id_check_char(body)
    elif len(number) != 18:
        raise ValidationError(f"身份证号应为18位（或旧式15位），当前为{len(number)}位。", code="id_length")
    elif not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("身份证号前17位应为数字，最后一位为数字或X。", code="id_chars")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期不存在。", code="id_birth") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise ValidationError("身份证号中的出生日期不合理。", code="id_birth")
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号校验位不符，请核对是否抄录有误。", code="id_check")
    warnings = []
    if number[:2] not in ID_PROVINCES:
        warnings.append(f"身份证号地区码“{number[:6]}”不在已知的省级行政区划内，请核对。")
    gender = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number, birth, gender, warnings)


# --- phones ----------------------------------------------------------------------------
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}(?:\d{1,6})?$")


def normalize_mobile(value: object) -> str:
    number = re.sub(r"[()（）]", "", _clean(value))
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not _MOBILE.match(number):
        raise ValidationError("手机号应为以1开头的11位数字。", code="mobile")
    return number


def normalize_phone(value: object) -> str:
    """A mobile number, or a landline with its area code (e.g. 0551-12345678)."""
    raw = _clean(value)
    try:
        return normalize_mobile(raw)
    except ValidationError:
        pass
    digits = re.sub(r"[()（）]", "", raw)
    if _LANDLINE.match(digits):
        return digits
    raise ValidationError("联系电话应为11位手机号，或带区号的固定电话（如 0551-12345678）。", code="phone")


def format_phone(number: str) -> str:
    """Display form: landlines get their area-code dash back."""
    if number.startswith("0") and len(number) > 9:
        area = 3 if number[1] in "12" else 4
        return f"{number[:area]}-{number[area:]}"
    return number


def mask_id(number: str) -> str:
    return f"{number[:6]}********{number[-4:]}" if number and len(number) >= 10 else ("*" * len(number or ""))


def mask_phone(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}" if number and len(number) >= 7 else ("*" * len(number or ""))

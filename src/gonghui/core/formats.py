"""How official documents write dates, numbers and money."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def cn_date(value: dt.date | dt.datetime | None) -> str:
    """2025年10月31日: Arabic numerals without leading zeros (GB/T 9704)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local)} {local:%H:%M}"


def yuan(value, *, places: int = 2) -> str:
    """Money with thousands separators; whole amounts drop the decimals (11500 → 11,500)."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.{places}f}"


def doc_number(value) -> str:
    """A count or amount as official documents write it: Arabic numerals, no thousands
    separators (11500), decimals only when there are any (1250.5)."""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return str(int(amount))
    return format(amount.normalize(), "f")


def doc_money(value) -> str:
    """Money in a 公文 sentence, always in 元: 500元, 11500元, 1250.5元, 123456元. One unit
    for every amount, so a summary never writes 600元 beside 12.3456万元 (its tables are
    headed 金额（元） too); exact to the cent, so no figure is ever rounded away."""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{doc_number(amount)}元"


_CN_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """A whole number in Chinese numerals, as documents write ordinals and headings:
    1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五, 110 → 一百一十, 2003 → 二千零三
    (第三届工会委员会, 一、, （十二）). From 1 to 9999."""
    if not 1 <= n <= 9999:
        raise ValueError(n)
    if n < 20:  # 十, 十二: a leading 一 is dropped before 十 alone
        return ("十" if n >= 10 else "") + (_CN_DIGITS[n % 10] if n % 10 or n < 10 else "")
    out, zero = [], False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit = n // size % 10
        if digit:
            if zero and out:
                out.append("零")
            out.append(_CN_DIGITS[digit] + unit)
            zero = False
        elif out:
            zero = True
    return "".join(out)


def doc_percent(ratio, places: int = 1) -> str:
    """A ratio as 92.3% (half up)."""
    pct = (Decimal(str(ratio)) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{doc_number(pct)}%"

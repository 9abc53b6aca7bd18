"""Reporting periods: 2025, 2025H1, 2025H2, 2025Q3, 2025-10, 2025-01-01..2025-06-30."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from gonghui.core.formats import add_years

_QUARTERS = "一二三四"
_FORMAT_HELP = "期间格式：2025（全年）、2025H1/2025H2（上/下半年）、2025Q3（季度）、2025-10（月份）或 2025-01-01..2025-06-30（任意日期范围）。"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    code: str
    kind: str  # year | half | quarter | month | range

    @property
    def label(self) -> str:
        """How a title names the period: 2025年, 2025年上半年, 2025年第三季度, 2025年10月,
        2025年1月1日至6月30日."""
        y = self.start.year
        if self.kind == "year":
            return f"{y}年"
        if self.kind == "half":
            return f"{y}年{'上' if self.start.month == 1 else '下'}半年"
        if self.kind == "quarter":
            return f"{y}年第{_QUARTERS[(self.start.month - 1) // 3]}季度"
        if self.kind == "month":
            return f"{y}年{self.start.month}月"
        head = f"{self.start.year}年{self.start.month}月{self.start.day}日"
        tail = f"{self.end.month}月{self.end.day}日" if self.end.year == y else f"{self.end.year}年{self.end.month}月{self.end.day}日"
        return f"{head}至{tail}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_of(self, today: dt.date | None = None) -> dt.date:
        """The day "as of" figures are taken: the period's last day, or today while the
        period is still running."""
        today = today or dt.date.today()
        return min(self.end, max(today, self.start))

    def year_earlier(self) -> Period:
        """The same period a year before, for 同比."""
        start, end = add_years(self.start, -1), add_years(self.end, -1)
        if self.end.month == 2 and self.end.day == calendar.monthrange(self.end.year, 2)[1]:
            end = end.replace(day=calendar.monthrange(end.year, 2)[1])  # 2024-02-29 ↔ 2025-02-28 month ends
        code = self.code
        if self.kind != "range":
            code = str(self.start.year - 1) + self.code[4:]
        else:
            code = f"{start.isoformat()}..{end.isoformat()}"
        return Period(start, end, code, self.kind)


def _year(text: str) -> int:
    y = int(text)
    if not 1950 <= y <= 2100:
        raise ValidationError(f"年份 {y} 超出范围（1950–2100）。")
    return y


def parse_period(text: str) -> Period:
    """A Period from its code, or ValidationError in Chinese."""
    raw = (text or "").strip().upper().replace("～", "..").replace("~", "..").replace("—", "..")
    if not raw:
        raise ValidationError("请填写期间。" + _FORMAT_HELP)
    try:
        if m := re.fullmatch(r"(\d{4})", raw):
            y = _year(m[1])
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), raw, "year")
        if m := re.fullmatch(r"(\d{4})H([12])", raw):
            y, h = _year(m[1]), int(m[2])
            return Period(dt.date(y, 1 if h == 1 else 7, 1), dt.date(y, 6, 30) if h == 1 else dt.date(y, 12, 31), raw, "half")
        if m := re.fullmatch(r"(\d{4})Q([1-4])", raw):
            y, q = _year(m[1]), int(m[2])
            first = 3 * (q - 1) + 1
            last = first + 2
            return Period(dt.date(y, first, 1), dt.date(y, last, calendar.monthrange(y, last)[1]), raw, "quarter")
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
            y, mo = _year(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                raise ValidationError(f"月份 {mo} 不存在。")
            return Period(dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), f"{y}-{mo:02d}", "month")
        if m := re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})\.\.(\d{4}-\d{1,2}-\d{1,2})", raw):
            start, end = (_date(m[1]), _date(m[2]))
            if end < start:
                raise ValidationError("结束日期早于开始日期。")
            _year(str(start.year))
            _year(str(end.year))
            if (end - start).days > 366 * 5:
                raise ValidationError("日期范围不能超过5年。")
            return Period(start, end, f"{start.isoformat()}..{end.isoformat()}", "range")
    except ValueError as exc:  # e.g. 2025-02-30
        raise ValidationError(f"日期不存在：{text}。") from exc
    raise ValidationError(f"无法识别的期间“{text}”。" + _FORMAT_HELP)


def _date(text: str) -> dt.date:
    y, m, d = (int(p) for p in text.split("-"))
    return dt.date(y, m, d)


def period_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """Common periods for the picker: this and last year, their halves, quarters, months."""
    today = today or dt.date.today()
    out = []
    for y in (today.year, today.year - 1):
        out.append((str(y), f"{y}年全年"))
        out += [(f"{y}H1", f"{y}年上半年"), (f"{y}H2", f"{y}年下半年")]
        out += [(f"{y}Q{q}", f"{y}年第{_QUARTERS[q - 1]}季度") for q in range(1, 5)]
    return out

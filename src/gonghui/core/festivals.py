"""Chinese festivals by date, for phrasing ("中秋节前，慰问职工2户"). Lunar dates come from
lunar_python (6tail), so no table of dates needs updating each year."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar

_LUNAR = (("春节", 1, 1), ("元宵节", 1, 15), ("端午节", 5, 5), ("中秋节", 8, 15), ("重阳节", 9, 9))
_SOLAR = (("元旦", 1, 1), ("三八妇女节", 3, 8), ("五一劳动节", 5, 1), ("国庆节", 10, 1))


@lru_cache(maxsize=64)
def festivals(year: int) -> tuple[tuple[dt.date, str], ...]:
    out = [(dt.date(year, m, d), name) for name, m, d in _SOLAR]
    for name, m, d in _LUNAR:
        solar = Lunar.fromYmd(year, m, d).getSolar()
        out.append((dt.date(solar.getYear(), solar.getMonth(), solar.getDay()), name))
    return tuple(sorted(out))


def festival_near(first: dt.date, last: dt.date, *, before_days: int = 25) -> str:
    """"中秋节前" when the dates fall in the weeks before a festival, "中秋节期间" when they
    reach it (or the three days after); two festivals close together read as summaries
    write them: "元旦春节前", "中秋节、国庆节前"."""
    before, during = [], []
    for year in sorted({first.year - 1, first.year, last.year, last.year + 1}):
        for day, name in festivals(year):
            if first <= day + dt.timedelta(days=3) and last >= day:
                during.append((day, name))
            elif last < day and (day - first).days <= before_days:
                before.append((day, name))
    chosen, suffix = (during, "期间") if during else (before, "前")
    if not chosen:
        return ""
    names = [n for _, n in sorted(chosen)]
    if names[:2] == ["元旦", "春节"]:
        return "元旦春节" + suffix
    return "、".join(names) + suffix

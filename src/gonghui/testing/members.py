"""Test helpers for the roster: valid ID numbers and spreadsheet files."""

import datetime as dt
import itertools

import xlsxwriter

from gonghui.core.validators import id_check_char

_seq = itertools.count(1)


def make_id(birth: dt.date = dt.date(1985, 6, 15), *, male: bool = True, region: str = "330108") -> str:
    n = next(_seq) % 500
    seq = f"{n:02d}{(1 if male else 2) + 2 * (n % 4)}"[-3:]
    body = f"{region}{birth:%Y%m%d}{seq}"
    return body + id_check_char(body)


def write_roster(path, rows: list[dict], headers=None, *, title=None):
    from gonghui.members.sheets import HEADERS

    headers = headers or HEADERS
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("会员")
    start = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title)
        start = 1
    for i, h in enumerate(headers):
        ws.write_string(start, i, h)
    for r, row in enumerate(rows, start=start + 1):
        for c, h in enumerate(headers):
            value = row.get(h)
            if isinstance(value, dt.date):
                ws.write_string(r, c, value.isoformat())
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return path

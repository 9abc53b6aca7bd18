"""Test helpers for the roster: valid ID numbers and spreadsheet files."""

import datetime as dt
import itertools

from gonghui.core.validators import id_check_char

_seq = itertools.count(1)


def make_id(birth: dt.date = dt.date(1985, 6, 15), *, male: bool = True, region: str = "330108") -> str:
    n = next(_seq) % 500
    seq = f"{n:02d}{(1 if male else 2) + 2 * (n % 4)}"[-3:]
    body = f"{region}{birth:%Y%m%d}{seq}"
    return body + id_check_char(body)


# The roster file in the import's own shape; the demo writes its roster the same way.
from gonghui.members.sheets import write_roster  # noqa: E402,F401

"""Keyset ("seek") paging and column sorting for list pages.

No list ever counts a whole table: a page fetches size+1 rows after (or before) the
cursor, which is the last row's sort key. That keeps a deep page as fast as the first
on a table of millions, provided an index matches the order.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.core import signing
from django.db.models import Q, QuerySet


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    size: int
    sort: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _signer(order: Sequence[str]) -> signing.Signer:
    # The cursor's values go straight into a WHERE clause, so only values this server
    # wrote, for this very order, are taken back: a forged one (a string where a date is
    # compared, a 20-digit id) or one from another sort would otherwise end in a 500.
    return signing.Signer(salt="gonghui.paging:" + ",".join(order))


def _encode(direction: str, values: list, order: Sequence[str]) -> str:
    raw = json.dumps({"d": direction, "v": [_jsonable(v) for v in values]}, ensure_ascii=False)
    return _signer(order).sign(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def _decode(cursor: str, order: Sequence[str]) -> tuple[str, list] | None:
    try:
        payload = _signer(order).unsign(cursor)
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        data = json.loads(raw)
        if data["d"] in ("n", "p") and isinstance(data["v"], list):
            return data["d"], data["v"]
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        pass
    return None  # a tampered or stale cursor just restarts at page 1


def _beyond(fields: list[tuple[str, bool]], values: list) -> Q:
    """Rows strictly after `values` in the order given by `fields` ((name, descending))."""
    result = Q()
    # The OR form alone hides the range from the planner; the redundant bound on the
    # leading column lets it range-scan the index from the cursor on.
    lead, lead_desc = fields[0]
    bound = Q(**{f"{lead}__lte" if lead_desc else f"{lead}__gte": values[0]})
    for i, (name, desc) in enumerate(fields):
        clause = Q(**{f"{name}__lt" if desc else f"{name}__gt": values[i]})
        for j in range(i):
            clause &= Q(**{fields[j][0]: values[j]})
        result |= clause
    return bound & result


def keyset_page(qs: QuerySet, *, order: Sequence[str], cursor: str | None = None, size: int = 50) -> Page:
    """One page of `qs` ordered by `order`, whose last field must be unique (the pk)."""
    fields = [(f.lstrip("-"), f.startswith("-")) for f in order]
    decoded = _decode(cursor, order) if cursor else None
    direction, values = decoded if decoded and len(decoded[1]) == len(fields) else ("n", None)
    walk = fields if direction == "n" else [(name, not desc) for name, desc in fields]
    if values is not None:
        qs = qs.filter(_beyond(walk, values))
    qs = qs.order_by(*[("-" if desc else "") + name for name, desc in walk])
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if direction == "p":
        rows.reverse()

    def key(row):
        return [getattr(row, name) for name, _ in fields]

    if not rows:
        return Page(rows, None, None, size)
    has_next = more if direction == "n" else True
    has_prev = values is not None if direction == "n" else more
    return Page(
        rows,
        _encode("n", key(rows[-1]), order) if has_next else None,
        _encode("p", key(rows[0]), order) if has_prev else None,
        size,
    )


def sort_order(request, allowed: dict[str, Sequence[str]], default: str) -> tuple[str, Sequence[str]]:
    """The sort key asked for in ?sort= (if allowed) and its ORDER BY fields."""
    key = request.GET.get("sort", default)
    if key not in allowed:
        key = default
    return key, allowed[key]


def query_without(request, *names: str, **extra) -> str:
    """The current query string minus some parameters, plus others (for links)."""
    params = {k: v for k, v in request.GET.items() if k not in names and k not in extra}
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)

"""Keyset ("seek") paging and column sorting for list pages.

A page fetches size+1 rows after (or before) the cursor, which is the last row's sort
key. That keeps a deep page as fast as the first on a table of millions, provided an
index matches the order. Besides the walk there are two jumps: to a page number near the
start (OFFSET, bounded so it stays cheap) and to the first row whose leading sort key
starts at a value (a letter of the pinyin order: a keyset seek). Totals come from
`count_rows`, exact within a time budget and otherwise the planner's estimate.
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
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, QuerySet

# A jump to page N reads (N-1)*size rows through the ordering index and throws them
# away; beyond this many rows that costs more than a list page may (bench/members_scale.py,
# 50 ms at a million members), and the letter jump reaches any part of a long list.
MAX_JUMP_ROWS = 500
COUNT_BUDGET_MS = 15  # an exact total that takes longer gives way to the estimate
COUNT_TRY_ROWS = 200_000  # about what an index-only count gets through in that time
COUNT_CAP = 100_000  # without a statement timeout (SQLite), count no further than this


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    size: int
    sort: str = ""
    number: int | None = None  # known when the walk started at page 1 or a page jump
    notice: str = ""  # why a jump did not land where it was asked to

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)

    @property
    def max_jump(self) -> int:
        return max(1, MAX_JUMP_ROWS // self.size + 1)


@dataclass(frozen=True)
class Total:
    """How many rows a list has: exact, or the planner's estimate (shown as 约)."""

    n: int
    exact: bool

    def pages(self, size: int) -> int:
        return max(1, -(-self.n // size))


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


def _encode(direction: str, values: list, order: Sequence[str], number: int | None = None) -> str:
    data = {"d": direction, "v": [_jsonable(v) for v in values]}
    if number is not None:
        data["k"] = number  # the page number the cursor leads to, for "第 k 页"
    raw = json.dumps(data, ensure_ascii=False)
    return _signer(order).sign(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def _decode(cursor: str, order: Sequence[str]) -> tuple[str, list, int | None] | None:
    try:
        payload = _signer(order).unsign(cursor)
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        data = json.loads(raw)
        number = data.get("k")
        if data["d"] in ("n", "p") and isinstance(data["v"], list) and (number is None or type(number) is int):
            return data["d"], data["v"], number
    except (signing.BadSignature, ValueError, KeyError, TypeError, AttributeError):
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


def keyset_page(
    qs: QuerySet,
    *,
    order: Sequence[str],
    cursor: str | None = None,
    size: int = 50,
    page: int | None = None,
    start: str | None = None,
) -> Page:
    """One page of `qs` ordered by `order`, whose last field must be unique (the pk).

    `page` jumps to that page number (at most `Page.max_jump`); `start` jumps to the first
    row whose leading order field begins with it or sorts after it (before it, descending).
    Either overrides the cursor.
    """
    fields = [(f.lstrip("-"), f.startswith("-")) for f in order]

    def key(row):
        return [getattr(row, name) for name, _ in fields]

    if page is not None:
        return _jump_to_page(qs, order, fields, key, page, size)
    if start:
        return _jump_to_start(qs, order, fields, key, start, size)
    decoded = _decode(cursor, order) if cursor else None
    direction, values, number = decoded if decoded and len(decoded[1]) == len(fields) else ("n", None, 1)
    walk = fields if direction == "n" else [(name, not desc) for name, desc in fields]
    if values is not None:
        qs = qs.filter(_beyond(walk, values))
    qs = qs.order_by(*[("-" if desc else "") + name for name, desc in walk])
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if direction == "p":
        rows.reverse()

    if not rows:
        return Page(rows, None, None, size)
    has_next = more if direction == "n" else True
    has_prev = values is not None if direction == "n" else more
    if not has_prev:
        number = 1  # however we got here, nothing lies before it
    return _page(rows, order, key, size, number, has_next, has_prev)


def _page(rows, order, key, size, number, has_next, has_prev, notice="") -> Page:
    return Page(
        rows,
        _encode("n", key(rows[-1]), order, number + 1 if number else None) if has_next else None,
        _encode("p", key(rows[0]), order, number - 1 if number else None) if has_prev else None,
        size,
        number=number,
        notice=notice,
    )


def _jump_to_page(qs, order, fields, key, page, size) -> Page:
    limit = max(1, MAX_JUMP_ROWS // size + 1)
    notice = ""
    number = max(1, page)
    if number > limit:
        notice = f"只能直接跳到前 {limit} 页；更靠后的记录请按首字母跳转或逐页翻看。已跳到第 {limit} 页。"
        number = limit
    # OFFSET over the ordering index: bounded above, so at most MAX_JUMP_ROWS are skipped.
    rows = list(qs.order_by(*order)[(number - 1) * size: number * size + 1])
    if not rows and number > 1:
        first = keyset_page(qs, order=order, size=size)
        first.notice = f"没有第 {page} 页，已回到第 1 页。"
        return first
    more = len(rows) > size
    rows = rows[:size]
    if not rows:
        return Page(rows, None, None, size, number=1)
    return _page(rows, order, key, size, number, more, number > 1, notice)


def _jump_to_start(qs, order, fields, key, start, size) -> Page:
    lead, desc = fields[0]
    # Ascending: from the first key >= start. Descending: from the first key below the
    # next prefix, so that every key beginning with `start` is on the page too.
    after = start[:-1] + chr(ord(start[-1]) + 1)
    at = Q(**{f"{lead}__lt": after}) if desc else Q(**{f"{lead}__gte": start})
    rows = list(qs.filter(at).order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not rows:
        return Page(rows, None, None, size, notice=f"没有排在“{start.upper()}”之后的记录。")
    backwards = [("" if d else "-") + name for name, d in fields]
    # One row before the landing point, walked backwards from it (the same index the
    # previous page would use), says whether this is page 1.
    has_prev = bool(list(qs.exclude(at).order_by(*backwards).values_list("pk", flat=True)[:1]))
    return _page(rows, order, key, size, None if has_prev else 1, more, has_prev)


def count_rows(qs: QuerySet, *, budget_ms: int = COUNT_BUDGET_MS) -> Total:
    """The number of rows of `qs`: exact if counting takes at most `budget_ms`, else the
    planner's estimate. On a database without a statement timeout (SQLite) the count
    stops at COUNT_CAP rows and a larger list is reported as an estimate of at least that."""
    qs = qs.order_by()
    if connection.vendor != "postgresql":
        n = qs.values("pk")[: COUNT_CAP + 1].count()
        return Total(n, exact=n <= COUNT_CAP)
    estimate = _estimate(qs)
    # A count the planner expects to be far too long is not even started: cancelling
    # one costs its parallel workers' start and stop on top of the budget.
    if estimate <= COUNT_TRY_ROWS:
        try:
            # SET LOCAL lives until the end of the transaction, so the savepoint carries it
            # and the previous value is put back before the savepoint is released.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{max(1, int(budget_ms))}ms"])
                n = qs.count()
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return Total(n, exact=True)
        except DatabaseError:
            pass
    return Total(_round(estimate), exact=False)


def _estimate(qs: QuerySet) -> int:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _round(n: int) -> int:
    """An estimate to three significant figures (it is not better than that)."""
    if n < 1000:
        return n
    scale = 10 ** (len(str(n)) - 3)
    return round(n / scale) * scale


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

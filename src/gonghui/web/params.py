"""Request parameters, parsed at the edge.

A view reads a query-string or form value through one of these helpers instead of
`int(request.GET[...])`, `date.fromisoformat(...)` or `json.loads(...)`. A value the
helper cannot use raises `BadRequestParam`, which the project's handler400
(`core.views.bad_request`) answers with 400 and the helper's Chinese message, so a
hand-edited URL or a forged form can never end in a 500 (OverflowError from a 20-digit
year, a date the calendar arithmetic cannot reach, RecursionError from deep JSON).

Every helper takes either the request (its query string is read) or a QueryDict such as
`request.POST`. An absent or empty value gives `default`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict

# Well inside what date arithmetic (± a century of years or days) and both databases
# handle, and wide enough for any record a union keeps (births included).
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year
# Primary keys are 64-bit (BigAutoField); SQLite overflows past this, PostgreSQL refuses it.
ID_MAX = 2**63 - 1
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # a PostgreSQL integer column

_INTEGER = re.compile(r"[+-]?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_JSON_TOKEN = re.compile(r'[\[\]{}"\\]')


class BadRequestParam(BadRequest):
    """A parameter the edge refused. `message` is Chinese and safe to show: it names the
    parameter and what was expected, never the value or anything of the server."""

    def __init__(self, message: str, *, name: str = ""):
        super().__init__(message)
        self.message = message
        self.name = name


def _data(source: HttpRequest | QueryDict) -> QueryDict:
    return source.GET if isinstance(source, HttpRequest) else source


def _raw(source, name: str) -> str | None:
    value = _data(source).get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _within(digits: str, low: int, high: int) -> bool:
    # A few thousand digits make int() itself refuse (and take time): anything that long
    # is out of range anyway.
    return len(digits) <= 40 and low <= int(digits) <= high


def _label(name: str, label: str | None) -> str:
    return label or f"参数“{name}”"


def param_int(source, name: str, *, default: int | None = None, min_value: int = INT_MIN, max_value: int = INT_MAX,
              label: str | None = None) -> int | None:
    """An integer within [min_value, max_value] (ASCII digits only: int() would also take
    '٣' or '1_000', which no form of ours sends)."""
    raw = _raw(source, name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise BadRequestParam(f"{_label(name, label)}应为整数。", name=name)
    if not _within(raw, min_value, max_value):
        raise BadRequestParam(f"{_label(name, label)}应在{min_value}至{max_value}之间。", name=name)
    return int(raw)


def param_id(source, name: str, *, default: int | None = None, label: str | None = None) -> int | None:
    """A record id: a positive 64-bit integer."""
    return param_int(source, name, default=default, min_value=1, max_value=ID_MAX, label=label or f"参数“{name}”（编号）")


def param_year(source, name: str, *, default: int | None = None, min_value: int = YEAR_MIN, max_value: int = YEAR_MAX,
               label: str = "年份") -> int | None:
    raw = _raw(source, name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw) or not _within(raw, min_value, max_value):
        raise BadRequestParam(f"{label}应为{min_value}至{max_value}之间的年份。", name=name)
    return int(raw)


def param_date(source, name: str, *, default: dt.date | None = None, min_value: dt.date = DATE_MIN,
               max_value: dt.date = DATE_MAX, label: str = "日期") -> dt.date | None:
    """A date written 2025-10-31, within [min_value, max_value]."""
    raw = _raw(source, name)
    if raw is None:
        return default
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequestParam(f"{label}格式应为 2025-10-31。", name=name) from None
    if not min_value <= value <= max_value:
        raise BadRequestParam(f"{label}应在{min_value.isoformat()}至{max_value.isoformat()}之间。", name=name)
    return value


def param_month(source, name: str, *, default: str = "", label: str = "月份") -> str:
    """A month written 2025-10, within the years DATE_MIN..DATE_MAX (returned as written,
    zero-padded)."""
    raw = _raw(source, name)
    if raw is None:
        return default
    match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", raw)
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadRequestParam(f"{label}格式应为 2025-10。", name=name)
    if not YEAR_MIN <= int(match[1]) <= YEAR_MAX:
        raise BadRequestParam(f"{label}应在{YEAR_MIN}年至{YEAR_MAX}年之间。", name=name)
    return f"{match[1]}-{int(match[2]):02d}"


def param_choice(source, name: str, choices: Iterable, *, default: str = "", label: str | None = None) -> str:
    """One of `choices` (strings, or (value, label) pairs as Django choices are)."""
    raw = _raw(source, name)
    if raw is None:
        return default
    allowed = {c[0] if isinstance(c, tuple | list) else c for c in choices}
    if raw not in {str(c) for c in allowed}:
        raise BadRequestParam(f"{_label(name, label)}的取值无效。", name=name)
    return raw


def param_str(source, name: str, *, default: str = "", max_length: int = 200, label: str | None = None) -> str:
    """Free text, stripped. NUL is refused: PostgreSQL cannot store or compare it."""
    raw = _raw(source, name)
    if raw is None:
        return default
    if "\x00" in raw:
        raise BadRequestParam(f"{_label(name, label)}含有不允许的字符。", name=name)
    if len(raw) > max_length:
        raise BadRequestParam(f"{_label(name, label)}不能超过{max_length}个字。", name=name)
    return raw


# --- JSON -------------------------------------------------------------------------------------


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in `text` nest deeper than `max_depth`, found by
    scanning (strings skipped) rather than parsing: the parser itself recurses once per
    level and would end in RecursionError long before a size limit is reached."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    in_string = False
    skip_to = -1
    for match in _JSON_TOKEN.finditer(text):
        at, token = match.start(), match.group()
        if at < skip_to:
            continue
        if in_string:
            if token == "\\":
                skip_to = at + 2
            elif token == '"':
                in_string = False
        elif token == '"':
            in_string = True
        elif token in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _size(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000} MB"
    return f"{n // 1000} KB" if n >= 1000 else f"{n}字节"


def check_json(text: str, *, max_bytes: int, max_depth: int, label: str = "提交的内容", name: str = "") -> str:
    """`text` unchanged, once it is known to be safe to hand to a JSON parser: refused
    (BadRequestParam) when larger than `max_bytes` or nested deeper than `max_depth`.
    For a caller whose own parsing already answers malformed JSON in its words."""
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise BadRequestParam(f"{label}过大，不能超过{_size(max_bytes)}。", name=name)
    if json_depth_exceeds(text, max_depth):
        raise BadRequestParam(f"{label}嵌套层数过多（最多{max_depth}层）。", name=name)
    return text


def parse_json(text: str, *, max_bytes: int, max_depth: int, label: str = "提交的内容", name: str = ""):
    """`text` as JSON, refused (BadRequestParam) when larger than `max_bytes`, nested
    deeper than `max_depth`, or not JSON."""
    check_json(text, max_bytes=max_bytes, max_depth=max_depth, label=label, name=name)
    try:
        return json.loads(text)
    except ValueError:
        raise BadRequestParam(f"{label}不是有效的 JSON。", name=name) from None


def param_json(source, name: str, *, max_bytes: int, max_depth: int, default=None, label: str | None = None):
    """A form or query value holding JSON (see parse_json)."""
    value = _data(source).get(name)
    if value is None or not str(value).strip():
        return default
    return parse_json(str(value), max_bytes=max_bytes, max_depth=max_depth, label=_label(name, label), name=name)


def param_json_body(request: HttpRequest, *, max_bytes: int, max_depth: int, label: str = "请求内容"):
    """The request body as JSON. The declared length is checked before the body is read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise BadRequestParam(f"{label}过大，不能超过{_size(max_bytes)}。")
    body = request.body
    if len(body) > max_bytes:
        raise BadRequestParam(f"{label}过大，不能超过{_size(max_bytes)}。")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestParam(f"{label}不是 UTF-8 编码的 JSON。") from None
    return parse_json(text, max_bytes=max_bytes, max_depth=max_depth, label=label)

"""Reading and writing the spreadsheets union staff exchange (xlsx, xls, ods, csv).

Every import in gonghui declares its columns once (`Column`), and this module turns a
file into rows of typed values with a Chinese error per bad cell, and writes templates
and exports with the same headers. Text that Excel would run as a formula is refused on
the way in and neutralised on the way out.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import xlsxwriter

from gonghui.exchange.sheet_read import SPREADSHEET_SUFFIXES, UNREADABLE, SheetError  # noqa: F401  (re-exported)

EXCEL_EPOCH = dt.date(1899, 12, 30)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "不", ""}


class CellError(ValueError):
    """One cell is wrong; the message is for the user."""


@dataclass
class Column:
    key: str
    header: str
    required: bool = False
    kind: str = "text"  # text, int, date, bool, choice, decimal
    max_length: int | None = None
    choices: Sequence[tuple[str, str]] = ()  # (value, label)
    help: str = ""
    example: object = ""
    width: int = 16

    def parse(self, raw, *, formula: bool = False):
        if not formula and type(raw) is str:
            # Coded columns repeat a handful of spellings a hundred thousand times: the
            # answer for a spelling already accepted is remembered (errors are not).
            known = self.__dict__.get("_known")
            if known is not None and raw in known:
                return known[raw]
        if (raw is None or raw == "") and not formula:
            if self.required:
                raise CellError(f"“{self.header}”不能为空。")
            return None if self.kind in ("date", "int", "decimal") else ("" if self.kind != "bool" else False)
        if formula:
            raise CellError(f"“{self.header}”是公式，请改为直接填写内容（可复制后“选择性粘贴为数值”）。")
        if self.kind == "date":
            value = to_date(raw)
        elif self.kind == "int":
            value = to_int(raw)
        elif self.kind == "bool":
            value = to_bool(raw)
        elif self.kind == "decimal":
            value = to_decimal(raw)
        else:
            value = to_text(raw)
            if value.startswith("="):
                raise CellError(f"“{self.header}”以“=”开头，看起来是公式，请改为直接填写内容。")
            if self.max_length and len(value) > self.max_length:
                raise CellError(f"“{self.header}”最多{self.max_length}个字，当前{len(value)}个字。")
            if self.kind == "choice" and value:
                lookup = self._choice_lookup()
                if value in lookup:
                    value = lookup[value]
                else:
                    options = "、".join(label for _, label in self.choices)
                    raise CellError(f"“{self.header}”的值“{value}”无效，应为：{options}。")
        if self.required and value in (None, ""):
            raise CellError(f"“{self.header}”不能为空。")
        if self.kind in ("choice", "bool") and type(raw) is str:
            known = self.__dict__.setdefault("_known", {})
            if len(known) < 1000:
                known[raw] = value
        return value

    def _choice_lookup(self) -> dict[str, str]:
        """Label or value → value, built once per column (it runs for every cell)."""
        cached = self.__dict__.get("_lookup")
        if cached is None:
            cached = {v: v for v, _ in self.choices} | {label: v for v, label in self.choices}
            self.__dict__["_lookup"] = cached
        return cached

    def label_of(self, value) -> str:
        return dict(self.choices).get(value, value) if self.kind == "choice" else value


# --- cell conversions ------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def to_text(raw) -> str:
    if raw is None:
        return ""
    if type(raw) is str and raw.isprintable():
        # The common case, checked in C: no control characters, tabs or odd spaces.
        text = raw.strip()
        if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
            text = text[1:]
        return text
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # codes typed as numbers come back as 1001.0
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    # Control characters (NUL above all) are never part of a name or code; PostgreSQL
    # refuses NUL outright. Tabs and line breaks inside a cell become spaces.
    text = _CONTROL.sub("", str(raw).replace("\t", " ").replace("\r\n", " ").replace("\n", " ")).replace("\u3000", " ").strip()
    # An apostrophe our own exports put before formula-like text is not part of the value.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def to_int(raw) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise CellError("应为整数。")
    if isinstance(raw, int | float):
        if float(raw).is_integer():
            return int(raw)
        raise CellError(f"应为整数，当前为“{raw}”。")
    text = to_text(raw).replace(",", "").replace("，", "")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.0+", text):
        return int(float(text))
    raise CellError(f"应为整数，当前为“{text}”。")


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def to_date(raw) -> dt.date | None:
    if type(raw) is str and len(raw) == 10 and raw[4] == raw[7] == "-" and raw.isascii():
        try:  # the usual 2025-10-31, parsed in C
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass  # the patterns below say what is wrong with it
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, dt.time | dt.timedelta):
        raise CellError("单元格里是时间或数字0，不是日期，请填写如 2025-10-31 的日期。")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        # An Excel serial day number (cell formatted as a number rather than a date).
        if 1 <= raw < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raise CellError(f"日期“{raw}”无法识别。")
    text = to_text(raw)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise CellError(f"日期“{text}”不存在。") from None
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    raise CellError(f"日期“{text}”无法识别，请写成 2025-10-31 的形式。")


def to_decimal(raw) -> Decimal | None:
    """Money and amounts: '1,200.50', 1200.5, '¥300', '300元' (two decimals at most)."""
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise CellError("应为数字。")
    text = to_text(raw).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").removesuffix("元").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(f"应为数字，当前为“{to_text(raw)}”。") from None
    if not value.is_finite() or value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        raise CellError(f"金额最多保留两位小数，当前为“{to_text(raw)}”。")
    return value.quantize(Decimal("0.01"))


def to_bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = to_text(raw).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"应填“是”或“否”，当前为“{text}”。")


# --- reading ---------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (1-based row number in the file, cells)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row number, column index)
    header_row: int = 1


def sheet_names(path: Path | str) -> list[str]:
    """The names of a workbook's sheets, in order ([] for a CSV or an unknown type)."""
    from gonghui.exchange.sheet_read import sheet_names_isolated

    return sheet_names_isolated(Path(path))


def read_table(path: Path | str, *, expected_headers: Iterable[str] = (), sheet: str | None = None,
               allow_empty: bool = False) -> Table:
    """Read the first sheet (or the CSV) into a Table, finding the header row.

    The header row is the first of the first ten rows that contains any expected header,
    which skips a merged title row above it. `sheet` reads the workbook's sheet of that
    name instead of the first one; `allow_empty` returns a Table without rows (instead of
    refusing the file) when the sheet is blank or has only its header row.

    The file is read by a child process with memory and time limits (exchange/sheet_read.py):
    a crafted file can fail its own import, never the process that asked.
    """
    from gonghui.exchange.sheet_read import read_table_isolated

    headers, rows, formulas, header_row = read_table_isolated(
        Path(path), expected_headers=list(expected_headers), sheet=sheet, allow_empty=allow_empty
    )
    return Table(headers=headers, rows=rows, formulas=formulas, header_row=header_row)


def header_name(cell) -> str:
    # Templates mark required columns with "*"; users sometimes add spaces or line breaks.
    return re.sub(r"[\s*＊]", "", to_text(cell))


def map_columns(table: Table, columns: Sequence[Column]) -> dict[str, int]:
    index: dict[str, int] = {}
    seen: dict[str, int] = {}
    for i, name in enumerate(table.headers):
        if name in seen and name:
            raise SheetError(f"表头“{name}”出现了两次（第{seen[name] + 1}列和第{i + 1}列），请删除重复的列。")
        seen[name] = i
    for col in columns:
        if col.header in seen:
            index[col.key] = seen[col.header]
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        raise SheetError(f"缺少必需的列：{'、'.join(missing)}。请使用系统提供的导入模板。")
    return index


def parse_row(table: Table, rownum: int, cells: list, columns: Sequence[Column], index: dict[str, int]):
    """({key: value}, [error messages]) for one row. A row equal to the template's example
    (in every column the file has) is refused here, for every kind at once."""
    values, errors = {}, []
    formulas, width = table.formulas, len(cells)
    for col in columns:
        i = index.get(col.key)
        if i is None:
            continue
        raw = cells[i] if i < width else None
        try:
            values[col.key] = col.parse(raw, formula=bool(formulas) and (rownum, i) in formulas)
        except CellError as exc:
            message = str(exc)
            errors.append(message if message.startswith("“") else f"“{col.header}”{message}")
    if not errors and values:
        example = example_values(columns)
        if example is not None:
            for key, value in values.items():
                if example[key] != value:
                    break  # usually at the first column: a real row costs one comparison
            else:
                errors.append(EXAMPLE_ROW)
    return values, errors


# Templates older than the one without an example row had the example as their second row,
# and copies of them circulate: kept by mistake, that row became a member who then received
# money. Every importer refuses it, whichever template the file came from.
EXAMPLE_ROW = "这是模板中的示例行，请删除后再导入。"
_EXAMPLES: dict[int, tuple[Sequence[Column], dict | None]] = {}


class _AnyValue:
    """Equal to every value. Older templates wrote “是” into every yes/no column of their
    example whatever the example said, so those columns cannot tell the example apart."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def example_values(columns: Sequence[Column]) -> dict | None:
    """The columns' examples as parse_row reads them, or None when they have none."""
    entry = _EXAMPLES.get(id(columns))
    if entry is None or entry[0] is not columns:
        try:
            values = {c.key: _AnyValue() if c.kind == "bool" else c.parse(c.example) for c in columns}
        except CellError:
            values = None  # an example that is no valid row can never be matched
        if not any(c.example not in (None, "") and c.kind != "bool" for c in columns):
            values = None
        if len(_EXAMPLES) > 100:
            _EXAMPLES.clear()  # column lists built on the fly must not pile up
        # The list itself is kept in the entry so that its id is not reused meanwhile.
        entry = _EXAMPLES[id(columns)] = (columns, values)
    return entry[1]


# --- importing -------------------------------------------------------------------------


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector around import-sized work.

    Reading and checking 100,000 rows creates millions of lists, dicts and tuples, and
    the collector walks all of them again and again although reference counting frees
    them anyway (calamine's 100,000 rows into Python: 0.33 s with it, 0.18 s without; the
    roster import about 0.2 s of 12, more for bigger files). It is switched back on
    afterwards, also on error, unless it was already off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sheet_of(message: str) -> str:
    if message.startswith("“") and "”工作表：" in message:
        return message.split("”工作表：", 1)[0]
    return ""


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do); shared by every kind."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    file_error: str = ""
    dry_run: bool = False
    mode: str = "all"
    written: bool = False
    batch: str = ""
    total: int = 0
    token: str = ""

    @property
    def rejected(self) -> int:
        """Rows refused, each counted once; a file of several sheets names the sheet at the
        start of its messages (“职工之家评定”工作表：…), so row 2 of two sheets is two rows."""
        return len({(row, _sheet_of(message)) for row, message in self.errors})

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors


class ImportRefused(Exception):
    """The whole file is refused before any row is looked at; `message` is for the user."""

    def __init__(self, message: str, org):
        super().__init__(message)
        self.message, self.org = message, org


def open_import(*, actor, perm: str, org, path, columns: Sequence[Column]):
    """The common start of every import: permission, target union (the actor's own by
    default), scope, and a readable file with the required columns.

    Returns (org, table, column index); raises ImportRefused with a Chinese message.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    from gonghui.core.services import error_text

    try:
        actor.require(perm)
        org = org or actor.org
        if org is None:
            raise ValidationError("请用 --org 指定导入到哪个工会。")
        actor.require_covers(org)
        table = read_table(path, expected_headers=[c.header for c in columns])
        index = map_columns(table, columns)
    except (SheetError, PermissionDenied, ValidationError) as exc:
        raise ImportRefused(error_text(exc) if isinstance(exc, ValidationError) else str(exc), org) from None
    return org, table, index


# --- writing ---------------------------------------------------------------------------


def neutralize(text: str) -> str:
    """Keep Excel from running exported text as a formula (CSV/formula injection)."""
    return "'" + text if text and text[0] in FORMULA_PREFIXES else text


class XlsxWriter:
    """A workbook whose cells are written by type, never auto-detected as formulas."""

    def __init__(self, path: Path | str):
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        self.header = self.book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.required = self.book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "font_color": "#B3261E", "text_wrap": True, "valign": "vcenter"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.text = self.book.add_format({"num_format": "@"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})

    def sheet(self, name: str, columns: Sequence[Column]):
        ws = self.book.add_worksheet(name)
        for i, col in enumerate(columns):
            ws.set_column(i, i, col.width, self.text if col.kind in ("text", "choice") else None)
            ws.write_string(0, i, col.header + ("*" if col.required else ""), self.required if col.required else self.header)
        ws.freeze_panes(1, 0)
        ws.set_row(0, 28)
        return ws

    def write_row(self, ws, rownum: int, columns: Sequence[Column], values: dict) -> None:
        for i, col in enumerate(columns):
            value = values.get(col.key)
            if value is None or value == "":
                continue
            if col.kind == "date" and isinstance(value, dt.date):
                ws.write_datetime(rownum, i, dt.datetime.combine(value, dt.time()), self.date)
            elif col.kind == "int" and isinstance(value, int):
                ws.write_number(rownum, i, value)
            elif col.kind == "decimal" and isinstance(value, Decimal | int | float):
                ws.write_number(rownum, i, float(value), self.money)
            elif col.kind == "bool":
                ws.write_string(rownum, i, "是" if value else "否")
            else:
                ws.write_string(rownum, i, neutralize(str(col.label_of(value))))

    def add_dropdowns(self, ws, columns: Sequence[Column], last_row: int = 5000) -> None:
        for i, col in enumerate(columns):
            source = None
            if col.kind == "choice" and col.choices:
                source = [label for _, label in col.choices]
            elif col.kind == "bool":
                source = ["是", "否"]
            if source:
                ws.data_validation(1, i, last_row, i, {
                    "validate": "list", "source": source,
                    "error_title": "输入有误", "error_message": f"请从下拉列表中选择“{col.header}”。",
                })
            elif col.kind == "date":
                ws.data_validation(1, i, last_row, i, {
                    "validate": "date", "criteria": ">", "value": dt.datetime(1900, 1, 1),
                    "error_title": "日期有误", "error_message": "请填写日期，如 2025-10-31。",
                })

    def explain(self, columns: Sequence[Column], *, title: str, notes: Sequence[str] = (), sheet: str = "",
                more: Sequence[tuple[str, Sequence[Column]]] = (), examples: bool = False) -> None:
        """The 填写说明 sheet: notes, then the columns of the data sheet. `more` adds the
        columns of further sheets, (sheet name, columns) each; every table is then headed
        by its sheet's name (`sheet` for the first). `examples` (templates) adds a 示例
        column: the example lives here, never as a row of a data sheet."""
        ws = self.book.add_worksheet("填写说明")
        widths = (22, 10, 24, 70) if examples else (22, 10, 70)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        ws.write_string(0, 0, title, self.title)
        row = 2
        if examples:
            notes = [*notes, "下表“示例”列是各列的填写示例，仅供参考；数据工作表从第二行起填写真实数据，照抄示例的行不会被导入。"]
        for note in notes:
            ws.write_string(row, 0, note)
            row += 1
        for name, cols in [(sheet, columns), *more]:
            row = self._explain_columns(ws, row + 1, cols, heading=f"“{name}”工作表" if more and name else "",
                                        examples=examples)

    def _explain_columns(self, ws, row: int, columns: Sequence[Column], *, heading: str = "", examples: bool = False) -> int:
        if heading:
            ws.write_string(row, 0, heading, self.title)
            row += 1
        heads = ("列名", "是否必填", "示例", "说明") if examples else ("列名", "是否必填", "说明")
        for i, h in enumerate(heads):
            ws.write_string(row, i, h, self.header)
        for col in columns:
            row += 1
            ws.write_string(row, 0, col.header)
            ws.write_string(row, 1, "必填" if col.required else "选填")
            if examples and col.example not in (None, ""):
                ws.write_string(row, 2, neutralize(str(col.example)))
            text = col.help
            if col.kind == "choice" and col.choices:
                text = (text + " " if text else "") + "可选值：" + "、".join(label for _, label in col.choices)
            elif col.kind == "date":
                text = (text + " " if text else "") + "日期格式：2025-10-31。"
            elif col.kind == "bool":
                text = (text + " " if text else "") + "填“是”或“否”。"
            if col.max_length:
                text += f" 最多{col.max_length}个字。"
            ws.write_string(row, len(heads) - 1, text.strip(), self.wrap)
        return row + 1

    def close(self) -> None:
        self.book.close()


def write_template(path: Path | str, columns: Sequence[Column], *, title: str, notes: Sequence[str] = (), sheet: str = "数据",
                   more: Sequence[tuple[str, Sequence[Column]]] = ()) -> Path:
    """A template: the data sheet (header and dropdowns, no rows), then any further data
    sheets of `more` ((sheet name, columns) each), then 填写说明 covering them all, with
    each column's example. An example row on a data sheet was imported as a real record
    whenever someone forgot to delete it."""
    out = XlsxWriter(path)
    for name, cols in [(sheet, columns), *more]:
        ws = out.sheet(name, cols)
        out.add_dropdowns(ws, cols)
    out.explain(columns, title=title, notes=notes, sheet=sheet, more=more, examples=True)
    out.close()
    return Path(path)

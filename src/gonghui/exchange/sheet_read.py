"""Reading an untrusted spreadsheet where it cannot hurt anything else.

A 2 KB .xlsx with one cell at XFD1048576 made the reader allocate hundreds of GiB and
abort the process that read it (the web server, the import worker); a 1 MB zip bomb grew
to a 1 GiB sheet in memory. So no gonghui process parses a spreadsheet itself:

* `read_table_isolated` / `sheet_names_isolated` start `python -m gonghui.exchange.sheet_read`
  (this module), a child that first caps its own address space and CPU time, then checks
  the file before any grid is built — every zip part's uncompressed size and compression
  ratio, the sheet's declared `<dimension>` and, in one streamed pass, its actual extent
  (highest row and column) and whether any cell holds a formula — and only then lets
  calamine read it. The child answers with the table in `marshal` form on stdout.
* Whatever happens in the child (a Rust abort, a MemoryError, a hang), the parent sees an
  exit status, never a crash of its own, and turns it into a Chinese `SheetError`.

The child imports no Django. The parent trusts its output as much as its own code: the
format is produced only by this module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import marshal
import os
import re
import signal
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt")

UNREADABLE = "无法读取该文件：文件可能已损坏、被加密或不是真正的 Excel 文件。请用 Excel 打开后另存为 .xlsx 再试。"
TOO_BIG = "文件过大或结构异常（读取时超出了导入允许的内存或时间），未导入任何数据。请删除多余的行、列和格式，或拆分后再导入。"
XML_FORBIDDEN = "文件中含有不允许的 XML 声明（DTD 或实体定义），可能不是 Excel 正常保存的文件。请用 Excel 打开后另存为 .xlsx 再导入。"


@dataclass(frozen=True)
class Limits:
    """What one file may hold. The defaults fit the largest real roster (1,000,000 rows of
    a few dozen columns) with room to spare; settings may lower or raise them."""

    max_rows: int = 1_000_000
    max_columns: int = 500
    max_cells: int = 30_000_000  # the grid calamine builds: rows × columns of the used range
    max_unzipped_mb: int = 1024  # all parts of a workbook together, uncompressed
    max_ratio: int = 200  # uncompressed / compressed, for any part over 1 MB
    memory_mb: int = 3072  # the child's address space
    seconds: int = 300  # the child's CPU time; the wall-clock limit is twice that

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(**getattr(settings, "GONGHUI_SHEET_LIMITS", {})) if settings.configured else cls()


class SheetError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


# --- the parent side ---------------------------------------------------------------------


def read_table_isolated(path: Path, *, expected_headers=(), sheet=None, allow_empty=False, limits: Limits | None = None):
    """(headers, rows, formulas, header_row) of the file, read by a child process."""
    answer = _run_child({"op": "table", "path": str(path), "expected": list(expected_headers), "sheet": sheet,
                         "allow_empty": allow_empty}, limits or Limits.from_settings())
    headers, rows, formulas, header_row, temporal = answer
    for i, j, kind, payload in temporal:
        rows[i][1][j] = _revive(kind, payload)
    return headers, rows, {tuple(f) for f in formulas}, header_row


def sheet_names_isolated(path: Path, limits: Limits | None = None) -> list[str]:
    return _run_child({"op": "names", "path": str(path)}, limits or Limits.from_settings())


def _run_child(request: dict, limits: Limits):
    request["limits"] = asdict(limits)
    env = dict(os.environ)
    # The child must run this very code, also from a source tree that is not installed.
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "gonghui.exchange.sheet_read"], input=json.dumps(request).encode(),
            capture_output=True, timeout=limits.seconds * 2, env=env, check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("spreadsheet reader timed out on %s", request["path"])
        raise SheetError(TOO_BIG) from None
    if done.returncode != 0 or not done.stdout:
        # A Rust abort (allocation failure), SIGXCPU or SIGKILL: the file is the cause.
        log.warning("spreadsheet reader ended with %s on %s: %s", done.returncode, request["path"],
                    done.stderr.decode(errors="replace")[-2000:])
        raise SheetError(TOO_BIG)
    try:
        status, payload = marshal.loads(done.stdout)  # noqa: S302  (written by our own child, see above)
    except (EOFError, ValueError, TypeError):
        log.warning("spreadsheet reader answered garbage for %s", request["path"])
        raise SheetError(UNREADABLE) from None
    if status != "ok":
        raise SheetError(payload)
    return payload


_TEMPORAL = {dt.datetime: "datetime", dt.date: "date", dt.time: "time", dt.timedelta: "timedelta"}


def _flatten(value) -> tuple[str, tuple]:
    if isinstance(value, dt.datetime):
        return "datetime", (value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)
    if isinstance(value, dt.date):
        return "date", (value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return "time", (value.hour, value.minute, value.second, value.microsecond)
    return "timedelta", (value.days, value.seconds, value.microseconds)


def _revive(kind: str, payload: tuple):
    return {"datetime": dt.datetime, "date": dt.date, "time": dt.time, "timedelta": dt.timedelta}[kind](*payload)


# --- the child side ----------------------------------------------------------------------


def _limit_self(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the checks below and the wall-clock limit remain
        return
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.seconds, limits.seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _check_zip(path: Path, limits: Limits) -> None:
    """Every part's declared size and ratio, before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError(UNREADABLE) from None
    if len(infos) > 10_000:
        raise SheetError(UNREADABLE)
    total, cap = 0, limits.max_unzipped_mb * 1024 * 1024
    for info in infos:
        total += info.file_size
        big = info.file_size > 1024 * 1024
        if big and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise SheetError(
                f"文件中的“{info.filename}”解压后是压缩前的{info.file_size // max(info.compress_size, 1)}倍，"
                "不像正常的表格文件（可能是“压缩炸弹”），未导入。请用 Excel 打开后另存为 .xlsx 再导入。"
            )
    if total > cap:
        raise SheetError(f"文件解压后超过{limits.max_unzipped_mb}MB，请拆分后再导入。")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# The common spelling (Excel, WPS, LibreOffice, xlsxwriter, openpyxl): unprefixed tags with
# the reference as first attribute. These literal-prefix patterns scan 100 MB of XML in
# about 70 ms each; anything else in a chunk falls back to the general patterns below.
_ROW_REF = re.compile(rb'<row r="(\d+)"')
_WIDE_COL = re.compile(rb'<c r="([A-Z]{2,})')
_FORMULA = re.compile(rb"<f[\s>/]")
_ANY_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ANY_CELL = re.compile(rb"<(?:\w+:)?c(?:\s[^>]*)?/?>")
_REF_ATTR = re.compile(rb'\sr="([A-Z]*)(\d+)"')
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _too_large(rows: int, columns: int, limits: Limits) -> str:
    if rows > limits.max_rows:
        return f"工作表行数超过{limits.max_rows:,}行（第{rows:,}行有内容或格式），请删除多余的行或拆分后再导入。"
    if columns > limits.max_columns:
        return f"工作表列数超过{limits.max_columns}列（第{columns:,}列有内容或格式），请删除多余的列后再导入。"
    if rows * columns > limits.max_cells:
        return f"工作表的使用区域过大（{rows:,}行 × {columns:,}列），请删除多余的行、列和格式后再导入。"
    return ""


def _extent_general(data: bytes) -> tuple[int, int, int]:
    """(highest row, highest column, rows) of a chunk in any spelling: prefixed tags,
    attributes in any order, rows and cells without a reference (which calamine places
    after the previous one)."""
    max_row = max_col = 0
    rows = 0
    for piece in re.split(rb"(?=<(?:\w+:)?row\b)", data):
        m = _ANY_ROW.match(piece)
        if m:
            rows += 1
            ref = _REF_ATTR.search(m.group(1))
            if ref:
                max_row = max(max_row, int(ref.group(2)))
        position = 0
        for cell in _ANY_CELL.finditer(piece):
            ref = _REF_ATTR.search(cell.group(0))
            position = _column_number(ref.group(1)) if ref and ref.group(1) else position + 1
            max_col = max(max_col, position)
    return max_row, max_col, rows


def _scan_xlsx_sheet(zf: zipfile.ZipFile, part: str, limits: Limits) -> bool:
    """Check the sheet's declared and actual extent; True when any cell holds a formula.

    One streamed pass over the part (never the whole part in memory). Python's zipfile
    stops at the declared size and checks the CRC at the end, so the part cannot grow past
    what `_check_zip` allowed.
    """
    max_row = max_col = rows_seen = 0
    formulas = False
    tail = b""
    first = True
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            if first:
                first = False
                if _DOCTYPE.search(data[:4096]):
                    raise SheetError(XML_FORBIDDEN)
                m = _DIMENSION.search(data[:65536])
                if m and m.group(4):
                    message = _too_large(int(m.group(4)), _column_number(m.group(3)), limits)
                    if message:
                        raise SheetError(message)
            refs = _ROW_REF.findall(data)
            cells = data.count(b"<c")
            # (<cols> before the rows sends the first chunk down the general path.)
            plain = len(refs) == data.count(b"<row") and cells == data.count(b'<c r="')
            if plain:
                if refs:
                    max_row = max(max_row, max(map(int, refs)))
                rows_seen += len(refs) - tail.count(b'<row r="')
                wide = _WIDE_COL.findall(data)
                max_col = max(max_col, max(map(_column_number, wide)) if wide else (26 if cells else 0))
                formulas = formulas or bool(_FORMULA.search(data))
            else:
                high_row, high_col, rows = _extent_general(data)
                max_row, max_col = max(max_row, high_row), max(max_col, high_col)
                rows_seen += rows - len(_ANY_ROW.findall(tail))
                formulas = formulas or bool(_ANY_FORMULA.search(data))
            message = _too_large(max(max_row, rows_seen), max_col, limits)
            if message:
                raise SheetError(message)
            # A tag cut at the chunk's end is read whole with the next chunk.
            tail = data[-256:]
    return formulas


def _sheet_part(zf: zipfile.ZipFile, name: str | None = None) -> str | None:
    """The zip member of the workbook's sheet called `name`, or of its first sheet (the
    one calamine reads as index 0)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        book = fromstring(zf.read("xl/workbook.xml"))
        rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    except DefusedXmlException:
        raise SheetError(XML_FORBIDDEN) from None
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    sheet = next((el for el in book.iter() if el.tag.endswith("}sheet") and (name is None or el.get("name") == name)), None)
    if sheet is None:
        return None
    target = next((r.get("Target") for r in rels if r.get("Id") == sheet.get(rel_ns)), None)
    if not target:
        return None
    target = target.lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"


def _formula_cells(zf: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """(row, col) of the cells holding a formula, parsed as a stream."""
    from defusedxml.ElementTree import iterparse

    found: set[tuple[int, int]] = set()
    with zf.open(part) as fh:
        ref = None
        for event, elem in iterparse(fh, events=("start", "end")):
            tag = elem.tag.rsplit("}", 1)[-1]
            if event == "start" and tag == "c":
                ref = elem.get("r")
            elif event == "start" and tag == "f" and ref:
                m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
                if m:
                    found.add((int(m.group(2)), _column_number(m.group(1).encode()) - 1))
            elif event == "end" and tag == "row":
                elem.clear()
    return found


def _preflight_xlsx(path: Path, sheet: str | None, limits: Limits) -> set[tuple[int, int]]:
    """The checks before calamine may touch an .xlsx; returns its formula cells."""
    from defusedxml import DefusedXmlException

    try:
        with zipfile.ZipFile(path) as zf:
            for shared in ("xl/sharedStrings.xml",):
                if shared in zf.namelist():
                    with zf.open(shared) as fh:  # reads to the end: the CRC check catches a lying size
                        head = fh.read(4096)
                        if _DOCTYPE.search(head):
                            raise SheetError(XML_FORBIDDEN)
                        while fh.read(1 << 20):
                            pass
            part = _sheet_part(zf, sheet)
            if part is None or part not in zf.namelist():
                return set()
            if not _scan_xlsx_sheet(zf, part, limits):
                return set()
            return _formula_cells(zf, part)
    except DefusedXmlException:
        raise SheetError(XML_FORBIDDEN) from None
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError):
        raise SheetError(UNREADABLE) from None
    except Exception as exc:  # expat's errors for malformed XML  # noqa: BLE001
        if exc.__class__.__name__ == "ParseError":
            raise SheetError(UNREADABLE) from None
        raise


def _read_grid(path: Path, suffix: str, sheet: str | None, limits: Limits):
    from python_calamine import CalamineWorkbook

    formulas: set[tuple[int, int]] = set()
    if suffix in ZIP_SUFFIXES:
        _check_zip(path, limits)
    if suffix in (".xlsx", ".xlsm"):
        formulas = _preflight_xlsx(path, sheet, limits)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
        if not names:
            raise SheetError("文件中没有工作表。")
        if sheet is not None and sheet not in names:
            raise SheetError(f"文件中没有名为“{sheet}”的工作表。")
        ws = wb.get_sheet_by_index(0) if sheet is None else wb.get_sheet_by_name(sheet)
    except SheetError:
        raise
    except Exception as exc:  # calamine raises several kinds  # noqa: BLE001
        if isinstance(exc, MemoryError):
            raise SheetError(TOO_BIG) from None
        raise SheetError(UNREADABLE) from None
    # Other formats cannot be measured before reading: the range calamine built is checked
    # before it becomes Python objects (and the address-space limit bounds the rest).
    message = _too_large(ws.height, ws.width, limits)
    if message:
        raise SheetError(message)
    return ws.to_python(skip_empty_area=False), formulas


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    head = data[:4000]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a byte-order mark: ASCII characters leave a NUL on one side.
        zeros_odd = head[1::2].count(b"\x00") > head[0::2].count(b"\x00")
        try:
            return data.decode("utf-16-le" if zeros_odd else "utf-16-be")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”或 GBK 编码，或直接上传 Excel 文件。")


def _read_csv(path: Path, limits: Limits):
    if path.stat().st_size > limits.max_unzipped_mb * 1024 * 1024:
        raise SheetError(f"文件超过{limits.max_unzipped_mb}MB，请拆分后再导入。")
    text = _decode_csv(path.read_bytes())
    grid = []
    try:
        for row in csv.reader(io.StringIO(text)):
            grid.append(row)
            if len(grid) > limits.max_rows + 1:
                break
    except csv.Error:
        # The csv module's own message is English and technical: say what to do.
        raise SheetError(
            "CSV 文件格式有误（可能是编码不对、引号不成对或单元格过长）。请用 Excel 打开后另存为 .xlsx 再导入。"
        ) from None
    return grid


def _table(request: dict, limits: Limits):
    from gonghui.exchange.sheets import header_name, to_text

    path = Path(request["path"])
    suffix = path.suffix.lower()
    if not path.exists() or path.stat().st_size == 0:
        raise SheetError("文件是空的，请检查后重新上传。")
    formulas: set[tuple[int, int]] = set()
    if suffix in CSV_SUFFIXES:
        grid = _read_csv(path, limits)
    elif suffix in SPREADSHEET_SUFFIXES:
        grid, formulas = _read_grid(path, suffix, request["sheet"], limits)
    else:
        raise SheetError(f"不支持“{suffix or '无扩展名'}”类型的文件，请上传 .xlsx、.xls 或 .csv 文件。")
    if len(grid) > limits.max_rows:
        raise SheetError(f"文件行数超过{limits.max_rows:,}行，请拆分后导入。")
    expected = set(request["expected"])
    header_index = None
    for i, row in enumerate(grid[:10]):
        names = {header_name(c) for c in row}
        if (expected and names & expected) or (not expected and any(names - {""})):
            header_index = i
            break
    if header_index is None:
        if not any(any(to_text(c) for c in row) for row in grid):
            if request["allow_empty"]:
                return [], [], [], 1, []
            raise SheetError("文件中没有数据。")
        raise SheetError("没有找到表头行，请使用系统提供的导入模板（表头须在前10行内）。")
    headers = [header_name(c) for c in grid[header_index]]
    rows, temporal = [], []
    plain = {str, float, int, bool, type(None)}
    for i, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        if any(map(to_text, row)):  # map: no generator per row
            row = row if type(row) is list else list(row)
            if not plain.issuperset(map(type, row)):
                # marshal carries no dates: send them apart and put them back on arrival.
                for j, cell in enumerate(row):
                    if type(cell) in _TEMPORAL:
                        temporal.append((len(rows), j, *_flatten(cell)))
                        row[j] = None
            rows.append((i, row))
    if not rows and not request["allow_empty"]:
        raise SheetError("文件中只有表头，没有数据行。")
    return headers, rows, sorted(formulas), header_index + 1, temporal


def _names(request: dict, limits: Limits) -> list[str]:
    from python_calamine import CalamineWorkbook

    path = Path(request["path"])
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES or not path.exists() or path.stat().st_size == 0:
        return []
    if suffix in ZIP_SUFFIXES:
        _check_zip(path, limits)
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # calamine raises several kinds  # noqa: BLE001
        raise SheetError(UNREADABLE) from None


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    limits = Limits(**request["limits"])
    _limit_self(limits)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        payload = _table(request, limits) if request["op"] == "table" else _names(request, limits)
        answer = ("ok", payload)
    except SheetError as exc:
        answer = ("error", str(exc))
    except MemoryError:
        answer = ("error", TOO_BIG)
    sys.stdout.buffer.write(marshal.dumps(answer))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    # Run as the importable module, so its SheetError is the one gonghui.exchange.sheets uses.
    from gonghui.exchange.sheet_read import main as _main

    sys.exit(_main())

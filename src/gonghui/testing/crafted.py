"""Hostile spreadsheets for the security suite, written byte by byte.

Each is a small file that a careless reader turns into a crash, a memory blow-up or a
traceback: a cell at the sheet's far corner, a zip bomb, a DTD with entities, formulas, and
files that only pretend to be spreadsheets.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def rows_xml(headers: list[str], values: list[str]) -> str:
    letters = [chr(65 + i) for i in range(len(headers))]
    values = [*values, *[""] * (len(headers) - len(values))][: len(headers)]
    head = "".join(_inline(f"{c}1", h) for c, h in zip(letters, headers, strict=True))
    body = "".join(_inline(f"{c}2", v) for c, v in zip(letters, values, strict=True))
    return f'<row r="1">{head}</row><row r="2">{body}</row>'


def write_xlsx(path: Path | str, sheet_xml: str | bytes, *, workbook_doctype: str = "", level: int = 6) -> Path:
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(doctype=workbook_doctype))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def plain(path, headers: list[str], values: list[str]) -> Path:
    """A good file: the header and one row."""
    return write_xlsx(path, SHEET_HEAD.format(doctype="", dimension="") + rows_xml(headers, values) + SHEET_TAIL)


def far_cell(path, headers: list[str], values: list[str], *, ref: str = "XFD1048576", declared: str | None = None) -> Path:
    """A header, one row, and one cell at `ref` (Excel's last cell by default). `declared`
    is the sheet's <dimension> (none when None): a liar says "A1:B2"."""
    dimension = f'<dimension ref="{declared}"/>' if declared else ""
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    far = f'<row r="{row}">{_inline(ref, "x")}</row>'
    return write_xlsx(path, SHEET_HEAD.format(doctype="", dimension=dimension) + rows_xml(headers, values) + far + SHEET_TAIL)


def far_cell_unreferenced(path, headers: list[str], values: list[str], *, columns: int = 20_000) -> Path:
    """Cells without an `r` attribute: each sits after the one before, so a row of
    `columns` empty cells is as wide as its count."""
    wide = '<row r="3">' + "<c/>" * columns + "</row>"
    return write_xlsx(path, SHEET_HEAD.format(doctype="", dimension="") + rows_xml(headers, values) + wide + SHEET_TAIL)


def zip_bomb(path, headers: list[str], values: list[str], *, megabytes: int = 64) -> Path:
    """A sheet of `megabytes` MB that deflates to a few dozen KB: its rows carry huge runs
    of spaces between cells (legal XML whitespace)."""
    padding = " " * (1024 * 1024)
    body = (SHEET_HEAD.format(doctype="", dimension="") + rows_xml(headers, values)).encode()
    chunks = [body, *(padding.encode() for _ in range(megabytes)), SHEET_TAIL.encode()]
    return write_xlsx(path, b"".join(chunks), level=9)


def with_dtd(path, headers: list[str], values: list[str], *, where: str = "sheet") -> Path:
    """Entity definitions (a 'billion laughs' in miniature) in the sheet or the workbook."""
    sheet = SHEET_HEAD.format(doctype=LAUGHS if where == "sheet" else "", dimension="") + rows_xml(headers, values) + SHEET_TAIL
    return write_xlsx(path, sheet, workbook_doctype=LAUGHS if where == "workbook" else "")


def with_formula(path, headers: list[str], values: list[str]) -> Path:
    """The row's first cell holds a formula (=1+1) with a cached value."""
    letters = [chr(65 + i) for i in range(len(headers))]
    values = [*values, *[""] * (len(headers) - len(values))][: len(headers)]
    head = "".join(_inline(f"{c}1", h) for c, h in zip(letters, headers, strict=True))
    cells = ['<c r="A2" t="str"><f>1+1</f><v>2</v></c>'] + [
        _inline(f"{c}2", v) for c, v in zip(letters[1:], values[1:], strict=True)
    ]
    sheet = SHEET_HEAD.format(doctype="", dimension="") + f'<row r="1">{head}</row><row r="2">{"".join(cells)}</row>' + SHEET_TAIL
    return write_xlsx(path, sheet)


def impostor(path, kind: str) -> Path:
    """Files that are not what their name says: text, an image, a truncated zip, an empty
    zip, random bytes."""
    path = Path(path)
    if kind == "text":
        path.write_text("这不是表格\n", encoding="utf-8")
    elif kind == "png":
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    elif kind == "truncated":
        full = path.with_suffix(".full.xlsx")
        write_xlsx(full, SHEET_HEAD.format(doctype="", dimension="") + rows_xml(["姓名"], ["张三"]) + SHEET_TAIL)
        path.write_bytes(full.read_bytes()[:200])
        full.unlink()
    elif kind == "empty_zip":
        with zipfile.ZipFile(path, "w"):
            pass
    else:
        path.write_bytes(bytes(range(256)) * 8)
    return path

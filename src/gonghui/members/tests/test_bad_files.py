"""A corpus of bad roster files, and an import killed half-way through its write.

Every case below builds one bad file in tmp_path and imports it into 临江精机工会 (G1)
as its chair, in the default all-or-nothing mode. Whatever is wrong with the file, the
import must not raise, must leave the roster exactly as it was (no member, 入会 event or
spell written), and must tell the clerk what is wrong, in Chinese: a whole-file message
(`file_error`) or per-row messages (`errors`). Each case names the fragment of the
message it expects, as worded in gonghui.exchange.sheets / gonghui.core.validators /
gonghui.members.sheets.

Cases where the application currently misbehaves are marked xfail(strict=True) with
the reason starting "BUG:"; fixing the application turns them into failures (XPASS) so
the mark is removed together with the bug.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import xlsxwriter
from django.db import connection

from gonghui.core.validators import id_check_char
from gonghui.exchange.sheets import XlsxWriter
from gonghui.members.models import Member, MembershipEvent, MemberSpell
from gonghui.members.sheets import COLUMNS, HEADERS, NOTES, members_import
from gonghui.orgs.models import Org
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster

TODAY = dt.date.today()


@dataclass
class Env:
    tree: object
    personas: object


# --- building blocks ---------------------------------------------------------------------


def person(name: str = "张三", **extra) -> dict:
    """A valid row of the roster (header → value)."""
    row = {"姓名": name, "身份证号": make_id(), "入会时间": dt.date(2020, 5, 1), "手机号": "13812345678"}
    row.update(extra)
    return row


def with_check(body17: str) -> str:
    return body17 + id_check_char(body17)


def wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def xlsx(d: Path, rows: list[dict], name: str = "r.xlsx", **kwargs) -> Path:
    return write_roster(d / name, rows, **kwargs)


def csv_bytes(rows: list[dict], headers=None, encoding: str = "utf-8") -> bytes:
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else str(row.get(h)) for h in headers])
    return out.getvalue().encode(encoding)


def csv_file(d: Path, rows: list[dict], name: str = "r.csv", **kwargs) -> Path:
    path = d / name
    path.write_bytes(csv_bytes(rows, **kwargs))
    return path


def raw_file(d: Path, name: str, data: bytes) -> Path:
    path = d / name
    path.write_bytes(data)
    return path


def workbook(d: Path, name: str, fill: Callable, headers=("姓名", "身份证号", "入会时间")) -> Path:
    """An .xlsx written cell by cell: `fill(book, ws)` after a header row of `headers`."""
    path = d / name
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("会员")
    for i, h in enumerate(headers):
        ws.write_string(0, i, h)
    fill(book, ws)
    book.close()
    return path


def good_xlsx_bytes(d: Path) -> bytes:
    return xlsx(d, [person(f"会员{i}") for i in range(30)], name="good.xlsx").read_bytes()


# --- the corpus ----------------------------------------------------------------------------

CASES: list = []


def case(expect: str | tuple[str, ...], *, where: str = "row", row: int | None = None, bug: str = ""):
    """Register a builder `(tmp_dir, env) -> path`.

    expect: fragment(s) the message must contain; where: "file" (file_error) or "row"
    (errors, at `row` if given); bug: the reason of a strict xfail ("BUG: ...").
    """

    def register(build):
        marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
        fragments = (expect,) if isinstance(expect, str) else expect
        CASES.append(pytest.param(build, fragments, where, row, id=build.__name__.removeprefix("bad_"), marks=marks))
        return build

    return register


# Whole-file problems: unreadable, wrong type, wrong encoding --------------------------------


@case("无法读取该文件", where="file")
def bad_truncated_xlsx(d, env):
    data = good_xlsx_bytes(d)
    return raw_file(d, "truncated.xlsx", data[: len(data) // 2])


@case("无法读取该文件", where="file")
def bad_random_bytes_xlsx(d, env):
    return raw_file(d, "random.xlsx", random.Random(20251031).randbytes(8192))


@case("无法读取该文件", where="file")
def bad_csv_text_named_xlsx(d, env):
    return raw_file(d, "roster.xlsx", csv_bytes([person()]))


@case("无法读取该文件", where="file")
def bad_docx_renamed_xlsx(d, env):
    path = d / "notice.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><document>会员名册</document>')
    return path


@case("无法读取该文件", where="file")
def bad_xls_name_with_xlsx_content(d, env):
    return raw_file(d, "roster.xls", good_xlsx_bytes(d))


@case("无法读取该文件", where="file")
def bad_xls_name_with_csv_content(d, env):
    return raw_file(d, "roster.xls", csv_bytes([person()]))


@case("“姓名”不能为空", row=2)
def bad_csv_utf16_with_bom(d, env):
    # What Excel's "Unicode 文本" gives (a BOM, then UTF-16LE): read correctly, so the
    # row's own fault is what is reported.
    return raw_file(d, "utf16.csv", csv_bytes([person("")], encoding="utf-16"))


@case("“姓名”不能为空", row=2)
def bad_csv_utf16le_without_bom_three_columns(d, env):
    # Read as UTF-16 (no byte-order mark) correctly, so the empty name is what is reported.
    return raw_file(d, "utf16le.csv", csv_bytes([person("")], headers=["姓名", "身份证号", "入会时间"], encoding="utf-16-le"))


@case("“姓名”不能为空", row=2)
def bad_csv_utf16le_without_bom_all_columns(d, env):
    # UTF-16 without a byte-order mark is recognised by its NUL bytes.
    return raw_file(d, "utf16le.csv", csv_bytes([person("")], encoding="utf-16-le"))


@case("无法识别 CSV 文件的编码", where="file")
def bad_csv_latin1(d, env):
    text = "Name,ID,Joined,Notes\r\nJosé Müller," + make_id() + ",2020-05-01,café, crème brûlée\r\n"
    data = text.encode("latin-1")
    for encoding in ("utf-8", "gb18030"):  # what the reader tries
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    return raw_file(d, "latin1.csv", data)


@case("没有找到表头行", where="file")
def bad_csv_big5(d, env):
    # Every Big5 byte pair is also a valid GB18030 pair (checked exhaustively), so a Big5
    # file cannot be refused for its encoding: it decodes as gibberish and no header is found.
    text = "姓名,身份證號,入會時間\r\n張三," + make_id() + ",2020-05-01\r\n"
    return raw_file(d, "big5.csv", text.encode("big5"))


@case("CSV 文件格式有误", where="file")
def bad_csv_cell_over_field_limit(d, env):
    return csv_file(d, [person(备注="很长" * 70_000)])


@case("不支持“.pdf”类型的文件", where="file")
def bad_pdf_extension(d, env):
    return raw_file(d, "roster.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")


@case("不支持“.docx”类型的文件", where="file")
def bad_docx_extension(d, env):
    path = d / "roster.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", '<?xml version="1.0"?><document>会员名册</document>')
    return path


@case("不支持“无扩展名”类型的文件", where="file")
def bad_no_extension(d, env):
    return raw_file(d, "roster", csv_bytes([person()]))


@case("没有找到表头行", where="file")
def bad_txt_that_is_a_letter(d, env):
    text = "各基层工会：\n请于月底前报送会员名册，谢谢配合。\n临江街道工会\n"
    return raw_file(d, "通知.txt", text.encode("utf-8"))


@case("文件是空的", where="file")
def bad_empty_xlsx(d, env):
    return raw_file(d, "empty.xlsx", b"")


@case("文件是空的", where="file")
def bad_empty_csv(d, env):
    return raw_file(d, "empty.csv", b"")


@case("文件中没有数据", where="file")
def bad_workbook_with_an_empty_sheet(d, env):
    path = d / "blank.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("会员")
    book.close()
    return path


@case("文件中没有数据", where="file")
def bad_csv_of_blank_lines(d, env):
    return raw_file(d, "blank.csv", b",,,\r\n\r\n , ,\r\n")


# Headers: missing, renamed, doubled, not found, no data -------------------------------------


def _without(column: str):
    def build(d, env):
        headers = [h for h in HEADERS if h != column]
        return xlsx(d, [person()], headers=headers)

    return build


for _column in ("姓名", "身份证号", "入会时间"):
    _build = _without(_column)
    _build.__name__ = f"bad_missing_column_{_column}"
    case(f"缺少必需的列：{_column}", where="file")(_build)


@case("缺少必需的列：身份证号", where="file")
def bad_renamed_header(d, env):
    return xlsx(d, [person()], headers=[("身份证号码" if h == "身份证号" else h) for h in HEADERS])


@case("表头“手机号”出现了两次", where="file")
def bad_duplicate_header(d, env):
    return xlsx(d, [person()], headers=[*HEADERS, "手机号"])


@case("表头“姓名”出现了两次", where="file")
def bad_duplicate_header_marked_required(d, env):
    # "姓名*" (the template's required mark) and "姓名" are the same column.
    return workbook(d, "r.xlsx", lambda book, ws: ws.write_row(1, 0, ["张三", make_id(), "2020-05-01", "张三"]),
                    headers=("姓名*", "身份证号*", "入会时间*", "姓 名"))


@case("没有数据", where="file")
def bad_headers_only(d, env):
    return xlsx(d, [])


@case("没有找到表头行", where="file")
def bad_only_a_merged_title_row(d, env):
    path = d / "title.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("会员")
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, "临江精机工会会员名册（2025年）", book.add_format({"bold": True}))
    book.close()
    return path


@case("没有找到表头行", where="file")
def bad_header_on_row_12(d, env):
    def fill(book, ws):
        for r in range(11):
            ws.write_string(r, 0, f"填表说明第{r + 1}条：请如实填写。")
        ws.write_row(11, 0, HEADERS)
        ws.write_row(12, 0, ["张三", make_id(), "", "", "", "", "", "", "", "", "", "", "", "", "2020-05-01"])

    path = d / "late.xlsx"
    book = xlsxwriter.Workbook(str(path))
    fill(book, book.add_worksheet("会员"))
    book.close()
    return path


@case("缺少必需的列：身份证号", where="file")
def bad_template_with_instructions_sheet_first(d, env):
    # The instructions sheet comes first: its column list has "姓名" in column A.
    path = d / "template.xlsx"
    out = XlsxWriter(path)
    out.explain(COLUMNS, title="会员名册导入模板 填写说明", notes=NOTES)
    ws = out.sheet("数据", COLUMNS)
    out.write_row(ws, 1, COLUMNS, {"name": "张三", "id_number": make_id(), "joined_on": dt.date(2020, 5, 1)})
    out.close()
    return path


# CSV files with row errors in each accepted encoding -----------------------------------------


@case("身份证号校验位不符", row=2)
def bad_utf8_csv_with_bad_check_character(d, env):
    return csv_file(d, [person(身份证号=wrong_check(make_id())), person()])


@case("手机号应为以1开头的11位数字", row=3)
def bad_utf8_bom_csv_with_bad_phone(d, env):
    rows = [person(), person(手机号="1381234567")]
    return raw_file(d, "bom.csv", csv_bytes(rows, encoding="utf-8-sig"))


@case("日期“2020年13月1日”不存在", row=2)
def bad_gbk_csv_with_impossible_date(d, env):
    return raw_file(d, "gbk.csv", csv_bytes([person(入会时间="2020年13月1日")], encoding="gbk"))


@case("身份证号应为18位", row=2)
def bad_csv_with_id_in_scientific_notation(d, env):
    # What Excel writes to CSV for an ID typed into a number cell.
    return csv_file(d, [person(身份证号="3.30108E+17")])


@case("身份证号校验位不符", row=2)
def bad_id_typed_as_number(d, env):
    # An 18-digit number in an Excel number cell keeps only ~15 significant digits.
    for _ in range(100):
        number = make_id()
        if number[-1] == "X":  # not a number at all: Excel keeps it as text
            continue
        rounded = str(int(float(number)))
        if rounded != number and id_check_char(rounded[:17]) != rounded[17]:
            break
    return workbook(d, "r.xlsx", lambda book, ws: (ws.write_string(1, 0, "张三"), ws.write_number(1, 1, float(number)),
                                                    ws.write_string(1, 2, "2020-05-01")))


@case("“入会时间”不能为空", row=2)
def bad_csv_with_unterminated_quote(d, env):
    # The opening quote swallows the rest of the file into one 身份证号 cell.
    text = "姓名,身份证号,入会时间\r\n张三,\"" + make_id() + ",2020-05-01\r\n李四," + make_id() + ",2020-05-01\r\n"
    return raw_file(d, "quote.csv", text.encode("utf-8"))


# Duplicates ------------------------------------------------------------------------------


@case("身份证号与第2行重复", row=3)
def bad_same_id_twice(d, env):
    number = make_id()
    return xlsx(d, [person("张三", 身份证号=number), person("张三", 身份证号=number)])


@case("身份证号与第2行重复", row=3)
def bad_same_id_as_15_and_18_digits(d, env):
    legacy = "330108850615123"
    body = legacy[:6] + "19" + legacy[6:]
    return xlsx(d, [person("张三", 身份证号=legacy), person("张三", 身份证号=body + id_check_char(body))])


@case("会员证号与第2行重复", row=3)
def bad_card_number_twice(d, env):
    return xlsx(d, [person("张三", 会员证号="LJ-0001"), person("李四", 会员证号="LJ-0001")])


@case("会员证号“LJ-0002”已被其他会员使用", row=2)
def bad_card_number_of_a_member_elsewhere(d, env):
    from gonghui.members.services import member_create

    member_create(actor=actor_of(env.personas.outsider), org=env.tree.sibling_grassroots, name="王五",
                  id_number=make_id(), joined_on=dt.date(2021, 1, 1), card_no="LJ-0002")
    return xlsx(d, [person("张三", 会员证号="LJ-0002")])


@case("该身份证号已是其他工会的会员", row=2)
def bad_member_of_another_union(d, env):
    from gonghui.members.services import member_create

    number = make_id()
    member_create(actor=actor_of(env.personas.outsider), org=env.tree.sibling_grassroots, name="王五",
                  id_number=number, joined_on=dt.date(2021, 1, 1))
    return xlsx(d, [person("王五", 身份证号=number)])


@case("调整所属工会请办理转会", row=2)
def bad_member_of_a_branch_listed_at_the_union(d, env):
    from gonghui.members.services import member_create

    number = make_id()
    member_create(actor=actor_of(env.personas.grassroots_chair), org=env.tree.branch, name="赵六",
                  id_number=number, joined_on=dt.date(2021, 1, 1))
    return xlsx(d, [person("赵六", 身份证号=number)])


# Formulas and formula-like text --------------------------------------------------------------


def _formula_in(column: int, formula: str, cached):
    def fill(book, ws):
        values = ["张三", make_id(), "2020-05-01"]
        for c, value in enumerate(values):
            if c == column:
                ws.write_formula(1, c, formula, None, cached)
            else:
                ws.write_string(1, c, value)

    return fill


@case("“姓名”是公式", row=2)
def bad_formula_in_name(d, env):
    return workbook(d, "r.xlsx", _formula_in(0, '=CONCATENATE("张","三")', "张三"))


@case("“身份证号”是公式", row=2)
def bad_formula_in_id(d, env):
    number = make_id()
    return workbook(d, "r.xlsx", _formula_in(1, f'=TEXT("{number}","@")', number))


@case("“入会时间”是公式", row=2)
def bad_formula_in_date(d, env):
    return workbook(d, "r.xlsx", _formula_in(2, "=TODAY()-1000", 45000))


@case("“备注”以“=”开头", row=2)
def bad_text_starting_with_equals(d, env):
    # A text cell (write_string), not a formula: what typing '=... in Excel gives.
    def fill(book, ws):
        ws.write_row(1, 0, ["张三", make_id(), "2020-05-01"])
        ws.write_string(1, 3, '=HYPERLINK("http://example.com","点此")')

    return workbook(d, "r.xlsx", fill, headers=("姓名", "身份证号", "入会时间", "备注"))


@case("“职务”以“=”开头", row=2)
def bad_csv_text_starting_with_equals(d, env):
    return csv_file(d, [person(职务="=1+1")])


# Lengths -------------------------------------------------------------------------------------


@case(("“姓名”最多50个字，当前10000个字", "“职务”最多50个字", "“备注”最多500个字", "“身份证号”最多30个字",
       "“会员证号”最多32个字"), row=2)
def bad_10000_character_cells(d, env):
    long = "长" * 10_000
    return xlsx(d, [person(long, 身份证号="1" * 10_000, 职务=long, 备注=long, 会员证号="9" * 10_000)])


# Dates ---------------------------------------------------------------------------------------


@case("日期“31/12/2020”无法识别", row=2)
def bad_date_day_first(d, env):
    return xlsx(d, [person(入会时间="31/12/2020")])


@case("日期“二〇二〇年五月”无法识别", row=2)
def bad_date_in_words(d, env):
    return xlsx(d, [person(入会时间="二〇二〇年五月")])


@case("日期“2020-02-30”不存在", row=2)
def bad_date_february_30(d, env):
    return xlsx(d, [person(入会时间="2020-02-30")])


@case("“出生日期”日期“1985.6”无法识别", row=2)
def bad_birth_date_month_only(d, env):
    return xlsx(d, [person(出生日期="1985.6")])


@case("日期“-5.0”无法识别", row=2)
def bad_date_serial_negative(d, env):
    return workbook(d, "r.xlsx", lambda book, ws: ws.write_row(1, 0, ["张三", make_id(), -5]))


@case("日期“3000000.0”无法识别", row=2)
def bad_date_serial_past_9999(d, env):
    return workbook(d, "r.xlsx", lambda book, ws: ws.write_row(1, 0, ["张三", make_id(), 3_000_000]))


@case("入会时间不能晚于今天", row=2)
def bad_date_serial_9999_12_31(d, env):
    return workbook(d, "r.xlsx", lambda book, ws: ws.write_row(1, 0, ["张三", make_id(), 2_958_465]))


@case("入会时间早于本人年满16周岁", row=2)
def bad_date_serial_1(d, env):
    return workbook(d, "r.xlsx", lambda book, ws: ws.write_row(1, 0, ["张三", make_id(), 1]))


@case("不是日期", row=2)
def bad_date_formatted_zero(d, env):
    # 0 in a date-formatted cell comes back from the reader as a time of day.
    def fill(book, ws):
        ws.write_row(1, 0, ["张三", make_id()])
        ws.write_number(1, 2, 0, book.add_format({"num_format": "yyyy-mm-dd"}))

    return workbook(d, "r.xlsx", fill)


@case("入会时间不能晚于今天", row=2)
def bad_future_joined_on(d, env):
    return xlsx(d, [person(入会时间=TODAY + dt.timedelta(days=1))])


@case("入会时间早于本人年满16周岁", row=2)
def bad_joined_before_16(d, env):
    return xlsx(d, [person(身份证号=make_id(dt.date(2000, 3, 1)), 入会时间=dt.date(2016, 2, 28))])


@case("“入会时间”不能为空", row=2)
def bad_joined_on_blank(d, env):
    return xlsx(d, [person(入会时间="")])


# What the ID says about the person -----------------------------------------------------------


@case("出生日期与身份证号不一致（身份证号中为1985-06-15）", row=2)
def bad_birth_date_disagrees_with_id(d, env):
    return xlsx(d, [person(出生日期=dt.date(1985, 6, 16))])


@case("性别与身份证号不一致", row=2)
def bad_gender_disagrees_with_id(d, env):
    return xlsx(d, [person(身份证号=make_id(male=True), 性别="女")])


@case("身份证号应为18位（或旧式15位），当前为17位", row=2)
def bad_id_17_digits(d, env):
    return xlsx(d, [person(身份证号=make_id()[:17])])


@case("身份证号应为18位（或旧式15位），当前为19位", row=2)
def bad_id_19_digits(d, env):
    return xlsx(d, [person(身份证号=make_id() + "0")])


@case("身份证号前17位应为数字", row=2)
def bad_id_with_letters(d, env):
    return xlsx(d, [person(身份证号="33010819850615AB1X")])


@case("15位身份证号应全部为数字", row=2)
def bad_id_15_with_letter(d, env):
    return xlsx(d, [person(身份证号="33010885061512X")])


@case("身份证号校验位不符", row=2)
def bad_id_check_character(d, env):
    return xlsx(d, [person(身份证号=wrong_check(make_id()))])


@case("身份证号中的出生日期不存在", row=2)
def bad_id_born_february_30(d, env):
    return xlsx(d, [person(身份证号=with_check("33010819900230123"))])


@case("身份证号中的出生日期不合理", row=2)
def bad_id_born_1850(d, env):
    return xlsx(d, [person(身份证号=with_check("33010818500615123"))])


@case("身份证号中的出生日期不合理", row=2)
def bad_id_born_next_year(d, env):
    return xlsx(d, [person(身份证号=with_check(f"330108{TODAY.year + 1}0101123"))])


@case("身份证号应为18位", row=2)
def bad_id_is_a_boolean(d, env):
    return workbook(d, "r.xlsx", lambda book, ws: (ws.write_string(1, 0, "张三"), ws.write_boolean(1, 1, True),
                                                    ws.write_string(1, 2, "2020-05-01")))


@case("“姓名”不能为空", row=2)
def bad_name_of_fullwidth_spaces(d, env):
    return xlsx(d, [person("\u3000\u3000")])


# Phones, choices, booleans ---------------------------------------------------------------


@case("手机号应为以1开头的11位数字", row=2)
def bad_phone_landline(d, env):
    return xlsx(d, [person(手机号="0571-88886666")])


@case("手机号应为以1开头的11位数字", row=2)
def bad_phone_with_letter(d, env):
    return xlsx(d, [person(手机号="1381234567O")])


@case("“性别”的值“未知”无效，应为：男、女", row=2)
def bad_gender_unknown(d, env):
    return xlsx(d, [person(性别="未知")])


@case("“学历”的值“幼儿园”无效", row=2)
def bad_education_kindergarten(d, env):
    return xlsx(d, [person(学历="幼儿园")])


@case("“民族”的值“火星族”无效", row=2)
def bad_ethnicity_martian(d, env):
    return xlsx(d, [person(民族="火星族")])


@case("“政治面貌”的值“党员”无效", row=2)
def bad_political_abbreviated(d, env):
    return xlsx(d, [person(政治面貌="党员")])


@case("“是否农民工”应填“是”或“否”，当前为“也许”", row=2)
def bad_boolean_maybe(d, env):
    return xlsx(d, [person(是否农民工="也许")])


# Unions ----------------------------------------------------------------------------------


@case("找不到工会编码“G999”", row=2)
def bad_unknown_union_code(d, env):
    return xlsx(d, [person(所属工会编码="G999")])


@case("找不到工会编码“G2”", row=2)
def bad_union_of_another_street(d, env):
    return xlsx(d, [person(所属工会编码="g2")])


@case("找不到工会编码“S2”", row=2)
def bad_street_union_out_of_scope(d, env):
    return xlsx(d, [person(所属工会编码="S2")])


@case("找不到工会编码“S1”", row=2)
def bad_street_union_above(d, env):
    return xlsx(d, [person(所属工会编码="S1")])


@case("“一车间分会”已停用，不能登记会员", row=2)
def bad_deactivated_branch(d, env):
    from gonghui.orgs.services import org_deactivate

    org_deactivate(actor=actor_of(env.personas.district_admin), org=env.tree.branch, reason="车间撤并")
    return xlsx(d, [person(所属工会编码="B1")])


# One bad row among good ones -----------------------------------------------------------------


@case("身份证号校验位不符", row=22)
def bad_last_of_21_rows(d, env):
    rows = [person(f"会员{i}", 所属工会编码="B1" if i % 2 else "") for i in range(20)]
    rows.append(person("最后一个", 身份证号=wrong_check(make_id())))
    return xlsx(d, rows)


@case("“姓名”不能为空", row=4)
def bad_middle_of_rows_below_a_title(d, env):
    return xlsx(d, [person("张三"), person(""), person("李四")], title="临江精机工会会员名册")


# --- the corpus test ------------------------------------------------------------------------

# Latin words that may appear in a message (format names); anything else is untranslated.
LATIN_OK = {"CSV", "UTF", "GBK", "Excel", "xlsx", "xls", "csv", "pdf", "docx", "txt"}


def counts() -> tuple[int, int, int]:
    return Member.objects.count(), MembershipEvent.objects.count(), MemberSpell.objects.count()


def assert_clear_chinese(message: str) -> None:
    assert re.search(r"[\u4e00-\u9fff]", message), f"not Chinese: {message!r}"
    outside_quotes = re.sub(r"“[^”]*”", "", message)  # the user's own values are quoted
    foreign = set(re.findall(r"[A-Za-z]{2,}", outside_quotes)) - LATIN_OK
    assert not foreign, f"untranslated text {sorted(foreign)} in {message!r}"


def test_cases_are_many_and_distinct():
    ids = [p.id for p in CASES]
    assert len(ids) >= 50 and len(set(ids)) == len(ids)


@pytest.mark.parametrize(("build", "fragments", "where", "row"), CASES)
def test_a_bad_file_is_refused_whole_with_a_chinese_message(build, fragments, where, row, tree, personas, tmp_path):
    path = build(tmp_path, Env(tree, personas))
    before = counts()

    report = members_import(actor=actor_of(personas.grassroots_chair), path=path, org=tree.grassroots)

    # (a) nothing half-imported: (0, 0, 0) before and after, except in the few cases whose
    # set-up registers a member elsewhere first
    assert not report.written
    assert counts() == before
    assert not Member.objects.filter(import_batch=report.batch).exists()
    # (b) a clear Chinese message with the expected wording, where expected
    if where == "file":
        assert report.file_error, f"no file_error; row errors: {report.errors}"
        messages = [report.file_error]
    else:
        assert not report.file_error, report.file_error
        assert report.errors, "no row errors"
        messages = [m for r, m in report.errors if row is None or r == row]
        assert messages, f"no error on row {row}: {report.errors}"
    for fragment in fragments:
        assert any(fragment in m for m in messages), f"{fragment!r} not in {messages}"
    for message in [report.file_error] + [m for _, m in report.errors]:
        if message:
            assert_clear_chinese(message)
    assert not report.ok and report.created == 0


# --- a killed import -------------------------------------------------------------------------

KILLED_ROWS = 30_000

# Runs in a separate interpreter. argv: roster path, union code, "fresh" (migrate its own new
# SQLite database and create the union there) or "shared" (the test's database, union exists).
CHILD = r"""
import os, sys, time
import django

django.setup()
from django.core.management import call_command
from django.db import connection

from gonghui.access.actor import Actor
from gonghui.members.models import Member
from gonghui.members.sheets import members_import
from gonghui.orgs import services
from gonghui.orgs.models import Kind, Org

path, code, fresh = sys.argv[1], sys.argv[2], sys.argv[3] == "fresh"
operator = Actor.system(source="cli")
if fresh:
    call_command("migrate", verbosity=0, interactive=False)
    district = services.org_create(actor=operator, parent=None, code="KD", name="测试区总工会", kind=Kind.DISTRICT, employee_count=0)
    street = services.org_create(actor=operator, parent=district, code="KS", name="测试街道工会", kind=Kind.STREET, employee_count=0)
    services.org_create(actor=operator, parent=street, code=code, name="测试企业工会", kind=Kind.ENTERPRISE, employee_count=40000)
org = Org.objects.get(code=code)
print("READY", Member.objects.count(), flush=True)
parent, fired = os.getppid(), False


def progress(done, total):
    global fired
    if fired or not total or done < 0.6 * total:
        return
    fired = True
    backend = "-"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    # Inside the write transaction this connection already sees its own uncommitted rows.
    print("WRITING", done, total, connection.in_atomic_block, Member.objects.count(), backend, flush=True)
    # Hold the transaction open until the parent kills us (give up if the parent is gone).
    for _ in range(1200):
        if os.getppid() != parent:
            os._exit(3)
        time.sleep(0.1)


report = members_import(actor=operator, path=path, org=org, progress=progress)
print("DONE", report.created, report.file_error, report.errors[:3], flush=True)
"""


def _big_roster(path: Path) -> Path:
    rows = []
    for i in range(KILLED_ROWS):
        # make_id numbers 500 people per (region, birth date): spread the rows over both.
        region = ("330108", "330106", "330102")[i // 10_000]
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 10_000)
        rows.append({"姓名": f"会员{i}", "身份证号": make_id(birth, region=region), "入会时间": "2020-05-01"})
    return write_roster(path, rows, headers=["姓名", "身份证号", "入会时间"])


def _child_database(data_dir: Path) -> tuple[dict, bool]:
    """(environment for the child, whether it makes its own fresh database)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="gonghui.test_settings", GONGHUI_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"
        return env, False
    if connection.is_in_memory_db():
        return env, True  # pytest-django's in-memory database: the child migrates a file of its own
    env["DATABASE_URL"] = f"sqlite:///{s['NAME']}"  # a file test database (GONGHUI_SQLITE_TEST_FILE)
    return env, False


def _wait_for_backend_to_end(pid: str, timeout: float = 30) -> None:
    """PostgreSQL drops the killed child's session once it sees the socket close."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [int(pid)])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.2)
    raise AssertionError(f"the killed import's database session {pid} is still there")


def _read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_while_writing_leaves_no_member(request, tmp_path):
    import sqlite3

    from gonghui.audit.models import AuditEvent

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env, fresh = _child_database(data_dir)
    code = "G1"
    if not fresh:
        request.getfixturevalue("tree")  # committed (transactional test), so the child sees it
    roster = _big_roster(tmp_path / "big.xlsx")
    err = (tmp_path / "child.err").open("w+")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(roster), code, "fresh" if fresh else "shared"],
        stdout=subprocess.PIPE, stderr=err, text=True, env=env,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True).start()
    seen, writing = [], None
    try:
        deadline = time.monotonic() + 240
        while writing is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no progress past 60% within 240 s; stdout {seen}")
            if line is None:
                err.seek(0)
                pytest.fail(f"the child ended before the write phase; stdout {seen}; stderr {err.read()[-3000:]}")
            seen.append(line.strip())
            if line.startswith("WRITING"):
                child.send_signal(signal.SIGKILL)
                writing = line.split()
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        err.close()

    # It was killed inside the write transaction, with rows of the batch already inserted there.
    _, done, total, in_atomic, visible, backend = writing
    assert int(total) == KILLED_ROWS and int(done) >= 0.6 * KILLED_ROWS
    assert in_atomic == "True" and int(visible) > 0
    assert not any(line.startswith("DONE") for line in seen)
    _wait_for_backend_to_end(backend)
    tables = (Member._meta.db_table, MembershipEvent._meta.db_table, MemberSpell._meta.db_table)
    if fresh:
        db = sqlite3.connect(data_dir / "gonghui.sqlite3")
        try:
            assert [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables] == [0, 0, 0]
            audit = AuditEvent._meta.db_table
            assert db.execute(f"SELECT count(*) FROM {audit} WHERE action = 'member.import'").fetchone()[0] == 0
            assert db.execute(f"SELECT count(*) FROM {Org._meta.db_table}").fetchone()[0] == 3  # the set-up is there
        finally:
            db.close()
    else:
        assert counts() == (0, 0, 0)
        assert not AuditEvent.objects.filter(action="member.import").exists()
        assert Org.objects.filter(code=code).exists()

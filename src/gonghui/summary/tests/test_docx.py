"""The .docx export: GB/T 9704 layout read back with python-docx, and a LibreOffice round trip
(PDF page count, text, page numbers on the outer edge of odd and even pages)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn

from gonghui.summary.document import blocks
from gonghui.summary.docx import docx_bytes, write_docx

# --- sample documents ---------------------------------------------------------------------

SENTENCE = (
    "工会坚持以职工为中心，围绕中心、服务大局，扎实推进各项工作落地见效，职工群众的获得感、幸福感持续增强。"
)


def para(key: str, *runs) -> dict:
    return {"key": key, "runs": [r if isinstance(r, dict) else {"text": r} for r in runs]}


def fact(text: str, key: str) -> dict:
    return {"text": text, "fact": key, "link": f"/records/{key}/"}


def long_doc() -> dict:
    """Three parts (sections with and without titles), a table, problems and plans: ~3 pages."""
    return {
        "title": "滨江区总工会2025年工作总结",
        "opening": [
            para("o1", "2025年，区总工会在区委和上级工会的坚强领导下，", SENTENCE * 2),
            para(
                "o2",
                "全年共有会员",
                fact("12,345人", "members.total"),
                "，新发展会员",
                fact("1,024人", "members.new"),
                "。",
                SENTENCE,
            ),
        ],
        "parts": [
            {
                "key": "org",
                "title": "加强组织建设，夯实工作基础",
                "sections": [
                    {
                        "key": "org.build",
                        "title": "推进基层组建",
                        "items": [
                            para(
                                "i1",
                                "新建基层工会",
                                fact("36家", "orgs.new"),
                                "，覆盖职工",
                                fact("4,200人", "orgs.covered"),
                                "。",
                                SENTENCE * 2,
                            ),
                            para(
                                "i2",
                                "开展会员实名制数据核查，数据准确率达到",
                                fact("98.5%", "members.accuracy"),
                                "。",
                                SENTENCE,
                            ),
                        ],
                        "tables": [],
                    },
                    {
                        "key": "org.train",
                        "title": "加强干部培训",
                        "items": [
                            para(
                                "i3",
                                "举办工会干部培训班",
                                fact("12期", "training.sessions"),
                                "。",
                                SENTENCE * 2,
                            )
                        ],
                        "tables": [],
                    },
                ],
            },
            {
                "key": "help",
                "title": "强化帮扶救助，传递组织温暖",
                "sections": [
                    {
                        "key": "help.main",
                        "title": "",
                        "items": [
                            para(
                                "i4",
                                "走访慰问困难职工",
                                fact("320户", "help.visits"),
                                "，发放慰问金",
                                fact("48.6万元", "help.amount"),
                                "。",
                                SENTENCE,
                            ),
                            para(
                                "i5",
                                "开展金秋助学活动，资助困难职工子女",
                                fact("85名", "help.students"),
                                "。",
                                SENTENCE * 2,
                            ),
                            para(
                                "i6",
                                "落实医疗互助保障，参保职工",
                                fact("9,876人", "help.insured"),
                                "。",
                                SENTENCE,
                            ),
                        ],
                        "tables": [
                            {
                                "key": "t1",
                                "caption": "表1 帮扶救助情况",
                                "header": ["项目", "户（人）次", "金额（万元）"],
                                "rows": [
                                    ["困难职工慰问", "320", "48.6"],
                                    ["金秋助学", "85", "25.5"],
                                    ["医疗互助", "9,876", "60.2"],
                                ],
                            }
                        ],
                    }
                ],
            },
            {
                "key": "rights",
                "title": "维护职工权益，构建和谐劳动关系",
                "sections": [
                    {
                        "key": "rights.contract",
                        "title": "推行集体协商",
                        "items": [
                            para("i7", "签订集体合同", fact("210份", "rights.contracts"), "。", SENTENCE * 2)
                        ],
                        "tables": [],
                    },
                    {
                        "key": "rights.law",
                        "title": "开展法律服务",
                        "items": [
                            para("i8", "提供法律咨询", fact("560人次", "rights.consults"), "。", SENTENCE),
                            para("i9", "调处劳动争议案件", fact("42件", "rights.cases"), "。", SENTENCE),
                        ],
                        "tables": [],
                    },
                ],
            },
        ],
        "problems": [para("p1", "基层工会发展不够平衡，部分非公企业工会作用发挥不充分。", SENTENCE)],
        "plans": [
            para("n1", "持续深化基层组织建设，扩大新就业形态劳动者入会覆盖面。", SENTENCE),
            para("n2", "进一步完善帮扶救助机制，提升精准帮扶水平。", SENTENCE),
        ],
        "suggestions": [{"target": "problems", "key": "s1", "runs": [{"text": "待确认的建议不导出"}]}],
        "signature": {"org": "滨江区总工会", "date": "2025-12-31"},
    }


def short_doc() -> dict:
    return {
        "title": "临江街道工会2025年工作总结",
        "opening": [para("o1", "2025年，街道工会围绕中心工作，认真履行各项职责。")],
        "parts": [
            {
                "key": "org",
                "title": "组织建设",
                "sections": [
                    {
                        "key": "s",
                        "title": "",
                        "items": [para("i1", "新建基层工会", fact("3家", "orgs.new"), "。")],
                        "tables": [],
                    }
                ],
            }
        ],
        "problems": [],
        "plans": [],
        "signature": {"org": "临江街道工会", "date": "2025-12-31"},
    }


# --- reading back ---------------------------------------------------------------------------


def load(doc: dict):
    return Document(io.BytesIO(docx_bytes(doc)))


def _rprs(paragraph):
    """The w:rPr elements that apply to the paragraph's first run, most specific first."""
    runs = paragraph.runs
    if runs and runs[0]._r.rPr is not None:
        yield runs[0]._r.rPr
    style = paragraph.style
    while style is not None:
        if style.element.rPr is not None:
            yield style.element.rPr
        style = style.base_style


def east_asia_font(paragraph) -> str | None:
    for rpr in _rprs(paragraph):
        fonts = rpr.rFonts
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
    return None


def font_size(paragraph):
    for rpr in _rprs(paragraph):
        if rpr.sz_val is not None:
            return rpr.sz_val.pt
    return None


def para_format(paragraph, name: str):
    """A paragraph format property, falling back through the style chain."""
    value = getattr(paragraph.paragraph_format, name)
    style = paragraph.style
    while value is None and style is not None:
        value = getattr(style.paragraph_format, name)
        style = style.base_style
    return value


def find(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


# --- layout -------------------------------------------------------------------------------


def test_page_setup_follows_gbt_9704():
    section = load(long_doc()).sections[0]
    for actual, mm in [
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ]:
        assert abs(actual.mm - mm) < 0.5, (actual.mm, mm)


def test_title_body_and_heading_fonts():
    doc = long_doc()
    document = load(doc)
    title = document.paragraphs[0]
    assert title.text == doc["title"]
    assert font_size(title) == 22
    assert east_asia_font(title) == "方正小标宋简体"
    assert para_format(title, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    assert document.paragraphs[1].text == ""  # a blank line under the title

    body = find(document, "".join(r["text"] for r in doc["opening"][0]["runs"]))
    assert font_size(body) == 16
    assert east_asia_font(body) == "仿宋_GB2312"
    assert para_format(body, "line_spacing_rule") == WD_LINE_SPACING.EXACTLY
    assert abs(para_format(body, "line_spacing").pt - 28.95) < 0.01
    assert abs(para_format(body, "first_line_indent").pt - 32) < 0.01
    assert para_format(body, "alignment") == WD_ALIGN_PARAGRAPH.JUSTIFY

    h1 = find(document, "一、加强组织建设，夯实工作基础")
    assert east_asia_font(h1) == "黑体"
    assert font_size(h1) == 16
    assert abs(para_format(h1, "first_line_indent").pt - 32) < 0.01
    h2 = find(document, "（一）推进基层组建")
    assert east_asia_font(h2) == "楷体_GB2312"
    assert font_size(h2) == 16

    item = next(p for p in document.paragraphs if p.text.startswith("1.新建基层工会36家"))
    assert east_asia_font(item) == "仿宋_GB2312"
    assert item.runs[0].text + item.runs[1].text == "1."  # the number leads the item's own paragraph


def test_fonts_set_for_every_script_and_document_default():
    document = load(long_doc())
    for p in document.paragraphs:
        for rpr in _rprs(p):
            fonts = rpr.rFonts
            if fonts is not None:
                slots = {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")}
                assert len(slots) == 1 and None not in slots, fonts.attrib
                assert fonts.get(qn("w:eastAsiaTheme")) is None
    normal = document.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.font.size.pt == 16
    defaults = next(document.styles.element.find(qn("w:docDefaults")).iter(qn("w:rFonts")))
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.get(qn("w:eastAsiaTheme")) is None


def test_page_numbers_in_odd_and_even_footers():
    document = load(long_doc())
    assert document.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align, indent in [
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ]:
        assert not footer.is_linked_to_previous
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in "".join(p._p.xpath(".//w:instrText/text()")) or "fldSimple" in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment == align
        assert abs(getattr(p.paragraph_format, indent).pt - 14) < 0.01
        assert font_size(p) == 14
        assert east_asia_font(p) == "宋体"


def test_every_block_in_order():
    doc = long_doc()
    document = load(doc)
    texts = [p.text for p in document.paragraphs]
    expected = []
    for b in blocks(doc):
        if b.kind in ("title", "para", "item", "h1", "h2"):
            expected.append(b.full_text)
        elif b.kind == "table":
            expected.append(b.text)
        elif b.kind == "signature":
            expected += [b.text, b.date]
    position = 0
    for text in expected:
        assert text in texts[position:], text
        position = texts.index(text, position) + 1
    assert "待确认的建议不导出" not in "".join(texts)  # pending suggestions are never exported
    assert document.core_properties.title == doc["title"]


def test_table_and_signature():
    doc = long_doc()
    document = load(doc)
    (table,) = document.tables
    assert table.style.name == "Table Grid"
    source = doc["parts"][1]["sections"][0]["tables"][0]
    assert [c.text for c in table.rows[0].cells] == source["header"]
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == source["rows"]
    header_cell = table.rows[0].cells[0].paragraphs[0]
    assert header_cell.runs[0].bold
    assert font_size(header_cell) == 14
    assert east_asia_font(header_cell) == "仿宋_GB2312"
    caption = find(document, "表1 帮扶救助情况")
    assert para_format(caption, "alignment") == WD_ALIGN_PARAGRAPH.CENTER

    texts = [p.text for p in document.paragraphs]
    org_index = texts.index("滨江区总工会")
    assert texts[org_index - 1] == ""  # a blank line above the signature
    org, date = document.paragraphs[org_index], document.paragraphs[org_index + 1]
    assert date.text == "2025年12月31日"
    assert para_format(org, "alignment") == para_format(date, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT
    # The date starts two characters (32 pt) right of the org's first character.
    org_right, date_right = org.paragraph_format.right_indent.pt, date.paragraph_format.right_indent.pt
    org_width, date_width = 6 * 16, 3 * 16 + 8 * 8  # digits are half-width
    assert date_right >= 32 - 0.01
    assert abs((org_right + org_width) - (date_right + date_width) - 32) < 0.01


def test_write_docx_to_path_and_file(tmp_path):
    doc = short_doc()
    write_docx(doc, tmp_path / "a.docx")
    write_docx(doc, str(tmp_path / "b.docx"))
    with open(tmp_path / "c.docx", "wb") as f:
        write_docx(doc, f)
    for name in ("a", "b", "c"):
        assert Document(str(tmp_path / f"{name}.docx")).paragraphs[0].text == doc["title"]


def test_export_is_fast():
    doc = long_doc()
    docx_bytes(doc)  # warm up imports
    start = time.perf_counter()
    docx_bytes(doc)
    assert time.perf_counter() - start < 1.0


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"title": ""},
        {"title": "", "opening": [], "parts": [], "signature": {}},
        {"title": "只有标题"},
        {
            "title": "控制字符\x00\x0b",
            "opening": [para("o", "正文\x1f包含控制字符")],
            "signature": {"org": "某工会", "date": ""},
        },
    ],
)
def test_degenerate_documents_still_export(doc):
    document = load(doc)
    assert abs(document.sections[0].page_width.mm - 210) < 0.5
    assert all("\x00" not in p.text for p in document.paragraphs)


def test_table_rows_are_padded_to_the_widest():
    doc = short_doc()
    doc["parts"][0]["sections"][0]["tables"] = [
        {
            "key": "t",
            "caption": "",
            "header": ["甲", "乙", "丙"],
            "rows": [["1"], ["2", "3"], [], ["4", "5", "6", "7"]],
        },
        {"key": "u", "caption": "", "header": [], "rows": []},  # nothing to draw
        {"key": "v", "caption": "无表头", "header": [], "rows": [["x", 1, None]]},
    ]
    document = load(doc)
    first, second = document.tables
    assert [[c.text for c in r.cells] for r in first.rows] == [
        ["甲", "乙", "丙", ""],
        ["1", "", "", ""],
        ["2", "3", "", ""],
        ["", "", "", ""],
        ["4", "5", "6", "7"],
    ]
    assert [[c.text for c in r.cells] for r in second.rows] == [["x", "1", ""]]
    # A document never ends on a table.
    assert document.element.body[-2].tag == qn("w:p")


# --- LibreOffice round trip ---------------------------------------------------------------


# LibreOffice reads no font fallback from a .docx (docx.py): the GB/T names are mapped to
# the serif / sans-serif the font table declares, as a converting server would have them.
FONTCONFIG = Path(__file__).parent / "fontconfig" / "gongwen.conf"


def to_pdf(doc: dict, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail(
            "soffice not found: install LibreOffice (Debian: apt-get install libreoffice-writer-nogui)"
        )
    for tool in ("pdfinfo", "pdftotext", "pdffonts"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} not found: install poppler-utils")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    if "Noto Serif CJK SC" not in fonts:
        pytest.fail("no open CJK serif font: install fonts-noto-cjk (it has Noto Serif CJK)")
    source = tmp_path / "summary.docx"
    write_docx(doc, source)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG)},
    )
    pdf = tmp_path / "summary.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Words(HTMLParser):
    """pdftotext -bbox output: (page number, xMin, yMin, word) per word, plus page sizes."""

    def __init__(self):
        super().__init__()
        self.pages: list[tuple[float, float]] = []
        self.words: list[tuple[int, float, float, str]] = []
        self._word = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "page":
            self.pages.append((float(a["width"]), float(a["height"])))
        elif tag == "word":
            self._word = (len(self.pages), float(a["xmin"]), float(a["ymin"]))

    def handle_data(self, data):
        if self._word is not None:
            self.words.append((*self._word, data.strip()))
            self._word = None


@pytest.mark.libreoffice
def test_libreoffice_renders_long_document(tmp_path):
    doc = long_doc()
    pdf = to_pdf(doc, tmp_path)
    pages = page_count(pdf)
    assert pages >= 2

    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = squeeze(layout)
    for n in range(1, pages + 1):
        assert f"—{n}—" in text
    # Page numbers may fall inside a paragraph that runs onto the next page.
    body = re.sub(r"—\d+—", "", text)
    for b in blocks(doc):
        if b.kind in ("h1", "h2", "title"):
            assert squeeze(b.full_text) in body, b.full_text
        elif b.kind in ("item", "para"):
            assert squeeze(b.text) in body, b.text
        elif b.kind == "signature":
            assert b.text in body and b.date in body

    # Odd page numbers sit on the right, even ones on the left.
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    parser = _Words()
    parser.feed(bbox)
    for page, (width, height) in enumerate(parser.pages, 1):
        numbers = [x for p, x, y, w in parser.words if p == page and w == str(page) and y > height * 0.85]
        assert numbers, f"no page number on page {page}"
        assert (numbers[0] > width / 2) == (page % 2 == 1), (page, numbers[0], width)


@pytest.mark.libreoffice
def test_libreoffice_short_document_is_one_page(tmp_path):
    doc = short_doc()
    pdf = to_pdf(doc, tmp_path)
    assert page_count(pdf) == 1
    text = squeeze(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    assert "—1—" in text
    assert "一、组织建设" in text and "新建基层工会3家。" in text


# --- issue 11: titles, numbers, numbering and fonts as LibreOffice prints them ---------------

ISSUE_TITLE = "临江精机股份有限公司工会委员会2026年工作总结"  # printed "…2026年工" / "作总结" before
FILLER = "职工群众的获得感幸福感持续增强工会坚持以职工为中心"


def issue_doc() -> dict:
    """A part of items only, whose amounts fall at every place of a line's end, and two
    problems."""
    items = [para(f"i{n}", FILLER[:n], "，发放慰问金共计", fact("83500元", f"a.total{n}"), "，每户",
                  fact("1250.5元", f"a.each{n}"), "，覆盖率", fact("98.5%", f"a.rate{n}"), "。")
             for n in range(4, 22)]
    return {
        "title": ISSUE_TITLE,
        "opening": [para("o", "2026年，工会紧紧围绕年度工作目标，团结带领广大会员和职工，扎实开展各项工作。")],
        "parts": [{"key": "assistance", "title": "积极开展帮扶活动，发挥工会作用",
                   "sections": [{"key": "s", "title": "", "items": items, "tables": []}]}],
        "problems": [para("p1", "帮扶资金来源单一。"), para("p2", "部分困难职工档案更新不及时。")],
        "plans": [para("n1", "拓宽帮扶资金来源。")],
        "signature": {"org": "临江精机股份有限公司工会委员会", "date": "2026-12-31"},
    }


def pdf_lines(pdf: Path) -> list[str]:
    """The printed lines, blanks squeezed out, page numbers dropped."""
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [squeeze(line) for line in layout.splitlines()]
    return [line for line in lines if line and not re.fullmatch(r"—\d+—", line)]


def test_font_table_declares_serif_fallbacks():
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    document = load(short_doc())
    table = etree.fromstring(document.part.part_related_by(RT.FONT_TABLE).blob)
    fonts = {f.get(qn("w:name")): f for f in table.findall(qn("w:font"))}

    def declared(name, tag):
        return fonts[name].find(qn(f"w:{tag}")).get(qn("w:val"))

    for name, alt, family in [("方正小标宋简体", "宋体", "roman"), ("仿宋_GB2312", "仿宋", "roman"),
                              ("楷体_GB2312", "楷体", "roman"), ("黑体", "SimHei", "swiss"), ("宋体", "SimSun", "roman")]:
        assert declared(name, "altName") == alt and declared(name, "family") == family, name
        assert declared(name, "charset") == "86"  # GB2312
        assert len(declared(name, "panose1")) == 20
        # the schema's order, or Word refuses the file
        assert [etree.QName(c).localname for c in fonts[name]] == ["altName", "panose1", "charset", "family", "pitch", "sig"]


def test_numbers_are_runs_in_english_so_no_line_breaks_inside_them():
    document = load(issue_doc())
    item = next(p for p in document.paragraphs if "83500元" in p.text)
    numbers = [r for r in item.runs if r.style.name == "公文数字"]
    assert [r.text for r in numbers] == ["83500", "1250.5", "98.5%"]
    lang = document.styles["公文数字"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-US" and lang.get(qn("w:eastAsia")) == "en-US"
    title = document.paragraphs[0]
    assert title.text == "临江精机股份有限公司工会委员会\n2026年工作总结"  # one paragraph, a line break


@pytest.mark.libreoffice
def test_libreoffice_prints_titles_numbers_and_numbering_as_gbt_9704_wants(tmp_path):
    doc = issue_doc()
    pdf = to_pdf(doc, tmp_path)
    lines = pdf_lines(pdf)

    # the title breaks between the union and the period, nowhere else
    assert lines[:2] == ["临江精机股份有限公司工会委员会", "2026年工作总结"], lines[:3]

    # no number is split across lines: a line never ends inside one the next line continues
    for above, below in zip(lines, lines[1:], strict=False):
        assert not (re.search(r"[0-9][.,]?$", above) and re.match(r"[.,%]?[0-9%]", below)), (above, below)

    text = "".join(lines)
    # a part of items only numbers them （一）（二）…: the second level is not skipped
    assert "一、积极开展帮扶活动，发挥工会作用（一）职工群众，发放慰问金" in text
    assert "（十八）职工群众的获得感" in text
    # every problem is numbered
    assert "二、存在问题（一）帮扶资金来源单一。（二）部分困难职工档案更新不及时。" in text
    assert "三、下一步工作计划（一）拓宽帮扶资金来源。" in text

    # the fallback for the missing GB/T fonts is a serif (仿宋/宋 style), not a sans
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSerifCJK" in fonts, fonts

    # line counts: the title takes the lines it was broken into, and a full page holds
    # GB/T 9704's 22 lines (title, the blank line under it, then the text)
    layout = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout
    first_page = [squeeze(line) for line in layout.splitlines()]
    first_page = [line for line in first_page if line and not re.fullmatch(r"—\d+—", line)]
    assert page_count(pdf) >= 2
    assert len(first_page) + 1 == 22, first_page  # + the blank line under the title

"""Export a summary document to .docx, laid out per GB/T 9704-2012 (党政机关公文格式).

The page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, which leaves a
156 × 225 mm text block of 22 lines × 28 characters. Title 2号 方正小标宋简体 centred; body
3号 仿宋_GB2312 at a fixed 28.95 pt line pitch, first line indented two characters;
一、 headings 黑体, （一） headings 楷体_GB2312; page numbers 4号 宋体 "— 1 —", odd pages
right and even pages left, one character in from the edge; the signature under the text,
date below it and shifted two characters right of the organisation's first character.

Every piece of formatting lives in styles (named in Chinese, since users see them in
Word's style pane), so a run carries text and at most a style: exporting stays cheap and
the document stays editable. Fonts are set on all four rFonts slots (ascii, hAnsi,
eastAsia, cs) — python-docx's `font.name` sets only ascii/hAnsi and Word would then render
Chinese text in the theme's East Asian font.

Where a GB/T font is missing. Few machines have 仿宋_GB2312 or 方正小标宋简体 (Windows has
仿宋, 楷体, 黑体 and 宋体). The font table (word/fontTable.xml) declares, for each font the
styles name, what the format allows a reader to fall back on: the Windows face of the same
style (`w:altName`: 仿宋, 楷体, 宋体), its PANOSE class, the GB2312 character set and the
generic family (`roman`, a serif, for 仿宋/楷体/宋体/小标宋; `swiss` for 黑体). Word and WPS
use these to choose a substitute. LibreOffice reads none of them (its DOCX import skips
altName, panose1 and family): it asks fontconfig, which sends an unknown name to the
system's sans-serif. A machine that converts with LibreOffice needs the names mapped
(the tests do it with `summary/tests/fontconfig/gongwen.conf`, pointing them at Noto Serif CJK).

Numbers. LibreOffice breaks lines inside a number in Chinese text ("8350" / "0元"). Every
run of digits is written as its own run in the character style 公文数字, whose language is
English: its line breaking keeps 83500, 1250.5 and 98.5% whole. Word and WPS never break
inside a number and ignore the language of digits.

The title is broken into lines by `document.title_lines` (at the union / period / 工作总结
seams, GB/T 9704 §7.3.2), written as line breaks inside the one title paragraph.

The exporter walks `document.blocks(doc)` only; numbering is never recomputed here.
Figures (runs with a "link") are plain text: the document is meant to be printed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from .document import Block, blocks, title_lines

# Fonts (GB/T 9704 names; Word/WPS substitute when one is missing).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
TABLE_SIZE = Pt(14)  # 4号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE_PITCH = Pt(28.95)  # 225 mm text block / 22 lines
INDENT = Pt(32)  # two 3号 characters

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
# The page number's top edge sits 7 mm below the text block (GB/T 9704 §7.5); Word measures
# the footer distance from the page's bottom edge to the footer's bottom.
FOOTER_DISTANCE = Mm(35 - 7) - Pt(14 * 1.3)
HEADER_DISTANCE = Mm(15)

# (style id, name shown in Word). The ids stay ASCII; the names are what users see.
STYLE_TITLE = ("GwTitle", "公文标题")
STYLE_BODY = ("GwBody", "公文正文")
STYLE_H1 = ("GwHeading1", "公文一级标题")
STYLE_H2 = ("GwHeading2", "公文二级标题")
STYLE_SIGNATURE = ("GwSignature", "公文落款")
STYLE_TABLE = ("GwTableText", "公文表格文字")
STYLE_CAPTION = ("GwTableCaption", "公文表格标题")
STYLE_PAGE_NUMBER = ("GwPageNumber", "公文页码")
STYLE_NUMBER = ("GwNumber", "公文数字")  # a character style

# What a reader may use where a font is missing (see the module docstring):
# font → (Windows face of the same style, its PANOSE, generic family).
FALLBACKS = {
    TITLE_FONT: ("宋体", "02010600030101010101", "roman"),
    BODY_FONT: ("仿宋", "02010609060101010101", "roman"),
    H1_FONT: ("SimHei", "02010609060101010101", "swiss"),
    H2_FONT: ("楷体", "02010609060101010101", "roman"),
    PAGE_NUMBER_FONT: ("SimSun", "02010600030101010101", "roman"),
}
GB2312_CHARSET = "86"
# Unicode ranges (Latin, CJK) and code pages (1252, 936 GB2312) the fonts cover.
CJK_SIGNATURE = {"usb0": "00000003", "usb1": "288F0000", "usb2": "00000016", "usb3": "00000000",
                 "csb0": "00040001", "csb1": "00000000"}
NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*%?")

_THEME_FONT_ATTRS = tuple(qn(f"w:{a}") for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"))
# Characters XML 1.0 cannot hold (lxml refuses them): C0 controls other than tab/newline/CR.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def set_fonts(rpr, name: str) -> None:
    """Use `name` for every script of a `w:rPr` (run or style): ascii, hAnsi, eastAsia and
    cs, dropping theme fonts, which would otherwise take precedence."""
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(attr, None)
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), name)


def _clean(text) -> str:
    return _XML_INVALID.sub("", str(text or ""))


def _text_width(text: str, size: float) -> float:
    """Approximate printed width in pt: full-width characters take one em, others half."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size / 2 for c in text)


# ---------------------------------------------------------------------------------------
# Styles


def _defaults(document) -> None:
    """Document defaults and Normal: 仿宋_GB2312 3号, Chinese language, no paragraph gaps."""
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is not None:
        set_fonts(rpr, BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = styles.find(qn("w:docDefaults") + "/" + qn("w:pPrDefault") + "/" + qn("w:pPr"))
    if ppr is not None:
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None:
            ppr.remove(spacing)

    normal = document.styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.font.size = BODY_SIZE
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH


def _style(
    document,
    ident: tuple[str, str],
    *,
    font: str,
    size,
    align=None,
    first_indent=None,
    bold: bool = False,
    outline: int | None = None,
    keep_with_next: bool = False,
    line_spacing=LINE_PITCH,
):
    style_id, name = ident
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = style_id
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    set_fonts(style.element.get_or_add_rPr(), font)
    style.font.size = size
    style.font.bold = bold or None
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if line_spacing is None:
        fmt.line_spacing = 1.0
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line_spacing
    if align is not None:
        fmt.alignment = align
    if first_indent is not None:
        fmt.first_line_indent = first_indent
        # Also in characters, so Word's paragraph dialog reads "首行缩进 2 字符".
        ppr = style.element.get_or_add_pPr()
        ppr.get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if keep_with_next:
        fmt.keep_with_next = True
    if outline is not None:  # shows in Word's navigation pane without the built-in heading looks
        ppr = style.element.get_or_add_pPr()
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        ppr.insert_element_before(lvl, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
    return style


def _styles(document) -> dict[str, object]:
    justify, centre = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER
    return {
        "title": _style(
            document, STYLE_TITLE, font=TITLE_FONT, size=TITLE_SIZE, align=centre, keep_with_next=True
        ),
        "body": _style(
            document, STYLE_BODY, font=BODY_FONT, size=BODY_SIZE, align=justify, first_indent=INDENT
        ),
        "h1": _style(
            document,
            STYLE_H1,
            font=H1_FONT,
            size=BODY_SIZE,
            align=justify,
            first_indent=INDENT,
            outline=0,
            keep_with_next=True,
        ),
        "h2": _style(
            document,
            STYLE_H2,
            font=H2_FONT,
            size=BODY_SIZE,
            align=justify,
            first_indent=INDENT,
            outline=1,
            keep_with_next=True,
        ),
        "signature": _style(
            document, STYLE_SIGNATURE, font=BODY_FONT, size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT
        ),
        "table": _style(
            document, STYLE_TABLE, font=BODY_FONT, size=TABLE_SIZE, align=centre, line_spacing=None
        ),
        "caption": _style(
            document,
            STYLE_CAPTION,
            font=BODY_FONT,
            size=TABLE_SIZE,
            align=centre,
            bold=True,
            keep_with_next=True,
        ),
        "page": _style(
            document, STYLE_PAGE_NUMBER, font=PAGE_NUMBER_FONT, size=PAGE_NUMBER_SIZE, line_spacing=None
        ),
        "number": _number_style(document),
    }


def _number_style(document):
    """公文数字: digits in English, so LibreOffice's line breaking keeps a number whole."""
    style_id, name = STYLE_NUMBER
    style = document.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    style.style_id = style_id
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "en-US")
    style.element.get_or_add_rPr().append(lang)
    return style


def _font_table(document) -> None:
    """Declare each GB/T font with the fallbacks the format allows (module docstring)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for old in root.findall(qn("w:font")):
        if old.get(qn("w:name")) in FALLBACKS:
            root.remove(old)
    for name, (alt, panose, family) in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("altName", alt), ("panose1", panose), ("charset", GB2312_CHARSET), ("family", family),
                           ("pitch", "variable")):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)
        sig = etree.SubElement(font, qn("w:sig"))
        for attr, value in CJK_SIGNATURE.items():
            sig.set(qn(f"w:{attr}"), value)
    # python-docx keeps the font table as an opaque part: its bytes are all there is to set
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------------------------------
# Page setup and page numbers


def _page_field(paragraph) -> None:
    """A PAGE field (complex form: Word, WPS and LibreOffice all update it)."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run("1")
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _page_number(footer, style, *, odd: bool) -> None:
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.style = style
    fmt = paragraph.paragraph_format
    if odd:
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = PAGE_NUMBER_SIZE
    paragraph.add_run("— ")
    _page_field(paragraph)
    paragraph.add_run(" —")


def _page_setup(document, styles) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    section.gutter = 0
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, styles["page"], odd=True)
    _page_number(section.even_page_footer, styles["page"], odd=False)


# ---------------------------------------------------------------------------------------
# Blocks


def _text(paragraph, text: str, number_style: str, *, bold: bool = False) -> None:
    """Add `text` to the paragraph, each number as its own 公文数字 run."""
    text = _clean(text)
    at = 0
    for m in NUMBER.finditer(text):
        if m.start() > at:
            run = paragraph.add_run(text[at:m.start()])
            if bold:
                run.bold = True
        run = paragraph.add_run(m.group())
        run._r.get_or_add_rPr().style = number_style
        if bold:
            run.bold = True
        at = m.end()
    if at < len(text):
        run = paragraph.add_run(text[at:])
        if bold:
            run.bold = True


def _runs(paragraph, block: Block, number_style: str) -> None:
    _text(paragraph, block.number, number_style)
    for run in block.runs:
        _text(paragraph, run.get("text"), number_style)


def _title(document, styles, text: str) -> None:
    paragraph = document.add_paragraph(style=styles["title"])
    for n, line in enumerate(title_lines(_clean(text))):
        if n:
            paragraph.add_run().add_break()
        _text(paragraph, line, styles["number"].style_id)


def _table(document, styles, block: Block) -> None:
    table = block.table or {}
    header = [_clean(c) for c in table.get("header") or []]
    rows = [[_clean(c) for c in (row or [])] for row in table.get("rows") or []]
    cols = max([len(header), *(len(r) for r in rows)])
    if block.text:
        _text(document.add_paragraph(style=styles["caption"]), block.text, styles["number"].style_id)
    if cols == 0:
        return
    data = ([header] if header else []) + rows
    grid = document.add_table(rows=len(data), cols=cols)
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    style = styles["table"]
    for index, (tr, values) in enumerate(zip(grid._tbl.tr_lst, data, strict=True)):
        bold = bool(header) and index == 0
        values = values + [""] * (cols - len(values))  # short rows are padded
        for tc, value in zip(tr.tc_lst, values, strict=True):
            paragraph = _Cell(tc, grid).paragraphs[0]
            # the style id straight onto w:pStyle: python-docx's style setter looks the
            # style up by name on every call, about 1 ms a cell
            paragraph._p.style = style.style_id
            if value:
                _text(paragraph, value, styles["number"].style_id, bold=bold)
    if header:  # repeat the header row on every page the table runs onto
        trpr = grid._tbl.tr_lst[0].get_or_add_trPr()
        trpr.append(OxmlElement("w:tblHeader"))


def _signature(document, styles, block: Block) -> None:
    """Org name right-aligned two characters in from the right margin; the date on the next
    line, its first character two characters right of the org's. When the date is the
    longer, it keeps the two-character right gap and the org moves left (GB/T 9704 §7.3.5)."""
    size = BODY_SIZE.pt
    org, date = _clean(block.text), _clean(block.date)
    org_w, date_w = _text_width(org, size), _text_width(date, size)
    gap = INDENT.pt
    org_right = gap
    date_right = org_right + org_w - gap - date_w
    if date and date_right < gap:
        date_right = gap
        org_right = date_right + date_w + gap - org_w
    document.add_paragraph(style=styles["body"])  # one blank line below the text
    p = document.add_paragraph(style=styles["signature"])
    _text(p, org, styles["number"].style_id)
    p.paragraph_format.right_indent = Pt(org_right)
    if date:
        p = document.add_paragraph(style=styles["signature"])
        _text(p, date, styles["number"].style_id)
        p.paragraph_format.right_indent = Pt(date_right)


def build(doc: dict):
    """The python-docx Document for `doc` (not saved)."""
    document = Document()
    _defaults(document)
    styles = _styles(document)
    _font_table(document)
    _page_setup(document, styles)
    number = styles["number"].style_id

    title = _clean(doc.get("title"))
    org = _clean((doc.get("signature") or {}).get("org"))
    props = document.core_properties
    props.title = title
    props.author = org
    props.last_modified_by = org
    props.comments = ""
    props.keywords = "工作总结"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.created = props.modified = now
    props.revision = 1

    last_was_table = False
    for block in blocks(doc):
        kind = block.kind
        if kind == "title":
            if block.text:
                _title(document, styles, block.text)
                document.add_paragraph(style=styles["body"])  # a blank line under the title
        elif kind in ("h1", "h2"):
            _text(document.add_paragraph(style=styles[kind]), block.full_text, number)
        elif kind in ("para", "item"):
            _runs(document.add_paragraph(style=styles["body"]), block, number)
        elif kind == "table":
            if last_was_table and not block.text:  # Word would merge two adjacent tables
                document.add_paragraph(style=styles["body"])
            _table(document, styles, block)
        elif kind == "signature":
            _signature(document, styles, block)
        last_was_table = kind == "table"
    if last_was_table:  # a document should not end on a table
        document.add_paragraph(style=styles["body"])
    return document


def write_docx(doc: dict, path) -> None:
    """Write `doc` as .docx to `path` (str or Path) or to a binary file-like object."""
    document = build(doc)
    document.save(str(path) if isinstance(path, Path) else path)


def docx_bytes(doc: dict) -> bytes:
    buffer = io.BytesIO()
    write_docx(doc, buffer)
    return buffer.getvalue()

"""Security issue 10: the work summary's .md export shows what the user typed as text.

A paragraph is user input (the summary editor saves any text). Exported to Markdown
unescaped, `<script>…` became raw HTML and `**x**` bold in whatever renders the file. Now
HTML's `<`, `>`, `&` are entities, inline Markdown characters are backslash-escaped, and
line-start markers (headings, lists, setext underlines) are escaped, so any CommonMark
viewer shows the characters the user typed.
"""

import json

import pytest

from gonghui.access.actor import Actor
from gonghui.summary.document import markdown
from gonghui.summary.services import summary_create

pytestmark = pytest.mark.django_db

TYPED = {
    "<script>alert(1)</script>": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "**x** 与 _y_": "\\*\\*x\\*\\* 与 \\_y\\_",
    "[点这里](javascript:alert(1)) ![图](https://evil.example/a.png)":
        "\\[点这里\\](javascript:alert(1)) !\\[图\\](https://evil.example/a.png)",
    "# 不是标题": "\\# 不是标题",
    "1. 不是编号": "1\\. 不是编号",
    "- 不是列表 | 不是表格": "\\- 不是列表 \\| 不是表格",
    "`代码` ~~删除~~ &amp; \\": "\\`代码\\` \\~\\~删除\\~\\~ &amp;amp; \\\\",
    "    四个空格不是代码块": "四个空格不是代码块",
}


def test_the_markdown_export_shows_user_text_literally(login, personas, tree):
    client = login(personas.grassroots_chair)
    draft = summary_create(actor=Actor.system(), org=tree.grassroots, period="2025", subtree=True)
    document = json.loads(json.dumps(draft.latest.document))
    document["opening"] = [{"key": f"user-{i}", "runs": [{"text": text}]} for i, text in enumerate(TYPED)]
    document["problems"] = [{"key": "user-p", "runs": [{"text": "<img src=x onerror=alert(1)>\n===\n2. 第二行"}]}]
    saved = client.post(f"/summary/{draft.pk}/", {"name": "含特殊字符", "document": json.dumps(document)})
    assert saved.status_code == 302
    assert draft.versions.count() == 2

    md = client.get(f"/summary/{draft.pk}/export.md").content.decode()

    lines = md.splitlines()
    for escaped in TYPED.values():
        assert escaped in lines
    # Every 存在问题 entry is numbered, so the typed text follows its （一）.
    assert "（一）&lt;img src=x onerror=alert(1)&gt;" in lines and "\\===" in lines and "2\\. 第二行" in lines
    assert "<script" not in md and "<img" not in md and "**x**" not in md
    # Gonghui's own structure is still Markdown: the title heading and the numbered headings.
    assert lines[0] == f"# {draft.latest.document['title']}"
    assert any(line.endswith("、存在问题") for line in lines)


def test_table_cells_stay_in_their_cell():
    doc = {"title": "表格", "parts": [{"key": "p", "title": "数据", "sections": [{"key": "s", "title": "", "items": [], "tables": [
        {"key": "t", "caption": "明细", "header": ["名称|备注"], "rows": [["<b>甲</b>\n第二行"], ["-3"]]},
    ]}]}]}
    lines = markdown(doc).splitlines()
    assert "| 名称\\|备注 |" in lines
    assert "| &lt;b&gt;甲&lt;/b&gt; 第二行 |" in lines
    assert "| -3 |" in lines  # inside a cell a leading minus is plain text and stays as typed

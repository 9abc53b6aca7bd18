"""The summary pages: generate, edit and save versions, compare with the records, export,
statistics, phrasing — each for its user and refused to everyone else."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from docx import Document
from python_calamine import CalamineWorkbook

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion, Step
from gonghui.assistance.models import AssistanceRecord
from gonghui.assistance.services import (
    household_confirm_tier,
    household_create,
    household_transition,
    record_create,
)
from gonghui.audit.models import AuditEvent
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.summary.document import plain_text
from gonghui.summary.models import PhraseOverride, SummaryDraft
from gonghui.summary.services import summary_create
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
YEAR = "2025"


@pytest.fixture
def records(tree):
    """Three households of G1 given 元旦春节送温暖 in January 2025 (500元 each)."""
    op = Actor.system()
    people = []
    for i in range(3):
        m = member_create(actor=op, org=tree.grassroots, name=f"帮扶对象{i}", id_number=make_id(D(1980, 1, 1 + i)),
                          joined_on=D(2020, 1, 1))
        h = household_create(actor=op, head=m, on=D(2025, 1, 2), causes=["illness"], size=3)
        household_transition(actor=op, household=h, step=Step.REVIEW, on=D(2025, 1, 3))
        household_confirm_tier(actor=op, household=h, tier="relative", reason="核实", on=D(2025, 1, 3))
        household_transition(actor=op, household=h, step=Step.FILE, on=D(2025, 1, 3))
        record_create(actor=op, member=m, on=D(2025, 1, 10), occasion=Occasion.NEW_YEAR, cash=Decimal(500), funding=Funding.OWN)
        people.append(m)
    return people


def _draft(user_org, actor_user=None):
    return summary_create(actor=Actor.system(), org=user_org, period=YEAR, subtree=True)


def test_it_generates_a_draft_and_opens_the_editor(login, personas, tree, records):
    client = login(personas.grassroots_chair)
    r = client.post("/summary/", {"org": "", "period": YEAR, "subtree": "on"})
    draft = SummaryDraft.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/summary/{draft.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "临江精机工会2025年工作总结" in page
    assert 'data-fact="assistance.occasion.new_year.households"' in page
    assert "/assistance/records/?org=G1&amp;subtree=1&amp;standing=1&amp;occasion=new_year" in page
    assert AuditEvent.objects.filter(action="summary.create", result="success").exists()


def test_it_refuses_a_bad_period_with_a_chinese_message(login, personas, tree):
    client = login(personas.grassroots_chair)
    page = client.post("/summary/", {"period": "2025H3", "subtree": "on"}).content.decode()
    assert "无法识别的期间" in page
    assert not SummaryDraft.objects.exists()


def test_it_will_not_summarize_a_sibling_union(login, personas, tree, records):
    client = login(personas.outsider)  # chair of S2
    r = client.post("/summary/", {"org": "G1", "period": YEAR, "subtree": "on"})
    assert "找不到该编码的工会" in r.content.decode()
    assert not SummaryDraft.objects.exists()
    draft = _draft(tree.grassroots)
    for url in (f"/summary/{draft.pk}/", f"/summary/{draft.pk}/export.docx", f"/summary/{draft.pk}/check/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/summary/{draft.pk}/refresh/").status_code == 404


def test_a_branch_lead_may_read_but_not_draft(login, personas, tree):
    client = login(personas.branch_lead)
    assert client.get("/summary/").status_code == 200
    assert client.post("/summary/", {"period": YEAR}).status_code == 403 or not SummaryDraft.objects.exists()
    assert not SummaryDraft.objects.exists()


def _doc_from_page(draft):
    return json.loads(json.dumps(draft.latest.document))


def test_it_saves_an_edited_version_and_keeps_figures_linked(login, personas, tree, records):
    client = login(personas.grassroots_chair)
    draft = _draft(tree.grassroots)
    doc = _doc_from_page(draft)
    part = doc["parts"][-1]
    item = part["sections"][-1]["items"][0]  # one occasion: its sentence, no total beside it
    item["runs"] = [{"text": "年初，我们对"}, *[r for r in item["runs"] if r.get("fact", "").endswith(".households")],
                    {"text": "户困难职工送去了慰问金。"}]
    doc["parts"].reverse()
    doc["problems"] = [{"key": "user-1", "runs": [{"text": "帮扶资金来源单一。"}]}]
    r = client.post(f"/summary/{draft.pk}/", {"name": "主席审阅稿", "document": json.dumps(doc), "base": 1})
    assert r.status_code == 302
    saved = draft.versions.get(number=2)
    assert saved.name == "主席审阅稿"
    assert saved.document["parts"][0]["key"] == doc["parts"][0]["key"]
    part = next(p for p in saved.document["parts"] if p["key"] == "assistance")
    runs = part["sections"][-1]["items"][0]["runs"]
    assert "".join(r["text"] for r in runs) == "年初，我们对3户困难职工送去了慰问金。"
    assert runs[1]["link"].startswith("/assistance/records/")
    md = client.get(f"/summary/{draft.pk}/export.md").content.decode()
    assert "年初，我们对3户困难职工送去了慰问金。" in md and "帮扶资金来源单一。" in md
    assert "存在问题" in md


def test_a_saved_document_cannot_smuggle_links_or_markup(login, personas, tree, records):
    client = login(personas.grassroots_chair)
    draft = _draft(tree.grassroots)
    doc = _doc_from_page(draft)
    doc["opening"] = [{"key": "x", "runs": [
        {"text": "点这里", "fact": "no.such.fact", "link": "javascript:alert(1)"},
        {"text": "23", "fact": "assistance.occasion.new_year.households", "link": "https://evil.example/"},
        {"text": "<script>alert(1)</script>"},
    ]}]
    client.post(f"/summary/{draft.pk}/", {"name": "试探", "document": json.dumps(doc)})
    runs = draft.versions.get(number=2).document["opening"][0]["runs"]
    assert runs[0] == {"text": "点这里"}
    assert runs[1]["link"].startswith("/assistance/records/?org=G1")
    page = client.get(f"/summary/{draft.pk}/").content.decode()
    assert "javascript:alert" not in page and "evil.example" not in page and "<script>alert(1)" not in page


@pytest.mark.parametrize("payload, message", [
    ("not json", "文档内容格式不正确"),
    (json.dumps({"title": "", "parts": []}), "标题不能为空"),
    (json.dumps({"title": "x" * 201}), "标题不能超过200个字"),
    (json.dumps({"title": "t", "parts": [{"title": ""}]}), "部分标题不能为空"),
    (json.dumps({"title": "t", "signature": {"date": "2025-13-01"}}), "落款日期格式不正确"),
])
def test_it_refuses_a_broken_document_and_saves_nothing(login, personas, tree, payload, message):
    client = login(personas.grassroots_chair)
    draft = _draft(tree.grassroots)
    page = client.post(f"/summary/{draft.pk}/", {"name": "坏稿", "document": payload}).content.decode()
    assert message in page
    assert draft.versions.count() == 1


def test_it_shows_which_figures_the_records_now_contradict_and_refreshes_them(login, personas, tree, records):
    client = login(personas.grassroots_chair)
    draft = _draft(tree.grassroots)
    assert "文中的数字与目前的记录一致" in client.get(f"/summary/{draft.pk}/check/").content.decode()
    record_create(actor=Actor.system(), member=records[0], on=D(2025, 1, 20), occasion=Occasion.NEW_YEAR, cash=Decimal(300),
                  funding=Funding.OWN)
    check = client.get(f"/summary/{draft.pk}/check/").content.decode()
    assert "与目前的记录不一致" in check
    assert "<td>1500元</td><td>1800元</td>" in check
    client.post(f"/summary/{draft.pk}/refresh/")
    latest = draft.versions.order_by("-number").first()
    assert latest.number == 2
    text = json.dumps(latest.document, ensure_ascii=False)
    assert "1800元" in text and "1500元" not in text


def test_it_exports_docx_markdown_and_html(login, personas, tree, records):
    client = login(personas.grassroots_chair)
    draft = _draft(tree.grassroots)
    r = client.get(f"/summary/{draft.pk}/export.docx")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(r.content)).paragraphs]
    assert paragraphs[0] == "临江精机工会2025年工作总结"
    assert any(p.startswith("一、") for p in paragraphs)
    html = client.get(f"/summary/{draft.pk}/export.html").content.decode()
    assert "<h1>临江精机工会2025年工作总结</h1>" in html
    assert client.get(f"/summary/{draft.pk}/export.pdf").status_code == 404
    assert AuditEvent.objects.filter(action="summary.export").count() == 2


def test_the_statistics_page_shows_the_summary_figures_and_exports_xlsx(login, personas, tree, records, tmp_path):
    client = login(personas.street_chair)
    page = client.get("/summary/stats/", {"org": "G1", "period": YEAR, "subtree": "on"}).content.decode()
    assert "1500元" in page and "积极开展帮扶活动" in page
    r = client.get("/summary/stats.xlsx", {"org": "G1", "period": YEAR, "subtree": "on"})
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"".join(r.streaming_content))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("关键指标").to_python()
    # one occasion: its sentence carries the amount, and no total restates it
    assert ["积极开展帮扶活动，发挥工会作用", "元旦春节送温暖 · 现金合计", "1500元", 1500.0] in [r[:4] for r in rows]
    assert client.get("/summary/stats/", {"org": "G2", "period": YEAR}).content.decode().count("找不到该编码的工会") == 1


def test_an_administrator_rewords_a_sentence_for_the_subtree(login, personas, tree, records, tmp_path):
    client = login(personas.street_admin)
    key = "assistance.occasion.new_year"
    r = client.post("/summary/phrases/", {"key": key, "text": "元旦春节期间走访慰问困难职工{households}户，发放慰问金{total}。"})
    assert r.status_code == 302
    assert PhraseOverride.objects.get(key=key).org == tree.street
    bad = client.post("/summary/phrases/", {"key": key, "text": "走访{secret_income}户"}, follow=True).content.decode()
    assert "不是这句话可用的数据项" in bad
    assert PhraseOverride.objects.get(key=key).text.startswith("元旦春节期间")
    mine = summary_create(actor=Actor.system(), org=tree.grassroots, period=YEAR, subtree=True).latest.document
    assert "元旦春节期间走访慰问困难职工3户，发放慰问金1500元。" in plain_text(mine)
    other = summary_create(actor=Actor.system(), org=tree.sibling_grassroots, period=YEAR, subtree=True).latest.document
    assert "走访慰问" not in plain_text(other)
    client.post("/summary/phrases/", {"key": key, "reset": "1", "text": "x"})
    assert not PhraseOverride.objects.exists()


def test_only_an_administrator_may_reword(login, personas, tree):
    assert login(personas.grassroots_chair).get("/summary/phrases/").status_code == 403


def test_the_roster_link_lists_exactly_the_members_counted(login, personas, tree, records):
    client = login(personas.grassroots_chair)
    m = Member.objects.first()
    page = client.get("/members/", {"org": "G1", "subtree": "1", "as_of": "2019-12-31", "status": "all"}).content.decode()
    assert m.name not in page  # joined 2020
    page = client.get("/members/", {"org": "G1", "subtree": "1", "as_of": "2025-12-31", "status": "all"}).content.decode()
    assert all(p.name in page for p in records)
    assert AssistanceRecord.objects.count() == 3


def test_the_api_gives_the_figures_with_their_links_and_refuses_a_sibling(login, personas, tree, records):
    client = login(personas.grassroots_chair)
    data = client.get("/api/summary/generate", {"org": "G1", "period": YEAR, "subtree": "true"}).json()
    figures = {f["key"]: f for f in data["figures"]}
    assert figures["assistance.occasion.new_year.total"]["text"] == "1500元"
    assert figures["assistance.occasion.new_year.households"]["link"].startswith("/assistance/records/?org=G1")
    assert "对3户困难职工进行慰问，每户发放慰问金500元，共计1500元" in data["text"]
    assert client.get("/api/summary/generate", {"org": "G1", "period": "2025H9"}).status_code == 422
    assert client.get("/api/summary/generate", {"org": "G2", "period": YEAR}).status_code == 404
    draft = _draft(tree.grassroots)
    assert client.get(f"/api/summary/drafts/{draft.pk}/text").json().startswith("# 临江精机工会")
    assert login(personas.outsider).get(f"/api/summary/drafts/{draft.pk}/text").status_code == 404

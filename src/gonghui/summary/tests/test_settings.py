"""Issue 12, items 5–8: the opening names the year's most significant results, with the
guiding clause and the leadership line; effect clauses after figures; a closing paragraph
before the signature — and the per-union settings behind them, each for its own subtree."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from gonghui.access.actor import Actor
from gonghui.assistance.choices import Funding, Occasion
from gonghui.assistance.services import record_create
from gonghui.audit.models import AuditEvent
from gonghui.benefits.services import benefit_create
from gonghui.members.services import member_create
from gonghui.summary import prefs, ranking
from gonghui.summary.assemble import generate
from gonghui.summary.document import blocks, plain_text
from gonghui.summary.docx import docx_bytes
from gonghui.summary.models import PurposeClauseSet, SummarySetting
from gonghui.summary.periods import parse_period
from gonghui.summary.registry import Headline, Item
from gonghui.summary.services import (
    purpose_clauses_reset,
    purpose_clauses_set,
    summary_create,
    summary_setting_delete,
    summary_setting_set,
)
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id

pytestmark = pytest.mark.django_db
D = dt.date
OP = Actor.system()
YEAR = parse_period("2025")


def _members(org, n: int, *, joined=D(2020, 1, 1), start: int = 0):
    return [member_create(actor=OP, org=org, name=f"会员{org.code}{start + i:03d}", id_number=make_id(D(1970 + i % 30, 1 + i % 12, 1 + i % 27)),
                          joined_on=joined) for i in range(n)]


def _assist(member, on, cash, occasion=Occasion.NEW_YEAR):
    return record_create(actor=OP, member=member, on=on, occasion=occasion, cash=Decimal(cash), funding=Funding.OWN)


def _doc(org, period=YEAR, *, subtree=True, actor=OP):
    return generate(actor=actor, org=org, period=period, subtree=subtree, today=D(2026, 1, 5)).document


def _opening(doc) -> str:
    return "".join(r["text"] for r in doc["opening"][0]["runs"])


def _closing(doc) -> str:
    return "\n".join("".join(r["text"] for r in p["runs"]) for p in doc["closing"])


# --- item 5: the opening's ranking ----------------------------------------------------------------


def _cand(theme, measures, records, order=0):
    return (Headline(Item("benefits.headline", {}), measures, records, theme=theme), (order,))


def test_it_ranks_results_by_their_size_relative_to_the_union():
    # 40 households helped in a union of 400 (10 per 100) beats 4000元 of gifts (10元 a member)
    got = ranking.rank([_cand("care", {"money": 4000}, 20), _cand("assistance", {"households": 40}, 40, 1)],
                       size=400, key_themes=set())
    assert [r.candidate.theme for r in got] == ["assistance", "care"]
    # 1000元 would be 2.5元 a member: below a tenth of notable, left out
    got = ranking.rank([_cand("care", {"money": 1000}, 20)], size=400, key_themes=set())
    assert got == []
    # 10000元 in a union of 10 members is 1000元 a member: now the gifts lead
    got = ranking.rank([_cand("care", {"money": 10000}, 20), _cand("assistance", {"households": 4}, 4, 1)],
                       size=10, key_themes=set())
    assert got[0].candidate.theme == "care"


def test_it_never_lets_a_trivial_or_negligible_result_into_the_opening():
    got = ranking.rank([_cand("care", {"people": 1}, 1), _cand("assistance", {"households": 2}, 2, 1)], size=5000, key_themes=set())
    assert got == []  # 1人次 is trivial; 2 households in 5000 members are far below a tenth of notable
    got = ranking.rank([_cand("assistance", {"households": 2}, 2)], size=5000, key_themes={"assistance"})
    assert [r.candidate.theme for r in got] == ["assistance"]  # …unless the union marked the part as key


def test_it_puts_the_unions_key_parts_first_and_names_at_most_three():
    cands = [_cand("members", {"growth": 30}, 30, 0), _cand("assistance", {"households": 20}, 20, 1),
             _cand("care", {"people": 100}, 100, 2), _cand("activities", {"people": 60}, 60, 3)]
    got = ranking.rank(cands, size=100, key_themes={"activities"})
    # key part first; then 20 households per 100 members (6.7× notable) before 30 new (6×)
    assert [r.candidate.theme for r in got] == ["activities", "assistance", "members"]
    assert len(ranking.rank(cands, size=100, key_themes=set())) == ranking.MAX_HIGHLIGHTS


def test_it_refuses_a_measure_the_ranking_does_not_know():
    with pytest.raises(ValueError, match="unknown measure"):
        ranking.score(Headline(Item("benefits.headline", {}), {"smiles": 3}, 3), 10)


def test_the_opening_names_the_significant_result_and_not_one_visit(tree):
    people = _members(tree.grassroots, 20)
    for m in people[:6]:
        _assist(m, D(2025, 1, 15), 500)
    benefit_create(actor=OP, member=people[10], kind="birthday", on=D(2025, 5, 1), form="cash", amount=Decimal(200))
    opening = _opening(_doc(tree.grassroots))
    assert "开展帮扶慰问6户次，发放帮扶资金和物品3000元" in opening
    assert "会员慰问1人次" not in opening


def test_an_opening_with_only_trivial_results_has_no_highlight_clause(tree):
    m = _members(tree.grassroots, 3)[0]
    benefit_create(actor=OP, member=m, kind="birthday", on=D(2025, 5, 1), form="cash", amount=Decimal(200))
    opening = _opening(_doc(tree.grassroots))
    assert opening.endswith("扎实开展各项工作。现将2025年工作总结如下。")


def test_a_key_part_leads_the_opening(tree):
    people = _members(tree.grassroots, 30)
    for m in people[:9]:
        _assist(m, D(2025, 1, 15), 800)
    for m in people[:3]:
        benefit_create(actor=OP, member=m, kind="birthday", on=D(2025, 5, 1), form="cash", amount=Decimal(100))
    plain = _opening(_doc(tree.grassroots))
    assert plain.index("帮扶慰问") < plain.index("会员慰问")
    summary_setting_set(actor=OP, org=tree.grassroots, year=2025, key_themes=["care"])
    keyed = _opening(_doc(tree.grassroots))
    assert keyed.index("会员慰问3人次") < keyed.index("帮扶慰问")


# --- item 6: the guiding clause and the leadership line -------------------------------------------


def test_the_opening_has_the_leadership_line_and_the_default_guiding_text(tree):
    _members(tree.grassroots, 3)
    opening = _opening(_doc(tree.grassroots))
    assert opening.startswith(f"2025年，临江精机工会在临江街道工会的领导下，{prefs.DEFAULT_GUIDING}，紧紧围绕全年的各项工作目标")


def test_a_federations_guiding_text_applies_below_it_and_a_unions_own_wins(tree):
    _members(tree.grassroots, 3)
    _members(tree.sibling_grassroots, 3)
    summary_setting_set(actor=OP, org=tree.street, year=2025, guiding="以习近平新时代中国特色社会主义思想为指导，深入贯彻街道工作会议精神")
    assert "深入贯彻街道工作会议精神，紧紧围绕" in _opening(_doc(tree.grassroots))
    assert "街道工作会议" not in _opening(_doc(tree.sibling_grassroots))  # another street
    assert "街道工作会议" not in _opening(_doc(tree.grassroots, parse_period("2026")))  # another year
    summary_setting_set(actor=OP, org=tree.grassroots, year=2025, guiding="以习近平新时代中国特色社会主义思想为指导。",
                        party="公司党委")
    opening = _opening(_doc(tree.grassroots))
    assert "在公司党委和临江街道工会的领导下，以习近平新时代中国特色社会主义思想为指导，紧紧围绕" in opening


# --- item 8: the closing paragraph ----------------------------------------------------------------


def test_the_default_closing_comes_before_the_signature(tree):
    m = _members(tree.grassroots, 5)
    for x in m[:3]:
        _assist(x, D(2025, 1, 15), 500)
    doc = _doc(tree.grassroots)
    assert _closing(doc).startswith("一年来，临江精机工会的各项工作取得了一定成绩，这得益于临江街道工会的正确领导和关心支持")
    kinds = [(b.kind, b.text) for b in blocks(doc)]
    assert kinds[-1][0] == "signature" and kinds[-2] == ("para", _closing(doc))
    half = _closing(_doc(tree.grassroots, parse_period("2025H1")))
    assert half.startswith("半年来") and "下半年，我们将" in half


def test_it_looks_back_from_this_quarter_or_month_in_the_closing(tree):
    m = _members(tree.grassroots, 5)
    for x in m[:3]:
        _assist(x, D(2025, 1, 15), 500)
    quarter = _closing(_doc(tree.grassroots, parse_period("2025Q1")))
    month = _closing(_doc(tree.grassroots, parse_period("2025-01")))
    assert quarter.startswith("本季度以来，") and month.startswith("本月以来，")
    assert "2025年第一季度以来" not in quarter and "2025年1月以来" not in month
    assert _closing(_doc(tree.grassroots)).startswith("一年来，")
    assert _closing(_doc(tree.grassroots, parse_period("2025H1"))).startswith("半年来，")
    custom = _closing(_doc(tree.grassroots, parse_period("2025-01-01..2025-05-31")))
    assert custom.startswith("一段时间以来，") and "5月31日以来" not in custom


def test_a_union_without_results_gets_no_closing_to_credit_them(tree):
    assert _doc(tree.grassroots)["closing"] == []


def test_a_unions_own_closing_is_written_paragraph_by_paragraph_and_exported(tree):
    _members(tree.grassroots, 3)
    summary_setting_set(actor=OP, org=tree.grassroots, year=2025,
                        closing="一年来，工会工作取得的成绩归功于公司党委的正确领导。\n新的一年里，我们将继续努力，把职工之家建设得更好。")
    doc = summary_create(actor=OP, org=tree.grassroots, period="2025", subtree=True).latest.document
    assert [p["key"] for p in doc["closing"]] == ["closing", "closing_2"]
    text = plain_text(doc)
    assert text.index("把职工之家建设得更好。") < text.index("\n临江精机工会\n")
    paragraphs = [p for p in Document(io.BytesIO(docx_bytes(doc))).paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    first = texts.index("一年来，工会工作取得的成绩归功于公司党委的正确领导。")
    assert texts[first + 1] == "新的一年里，我们将继续努力，把职工之家建设得更好。"
    assert texts[first + 2] == "临江精机工会"  # the signature follows the closing
    body_style = next(p.style.name for p in paragraphs if p.text.startswith("2025年，临江精机工会"))
    assert paragraphs[first].style.name == body_style  # set as body text, not as the signature


def test_the_editor_keeps_the_closing_when_a_version_is_saved(login, personas, tree):
    _members(tree.grassroots, 3)
    draft = summary_create(actor=OP, org=tree.grassroots, period="2025", subtree=True)
    client = login(personas.grassroots_chair)
    assert 'data-testid="closing"' in client.get(f"/summary/{draft.pk}/").content.decode()
    doc = json.loads(json.dumps(draft.latest.document))
    doc["closing"] = [{"key": "closing", "runs": [{"text": "感谢全体会员一年来的支持。"}]}]
    assert client.post(f"/summary/{draft.pk}/", {"name": "改结尾", "document": json.dumps(doc), "base": 1}).status_code == 302
    assert draft.versions.get(number=2).document["closing"] == doc["closing"]


# --- item 7: effect clauses -----------------------------------------------------------------------


def _assistance_sentences(doc) -> list[str]:
    part = next(p for p in doc["parts"] if p["key"] == "assistance")
    return ["".join(r["text"] for r in i["runs"]) for s in part["sections"] for i in s["items"]]


def _seed_assistance(tree):
    people = _members(tree.grassroots, 12)
    for m in people[:4]:
        _assist(m, D(2025, 1, 15), 500)
    for m in people[4:7]:
        _assist(m, D(2025, 9, 1), 1000, Occasion.SCHOOL)
    for m in people[7:9]:
        _assist(m, D(2025, 6, 1), 800, Occasion.MEDICAL)
    return people


def test_a_part_gets_at_most_one_effect_clause_and_the_same_records_the_same_text(tree):
    _seed_assistance(tree)
    doc = _doc(tree.grassroots)
    clauses = prefs.DEFAULT_PURPOSES["assistance"]
    carrying = [s for s in _assistance_sentences(doc) if any(c in s for c in clauses)]
    assert len(carrying) == 1 and carrying[0].endswith("。")
    assert _doc(tree.grassroots) == doc


def test_it_never_writes_one_clause_twice_in_a_document(tree):
    people = _seed_assistance(tree)
    for m in people[:3]:
        benefit_create(actor=OP, member=m, kind="birthday", on=D(2025, 5, 1), form="cash", amount=Decimal(100))
    same = "让职工感受到了工会大家庭的温暖"
    purpose_clauses_set(actor=OP, org=tree.street, theme="assistance", clauses=same)
    purpose_clauses_set(actor=OP, org=tree.street, theme="care", clauses=same)
    text = plain_text(_doc(tree.grassroots))
    assert text.count(same) == 1


def test_an_administrators_clauses_apply_to_the_subtree_and_the_nearest_wins(tree):
    _seed_assistance(tree)
    _members(tree.sibling_grassroots, 3)
    purpose_clauses_set(actor=OP, org=tree.district, theme="assistance", clauses="帮助困难职工家庭渡过了难关")
    assert "，帮助困难职工家庭渡过了难关。" in plain_text(_doc(tree.grassroots))
    purpose_clauses_set(actor=OP, org=tree.street, theme="assistance", clauses=["切实解决了困难职工的燃眉之急"])
    text = plain_text(_doc(tree.grassroots))
    assert "，切实解决了困难职工的燃眉之急。" in text and "渡过了难关" not in text
    purpose_clauses_reset(actor=OP, org=tree.street, theme="assistance")
    assert "渡过了难关" in plain_text(_doc(tree.grassroots))


def test_a_sentence_that_does_not_take_an_effect_clause_gets_none(tree):
    _seed_assistance(tree)
    doc = _doc(tree.grassroots)
    totals = next(s for s in _assistance_sentences(doc) if "共开展帮扶慰问" in s)  # a total, not a piece of work
    assert not any(c in totals for c in prefs.DEFAULT_PURPOSES["assistance"])


@pytest.mark.parametrize("clauses, message", [
    ("", "请至少填写一条成效语"),
    ("丰富了职工的业余文化生活。", "不能含句号"),
    ("惠及职工100人", "不能含句号、分号、引号、括号、字母或数字"),
    ("{households}", "不能含"),
    ("好", "应为4至30个字"),
    ("增强了职工的凝聚力" * 4, "应为4至30个字"),
    ("增强了职工的凝聚力\n增强了职工的凝聚力", "重复了"),
])
def test_it_refuses_a_bad_clause_in_chinese_and_saves_nothing(tree, clauses, message):
    with pytest.raises(ValidationError) as exc:
        purpose_clauses_set(actor=OP, org=tree.street, theme="activities", clauses=clauses)
    assert message in "；".join(exc.value.messages)
    assert not PurposeClauseSet.objects.exists()
    assert AuditEvent.objects.filter(action="purpose.set", result="failure").exists()


def test_it_refuses_a_part_that_does_not_exist(tree):
    with pytest.raises(ValidationError, match="没有这个工作部分"):
        purpose_clauses_set(actor=OP, org=tree.street, theme="parties", clauses="丰富了职工的业余文化生活")


# --- the settings: services -----------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, field, message", [
    ({}, "__all__", "没有填写任何内容"),
    ({"guiding": "   "}, "__all__", "没有填写任何内容"),
    ({"guiding": "以" + "习近平新时代中国特色社会主义思想" * 15 + "为指导"}, "guiding", "不能超过200个字"),
    ({"party": "在公司党委的领导下"}, "party", "只写名称"),
    ({"party": "公司党委，局党组"}, "party", "不要加标点"),
    ({"closing": "谢谢。"}, "closing", "结尾段落太短"),
    ({"closing": "好" * 1001}, "closing", "不能超过1000个字"),
    ({"key_themes": ["members", "assistance", "care", "activities"]}, "key_themes", "最多选3项"),
    ({"key_themes": ["fun"]}, "key_themes", "没有“fun”这个工作部分"),
    ({"year": 1999, "party": "公司党委"}, "year", "2000至2100"),
])
def test_it_refuses_bad_settings_in_chinese_and_saves_nothing(tree, kwargs, field, message):
    kwargs = {"year": 2025, **kwargs}
    with pytest.raises(ValidationError) as exc:
        summary_setting_set(actor=OP, org=tree.grassroots, **kwargs)
    assert message in "；".join(exc.value.message_dict.get(field, []))
    assert not SummarySetting.objects.exists()


def test_a_setting_is_saved_once_per_union_and_year_and_audited(tree):
    first = summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="公司党委")
    again = summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="集团党委", key_themes=["care", "members"])
    assert first.pk == again.pk and SummarySetting.objects.count() == 1
    assert again.key_themes == ["members", "care"]  # in the parts' order
    event = AuditEvent.objects.filter(action="summary_setting.set", result="success").last()
    assert event.changes["党组织名称"] == ["公司党委", "集团党委"]
    summary_setting_delete(actor=OP, setting=again)
    assert not SummarySetting.objects.exists()


def test_it_audits_the_year_only_when_a_setting_is_created(tree):
    summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="公司党委")
    created = AuditEvent.objects.filter(action="summary_setting.set", result="success").last()
    assert created.changes["年度"] == [None, 2025]
    summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="集团党委")
    updated = AuditEvent.objects.filter(action="summary_setting.set", result="success").last()
    assert updated.pk != created.pk and "年度" not in updated.changes
    assert updated.changes == {"党组织名称": ["公司党委", "集团党委"]}


def test_it_deletes_a_setting_whose_every_field_is_cleared(tree):
    summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="公司党委", key_themes=["care"])
    assert summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="  ") is None
    assert not SummarySetting.objects.exists()
    event = AuditEvent.objects.filter(action="summary_setting.delete", result="success").get()
    assert event.changes == {"年度": [2025, None]}
    with pytest.raises(ValidationError) as exc:  # nothing saved and nothing filled in: nothing to do
        summary_setting_set(actor=OP, org=tree.grassroots, year=2025)
    assert "没有填写任何内容" in "".join(exc.value.message_dict["__all__"])


def test_it_clears_a_setting_from_its_page_back_to_the_defaults(login, personas, tree):
    setting = summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="公司党委")
    client = login(personas.street_admin)
    r = client.post(f"/summary/settings/{setting.pk}/", {"party": "", "closing": "", "guiding": ""}, follow=True)
    assert r.status_code == 200 and "已清空" in r.content.decode() and "使用默认内容" in r.content.decode()
    assert not SummarySetting.objects.exists()


def _racing(model, monkeypatch, **other):
    """The other save of a first-save race lands between the lookup and this save."""
    real = model.save
    state = {"raced": False}

    def save(self, *args, **kwargs):
        if self.pk is None and not state["raced"]:
            state["raced"] = True
            model.objects.create(org=self.org, org_path=self.org_path, **other)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", save)


def test_it_answers_a_first_save_race_on_a_setting_in_chinese(tree, monkeypatch):
    _racing(SummarySetting, monkeypatch, year=2025, party="另一人填的党委")
    with pytest.raises(ValidationError) as exc:
        summary_setting_set(actor=OP, org=tree.grassroots, year=2025, party="公司党委")
    assert "刚刚已由其他人保存" in "".join(exc.value.message_dict["__all__"])
    assert AuditEvent.objects.filter(action="summary_setting.set", result="failure").exists()


def test_it_answers_a_first_save_race_on_effect_clauses_in_chinese(tree, monkeypatch):
    _racing(PurposeClauseSet, monkeypatch, theme="care", clauses=["温暖了会员的心"])
    with pytest.raises(ValidationError) as exc:
        purpose_clauses_set(actor=OP, org=tree.street, theme="care", clauses="让会员感受到了组织的温暖")
    assert "刚刚已由其他人保存" in "；".join(exc.value.messages)


def test_only_an_actor_with_the_phrase_permission_over_the_union_may_set(tree, personas):
    with pytest.raises(PermissionDenied):
        summary_setting_set(actor=actor_of(personas.grassroots_chair), org=tree.grassroots, year=2025, party="公司党委")
    with pytest.raises(PermissionDenied):
        summary_setting_set(actor=actor_of(personas.sibling_admin), org=tree.grassroots, year=2025, party="公司党委")
    with pytest.raises(PermissionDenied):
        purpose_clauses_set(actor=actor_of(personas.sibling_admin), org=tree.street, theme="care", clauses="温暖了会员的心")
    assert not SummarySetting.objects.exists() and not PurposeClauseSet.objects.exists()


# --- the settings: pages --------------------------------------------------------------------------


def test_an_administrator_sets_the_year_on_the_settings_page(login, personas, tree):
    client = login(personas.street_admin)
    page = client.get("/summary/settings/").content.decode()
    assert "工作总结设置" in page and prefs.DEFAULT_GUIDING in page and "请及时核对更新" in page
    r = client.post("/summary/settings/", {"org": "G1", "year": "2025", "party": "公司党委", "closing": "",
                                           "guiding": "", "key_themes": ["assistance"]})
    assert r.status_code == 302
    setting = SummarySetting.objects.get()
    assert (setting.org, setting.party, setting.key_themes) == (tree.grassroots, "公司党委", ["assistance"])
    r = client.post(f"/summary/settings/{setting.pk}/", {"party": "集团党委", "key_themes": ["care"]},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == "/summary/settings/"
    setting.refresh_from_db()
    assert (setting.party, setting.key_themes, setting.year) == ("集团党委", ["care"], 2025)


def test_the_settings_page_shows_every_error_and_saves_nothing(login, personas, tree):
    client = login(personas.street_admin)
    page = client.post("/summary/settings/", {"year": "2025", "party": "在公司党委的领导下", "closing": "太短了。",
                                              "key_themes": ["members", "assistance", "care", "activities"]},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "只写名称" in page and "结尾段落太短" in page and "最多选3项" in page
    assert 'id="setting-form"' in page
    page = client.post("/summary/settings/", {"year": "二〇二五", "party": "公司党委"}).content.decode()
    assert "年度应为四位数字" in page
    page = client.post("/summary/settings/", {"year": "2025", "party": "公司党委", "key_themes": ["fun"]}).content.decode()
    assert "这个工作部分" in page
    assert not SummarySetting.objects.exists()


def test_another_organizations_setting_is_not_found(login, personas, tree):
    mine = summary_setting_set(actor=OP, org=tree.grassroots, year=2025, closing="临江精机工会的结尾段落，只给本会看。")
    client = login(personas.sibling_admin)
    assert client.get(f"/summary/settings/{mine.pk}/").status_code == 404
    assert client.post(f"/summary/settings/{mine.pk}/", {"party": "望湖党委"}).status_code == 404
    assert client.post(f"/summary/settings/{mine.pk}/delete/").status_code == 404
    assert "只给本会看" not in client.get("/summary/settings/").content.decode()
    page = client.post("/summary/settings/", {"org": "G1", "year": "2025", "party": "望湖党委"}).content.decode()
    assert "找不到该编码的工会" in page
    mine.refresh_from_db()
    assert mine.party == "" and SummarySetting.objects.count() == 1


def test_a_chair_without_the_phrase_permission_cannot_open_the_settings(login, personas, tree):
    client = login(personas.grassroots_chair)
    assert client.get("/summary/settings/").status_code == 403
    assert client.get("/summary/purposes/").status_code == 403


def test_an_administrator_edits_the_clauses_of_a_part(login, personas, tree):
    client = login(personas.street_admin)
    page = client.get("/summary/purposes/").content.decode()
    assert "丰富了职工的业余文化生活" in page
    r = client.post("/summary/purposes/", {"theme": "activities", "clauses": "活跃了机关的文化氛围\n增强了职工的团队意识"})
    assert r.status_code == 302
    row = PurposeClauseSet.objects.get()
    assert (row.org, row.clauses) == (tree.street, ["活跃了机关的文化氛围", "增强了职工的团队意识"])
    bad = client.post("/summary/purposes/", {"theme": "activities", "clauses": "参与职工200人"}, follow=True).content.decode()
    assert "成效语未保存" in bad and "数字" in bad
    assert PurposeClauseSet.objects.get().clauses == ["活跃了机关的文化氛围", "增强了职工的团队意识"]
    assert client.post("/summary/purposes/", {"theme": "nothing", "clauses": "活跃了文化氛围"}).status_code == 404
    client.post("/summary/purposes/", {"theme": "activities", "reset": "1"})
    assert not PurposeClauseSet.objects.exists()
    assert AuditEvent.objects.filter(action="purpose.reset", result="success").exists()

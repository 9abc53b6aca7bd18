"""The lint for generated text (summary/lint.py): each rule on crafted documents, once with a
defect it must report and once with the genre's correct wording it must let pass."""

from __future__ import annotations

import re

import pytest

from gonghui.summary.lint import RULES, Finding, lint, report

FIGURE = re.compile(r"⟨(.*?)⟩")


def para(text: str, key: str = "p") -> dict:
    """A paragraph from text in which ⟨…⟩ marks a figure run (as assemble writes figures);
    "members.changes|…" gives the paragraph its phrase's key."""
    if "|" in text:
        key, text = text.split("|", 1)
    runs, pos = [], 0
    for n, m in enumerate(FIGURE.finditer(text)):
        if m.start() > pos:
            runs.append({"text": text[pos:m.start()]})
        runs.append({"text": m.group(1), "fact": f"{key}.f{n}", "link": "/records/"})
        pos = m.end()
    if pos < len(text):
        runs.append({"text": text[pos:]})
    return {"key": key, "runs": runs}


def doc(*parts: list[str], opening: str = "", problems: tuple[str, ...] = (), plans: tuple[str, ...] = (),
        title: str = "富兴社区工会2025年工作总结", tables: tuple[dict, ...] = ()) -> dict:
    """A summary document: each part a list of paragraphs (one untitled section)."""
    return {
        "title": title,
        "opening": [para(opening, "opening")] if opening else [],
        "parts": [{"key": f"part{i}", "title": f"第{i}部分标题", "sections": [
            {"key": f"s{i}", "title": "", "items": [para(t, f"p{i}_{j}") for j, t in enumerate(texts)],
             "tables": list(tables) if i == 0 else []}]} for i, texts in enumerate(parts)],
        "problems": [para(t, f"problem{j}") for j, t in enumerate(problems)],
        "plans": [para(t, f"plan{j}") for j, t in enumerate(plans)],
        "suggestions": [],
        "signature": {"org": "富兴社区工会", "date": "2025-12-31"},
    }


def rules(document: dict, **kw) -> list[str]:
    return [f.rule for f in lint(document, **kw)]


GOOD = doc(
    [
        "截至年底，共有会员⟨38⟩人，其中女会员⟨21⟩人。",
        "2025年新发展会员⟨6⟩人，同比增加⟨2人⟩。",
        "截至年底，职工入会率为⟨92.3%⟩。",
    ],
    [
        "1月，开展元旦春节送温暖活动，对⟨23⟩户困难职工进行慰问，每户发放慰问金⟨500元⟩，共计⟨11500元⟩，让困难职工感受到工会的温暖。",
        "中秋节前，慰问困难职工⟨2⟩户，发放慰问金⟨800元⟩，送去米面油，物品折合⟨326.5元⟩。",
        "对⟨1⟩户突发困难的职工家庭实施临时救助，发放救助金⟨2000元⟩。",
    ],
    [
        "3月，举办“庆三八”眼科健康知识讲座及义诊活动，参与女职工⟨45⟩人次，增强了女职工的健康意识。",
        "9月，举办全民健身趣味运动会，参与职工⟨200⟩人次，丰富了职工的业余文化生活。",
    ],
    opening="2025年，富兴社区工会在临江街道工会的领导下，紧紧围绕年度工作目标，扎实开展各项工作。",
    problems=("有⟨3⟩名会员未按规定缴纳会费，会费收缴工作有待加强。",),
    plans=("加强工会信息报送及宣传工作，经常组织职工开展工会活动。",),
    tables=({"key": "t", "caption": "各下级工会会员情况", "header": ["工会", "会员人数（截至12月31日）", "入会率"],
             "rows": [["一车间分会", "120", "85.7%"], ["二车间分会", "98", "100%"]]},),
)


def test_a_document_in_the_genre_passes():
    assert lint(GOOD) == [], report(lint(GOOD))


def test_findings_name_their_rule_place_and_paragraph():
    d = doc(["members.changes|2025年办理会员会籍信息及时更新。"])
    [f] = lint(d)
    assert isinstance(f, Finding) and f.rule in RULES
    assert f.text == "2025年办理会员会籍信息及时更新。" and f.where == "第0部分标题" and f.key == "members.changes"
    assert re.search(r"[\u4e00-\u9fff]", f.message)
    assert "empty-frame" in report([f]) and f.text in report([f])


# --- empty-frame -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "members.changes|2025年办理会员会籍信息及时更新。",  # every fact of the sentence was empty
    "assistance.flow|2025年上半年困难职工档案实行有进有出的动态管理。",  # a period is no fact
    "在中秋节，慰问困难职工⟨3⟩户，发放慰问金，共计。",  # a slot left empty inside the sentence
    "开展元旦春节送温暖活动，对户困难职工进行慰问，每户发放慰问金⟨500元⟩。",
    "2026年上半年参与捐款的会员⟨0人⟩，占会员总数的⟨0%⟩。",  # a zero is no figure
])
def test_empty_frames_are_reported(text):
    assert "empty-frame" in rules(doc([text]))


@pytest.mark.parametrize("text", [
    "members.changes|2025年办理会员转入⟨2⟩人，退休⟨1⟩人，会籍信息及时更新。",
    "orgs.home_level_own.3|2023年11月，本会被评为区县级模范职工之家。",  # a sentence of words keeps its words
    "2025年办理会员会籍信息及时更新。",  # text of no phrase (typed by the user) is left to its author
    "从致困原因看，因疾病致困3户、因子女上学致困2户。",  # figures inside a word fact
    "11月25日，组织职工⟨80⟩人学习党的二十届三中全会精神。",
    "慰问人员深入职工家中，了解困难职工户数⟨5⟩户的生活情况。",  # 慰问人员, 户数: no slot missing
    "组织职工⟨10⟩人参加义务劳动，发放慰问品⟨20⟩人次。",  # 10, 20 hold a 0 but are no zero
])
def test_sentences_with_their_figures_are_not_empty_frames(text):
    assert "empty-frame" not in rules(doc([text]))


def test_words_only_plans_and_opening_are_not_empty_frames():
    d = doc(["共有会员⟨38⟩人。"], opening="2025年，社区工会团结带领广大职工扎实开展各项工作。",
            plans=("经常组织职工开展文体活动，激发职工工作热情。",))
    assert "empty-frame" not in rules(d)


# --- per-one -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "对⟨1⟩户困难职工进行慰问，每户发放慰问金⟨500元⟩，共计⟨500元⟩。",
    "探望慰问生病住院职工⟨1⟩人，每人发放慰问金⟨300元⟩。",
    "慰问新婚会员⟨1⟩人次，每人⟨500元⟩。",
])
def test_a_per_unit_phrase_after_a_count_of_one_is_reported(text):
    assert "per-one" in rules(doc([text]))


@pytest.mark.parametrize("text", [
    "对⟨11⟩户困难职工进行慰问，每户发放慰问金⟨500元⟩，共计⟨5500元⟩。",  # 11户 is not 1户
    "对⟨1⟩户困难职工进行慰问，发放慰问金⟨500元⟩。",
    "慰问职工⟨1⟩户。对⟨3⟩户困难职工进行慰问，每户发放慰问金⟨500元⟩。",  # 每户 in another sentence
])
def test_per_unit_phrases_after_counts_above_one_pass(text):
    assert "per-one" not in rules(doc([text]))


# --- percent-bound -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "新发展会员⟨11⟩人，同比增加⟨10人（1000%）⟩。",
    "发放帮扶资金⟨579000元⟩，同比增加⟨578900元（57890%）⟩。",
    "截至年底，职工入会率为⟨115.8%⟩。",
    "困难职工档案复核率为⟨-5%⟩。",
    "活动参与面达到职工总数的⟨130%⟩。",
])
def test_percentages_beyond_their_bound_are_reported(text):
    assert "percent-bound" in rules(doc([text]))


@pytest.mark.parametrize("text", [
    "新发展会员⟨15⟩人，同比增加⟨5人（50%）⟩。",
    "发放帮扶资金⟨20000元⟩，同比增加⟨10000元（100%）⟩。",
    "截至年底，职工入会率为⟨100%⟩。",
    "截至年底，职工入会率为⟨42.7%⟩，低于上级工会确定的85%的目标。",
])
def test_percentages_within_their_bound_pass(text):
    assert "percent-bound" not in rules(doc([text]))


# --- repeated-purpose ------------------------------------------------------------------------------------


def test_the_same_effect_clause_twice_in_a_document_is_reported():
    d = doc(["举办职工篮球赛，参与职工⟨60⟩人次，丰富了职工的业余文化生活。"],
            ["举办迎新春文艺联欢会，参与职工⟨120⟩人次，丰富了职工的业余文化生活。"])
    found = [f for f in lint(d) if f.rule == "repeated-purpose"]
    assert len(found) == 1 and "丰富了职工的业余文化生活" in found[0].message
    assert found[0].text.startswith("举办迎新春")


def test_different_effect_clauses_pass():
    d = doc(["举办职工篮球赛，参与职工⟨60⟩人次，增强了职工的凝聚力。"],
            ["举办迎新春文艺联欢会，参与职工⟨120⟩人次，丰富了职工的业余文化生活。",
             "开展安全生产知识竞赛，参与职工⟨80⟩人次，增强了职工的安全意识。"])
    assert "repeated-purpose" not in rules(d)


# --- latin-or-code ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "festival期间，为会员发放节日慰问品⟨30⟩人次。",
    "None期间，为会员发放节日慰问品⟨30⟩人次。",
    "开展帮扶慰问⟨12⟩户次{total}。",
    "截至年底，共有会员⟨38⟩人[，其中女会员21人]。",
    "对⟨3⟩户困难职工（LJ-003）进行慰问。",
])
def test_english_letters_and_raw_codes_are_reported(text):
    assert "latin-or-code" in rules(doc([text]))


def test_codes_in_headings_and_table_cells_are_reported():
    bad_title = doc(["共有会员⟨38⟩人。"], title="富兴社区工会2025H1工作总结")
    assert "latin-or-code" in rules(bad_title)
    bad_cell = doc(["共有会员⟨38⟩人。"], tables=({"key": "t", "caption": "各下级工会会员情况", "header": ["工会", "会员人数"],
                                               "rows": [["branch", "12"]]},))
    assert "latin-or-code" in rules(bad_cell)


def test_a_union_name_with_latin_letters_is_allowed_when_named():
    d = doc(["组织ABC科技工会会员⟨38⟩人参加健步走活动。"])
    assert "latin-or-code" in rules(d)
    assert "latin-or-code" not in rules(d, names=["ABC科技工会"])


# --- number-format -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "发放帮扶资金⟨11,500元⟩。",
    "发放帮扶资金⟨1.15万元⟩。",
    "慰问困难职工⟨２３⟩户。",
    "慰问生病住院职工⟨1.0人⟩。",
    "慰问生病住院职工⟨2.5⟩人。",
    "发放慰问金⟨1250.505元⟩。",
    "发放慰问金⟨1250.50元⟩。",
    "职工入会率为⟨92.345%⟩。",
    "03月05日，组织职工⟨30⟩人参加义务劳动。",
    "2025年4月18日，召开会员大会，选举产生第3届工会委员会，委员⟨7⟩名。",
])
def test_numbers_outside_the_gongwen_rules_are_reported(text):
    assert "number-format" in rules(doc([text]))


@pytest.mark.parametrize("text", [
    "发放帮扶资金⟨11500元⟩，其中现金⟨10250.5元⟩、物品折合⟨1249.5元⟩。",
    "职工入会率为⟨92.3%⟩。",
    "3月5日，组织职工⟨30⟩人参加义务劳动。",
    "2025年10月，慰问困难职工⟨23⟩户。",
    "2025年4月18日，召开会员大会，选举产生第三届工会委员会，委员⟨7⟩名。",
])
def test_numbers_in_the_gongwen_rules_pass(text):
    assert "number-format" not in rules(doc([text]))


# --- repeated-figure ---------------------------------------------------------------------------------------------


def test_the_same_figure_in_two_sentences_of_a_part_is_reported():
    d = doc(["截至年底，共有会员⟨120⟩人。", "截至年底，职工入会率为⟨80%⟩（会员⟨120⟩人，职工⟨150⟩人）。"])
    found = [f for f in lint(d) if f.rule == "repeated-figure"]
    assert len(found) == 1 and "120人" in found[0].message and found[0].text.startswith("截至年底，职工入会率")


@pytest.mark.parametrize("part_one, part_two", [
    # the same figure in two different parts
    (["截至年底，共有会员⟨120⟩人。"], ["组织会员⟨120⟩人参加健步走活动。"]),
    # a per-household standard repeated on purpose, and counts of one
    (["对⟨23⟩户困难职工进行慰问，每户发放慰问金⟨500元⟩，共计⟨11500元⟩。",
      "对⟨4⟩户困难职工家庭子女开展金秋助学，每户发放助学金⟨500元⟩，共计⟨2000元⟩。",
      "慰问新婚会员⟨1⟩人，共计⟨500元⟩。", "慰问生育会员⟨1⟩人，共计⟨600元⟩。"], []),
])
def test_figures_that_differ_by_part_or_standard_pass(part_one, part_two):
    assert "repeated-figure" not in rules(doc(part_one, part_two))


def test_an_odd_amount_restated_in_a_part_is_reported():
    d = doc([], ["2025年共开展帮扶慰问⟨7⟩户次，发放帮扶资金和物品共计⟨7800元⟩。",
                 "春节前，对⟨7⟩户困难职工进行慰问，发放慰问金⟨7800元⟩。"])
    found = [f for f in lint(d) if f.rule == "repeated-figure"]
    assert len(found) == 1 and "7800元" in found[0].message


def test_small_counts_and_round_amounts_that_coincide_pass():
    d = doc(["截至年底，动态管理困难职工⟨2⟩户。", "中秋节前，慰问困难职工⟨2⟩户，送去米面油。",
             "对⟨1⟩户患重大疾病的职工家庭开展医疗救助，发放救助金⟨2000元⟩。",
             "资助⟨1⟩户困难职工家庭子女就学，发放助学金⟨2000元⟩。",
             "慰问生育会员⟨1⟩人，共计⟨800元⟩。", "探望慰问生病住院会员⟨1⟩人次，共计⟨800元⟩。",
             "春节期间，为会员发放节日慰问品⟨41⟩人次，同比增加⟨2人次（4.9%）⟩。",
             "端午节期间，为会员发放节日慰问品⟨43⟩人次，同比增加⟨2人次（4.9%）⟩。",
             "截至年底，共有会员⟨135⟩人，同比增加⟨15人（12.5%）⟩。", "2025年新发展会员⟨15⟩人。",
             # the same value of different things, and two totals of two things
             "1月，对⟨18⟩户困难职工进行慰问。", "走访慰问包联村困难群众⟨18⟩户。",
             "截至年底，共有会员⟨189⟩人，其中新就业形态劳动者会员⟨13⟩人。", "2026年新发展会员⟨13⟩人。",
             "对⟨8⟩户困难职工进行慰问，每户发放慰问金⟨150元⟩，共计⟨1200元⟩。",
             "走访慰问辖区困难居民⟨4⟩人，每人发放慰问金⟨300元⟩，共计⟨1200元⟩。",
             "对⟨8⟩户困难职工家庭送去米面油，物品折合⟨1200元⟩。"])
    assert "repeated-figure" not in rules(d)

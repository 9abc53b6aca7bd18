"""The built-in activity kinds (issue 14's coded list), seeded by migration 0002. An
administrator adds more on the 活动类型 page; built-in ones can be renamed or switched off
but not deleted, since summaries and imports refer to them by code."""

BUILTIN_KINDS = [
    # code, name, how a summary names the activities of this kind
    ("study", "学习教育", "学习教育活动"),
    ("reading", "读书活动", "读书活动"),
    ("training", "培训讲座", "培训讲座"),
    ("sports", "文体活动", "文体活动"),
    ("contest", "竞赛答题", "知识竞赛答题活动"),
    ("volunteer", "志愿服务", "志愿服务活动"),
    ("festival", "节日活动", "节日活动"),
    ("visit", "参观学习", "参观学习活动"),
    ("health", "健康义诊/体检", "健康义诊"),
    ("women", "女职工活动", "女职工活动"),
    ("rest", "疗休养", "疗休养活动"),
    ("law", "普法宣传", "普法宣传活动"),
    ("other", "其他", "其他活动"),
]


def seed(kind_model=None) -> None:
    """Create the built-in kinds that are missing (migration 0002; tests that flush the
    database, see the root conftest.py, put them back the same way)."""
    if kind_model is None:
        from gonghui.activities.models import ActivityKind as kind_model
    for order, (code, name, noun) in enumerate(BUILTIN_KINDS, start=1):
        kind_model.objects.get_or_create(code=code, defaults={"name": name, "noun": noun, "order": order * 10, "is_builtin": True})

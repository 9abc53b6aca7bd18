"""Ship the national default rule set and the 安徽 2025 rules (a worked example).

Both are marked as samples: every union should check them against the rules its
province currently publishes before relying on them.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

D = Decimal
KINDS = ["festival", "birthday", "wedding", "childbirth", "hospital", "bereavement", "retirement", "womens_day"]

NATIONAL = {
    "name": "全国默认标准",
    "region": "全国",
    "effective_from": dt.date(2000, 1, 1),
    "is_default": True,
    "notes": "示例/默认：未选择地方标准的工会按此执行。数值为保守的示例值，"
    "请按本省（区、市）总工会现行经费收支管理办法选择或维护地方标准。",
    "rules": {
        "festival": dict(annual_cap=D(2000), goods_only=True),
        "birthday": dict(cap_per_event=D(300), goods_only=False),
        "wedding": dict(cap_per_event=D(1000)),
        "childbirth": dict(cap_per_event=D(1000)),
        "hospital": dict(cap_per_event=D(1000), once_per_illness=True),
        "bereavement": dict(cap_per_event=D(1000)),
        "retirement": dict(cap_per_event=D(1000)),
        "womens_day": dict(cap_per_event=D(300), goods_only=True),
    },
}

ANHUI = {
    "name": "安徽2025标准",
    "region": "安徽省",
    "effective_from": dt.date(2025, 1, 1),
    "is_default": False,
    "notes": "示例：按安徽省总工会2025年公布的经费收支管理办法整理。节日慰问品每人每年不超过2,200元，"
    "只发实物，不发现金和购物卡；生日慰问不超过500元；结婚、生育、生病住院、直系亲属去世、退休各不超过"
    "2,000元，生病住院同一病情每年慰问一次；不缴纳会费的会员不享受集体福利。"
    "女职工（三八）慰问文件未单列，示例值按每次500元实物。",
    "rules": {
        "festival": dict(annual_cap=D(2200), goods_only=True),
        "birthday": dict(cap_per_event=D(500)),
        "wedding": dict(cap_per_event=D(2000)),
        "childbirth": dict(cap_per_event=D(2000)),
        "hospital": dict(cap_per_event=D(2000), once_per_illness=True),
        "bereavement": dict(cap_per_event=D(2000)),
        "retirement": dict(cap_per_event=D(2000)),
        "womens_day": dict(cap_per_event=D(500), goods_only=True),
    },
}


def ship(apps, schema_editor):
    RuleSet = apps.get_model("benefits", "RuleSet")
    Rule = apps.get_model("benefits", "Rule")
    for spec in (NATIONAL, ANHUI):
        values = {k: v for k, v in spec.items() if k != "rules"}
        ruleset, created = RuleSet.objects.get_or_create(name=values.pop("name"), defaults={**values, "is_sample": True})
        if not created:
            continue
        for kind in KINDS:
            Rule.objects.create(ruleset=ruleset, kind=kind, requires_dues=True, **spec["rules"][kind])


def unship(apps, schema_editor):
    RuleSet = apps.get_model("benefits", "RuleSet")
    RuleSet.objects.filter(name__in=[NATIONAL["name"], ANHUI["name"]], choices__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]

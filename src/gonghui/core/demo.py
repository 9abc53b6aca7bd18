"""Demo data: realistic, reproducible (seeded), written through the real services.

Each module adds a step with `register_step(order, fn)`; a step receives the shared
DemoContext and may add to it (the orgs step records the unions it made, the members
step will read them). The command hands in the acting operator (this layer knows no
actor model).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonghui.access.actor import Actor

DEMO_PASSWORD = "Demo@2025gh"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "华", "建华", "建国", "志强", "海燕", "丹", "萍", "鹏", "辉", "玲", "红", "宇", "浩", "凯", "晨", "欣", "佳", "怡", "文", "斌", "亮", "婷", "雪", "琳", "晶", "颖", "博", "宁", "帆", "楠", "健", "坤", "瑶", "倩", "梅", "莉", "兰", "凤", "燕", "波", "峰", "东", "雷", "新", "春", "梓涵", "子轩", "一诺", "思远", "晓东", "晓燕", "立新", "国庆", "卫东", "春梅", "秋菊", "玉兰", "金凤", "志刚", "永强", "海涛", "俊杰", "雨欣", "嘉怡", "佳琪", "文博", "明轩", "浩然", "宏伟", "丽娟", "晓明", "建军", "志明", "淑珍", "美玲", "德华"]


@dataclass
class DemoContext:
    rng: random.Random
    actor: Actor
    today: dt.date
    orgs: dict[str, object] = field(default_factory=dict)  # code -> Org
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, password, role, union
    notes: list[str] = field(default_factory=list)

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))


STEPS: list[tuple[int, str, Callable[[DemoContext], None]]] = []


def register_step(order: int, name: str, fn: Callable[[DemoContext], None]) -> None:
    if not any(n == name for _, n, _ in STEPS):
        STEPS.append((order, name, fn))


def build(*, actor: Actor, seed: int = 2025, today: dt.date | None = None, progress: Callable[[str], None] = print) -> DemoContext:
    ctx = DemoContext(rng=random.Random(seed), actor=actor, today=today or dt.date.today())
    for _, name, fn in sorted(STEPS, key=lambda s: s[0]):
        progress(f"  · {name}")
        fn(ctx)
    from gonghui.core.models import SiteFlag

    SiteFlag.objects.update_or_create(key="demo", defaults={"value": ctx.today.isoformat()})
    from gonghui.core.db import refresh_planner_stats

    refresh_planner_stats()
    return ctx

"""Work summary (工作总结) at ten times the demo: a grassroots union's and a district's .docx.

Builds, in a throwaway database, the demo district (`gonghui demo`'s 滨江区总工会, its 3
street and 3 industry unions) with the demo's 30 grassroots unions, their branches and
groups repeated --copies times (default 10) under the same district, so that the district
holds ten times the demo: ~35,000 members joined since 2012 with the demo's transfers,
retirements, withdrawals and reservations (Member + MemberSpell + MembershipEvent), ~1,000
hardship archives with their history (Household + HouseholdSpell) and ~2,900 assistance
records (送温暖 batches each January, 金秋助学, 中秋 visits, sick visits, medical and
temporary relief, a few reversals; goods as the JSON list {item, quantity, unit, value}),
the members' benefits (春节, 三八, 中秋, monthly birthdays, 住院, 退休, one override and
one correction a year), two donation drives a year per copy, and committee terms. Every
dated record spans 2023 to today, so a 2025 summary and its 2024 同比 both do real work.
The rows are written with bulk_create in the shape the demo's services write them (the
demo steps themselves are tied to fixed union codes and take ~16 s per copy). The district
gets the demo's 入会率 target of 85 % (summary/demo.py), so the 入会率 suggestion runs too.

Then times, in one run and in-process, what `gonghui summary` does (see
summary/management/commands/summary.py): `generate(actor=Actor.system(), org, period,
subtree)` and `docx_bytes(accept_all(document))`, median and max over --repeat runs after
one warm-up, with the number of SQL queries of one run:

1. a grassroots union's annual summary (WH-001, subtree=False)   goal ≤ 1 s
2. the district federation's subtree summary (BJ, subtree=True)  goal ≤ 5 s
plus, for information, the same union with its branches, a street union's subtree, and
`call_command("summary", ...)` once for cases 1 and 2 (parses the period, resolves the
union, writes the file and its audit row). For the two goal cases it prints the time and
queries of each contributor's collect / headline / suggest, and for a case over 30 % of
its goal the slowest SQL statements and a cProfile of one run (--profile: for every case).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench_summary .venv/bin/python bench/summary_scale.py
    .venv/bin/python bench/summary_scale.py --sqlite          # a temporary SQLite file

The PostgreSQL database (its name must start with gonghui_bench) is dropped and
re-created, then ANALYZEd after loading (autovacuum's job in production). SQLite is left
without ANALYZE, as the application never runs it (--analyze to compare: the planner then
picks other indexes). The temporary SQLite file is removed at the end. Building takes
about a minute (half of it writing ~200,000 benefit records).
"""

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gonghui_bench_summary"
GOALS_MS = {"grassroots": 1000, "district": 5000}
HISTORY_FROM = dt.date(2023, 1, 5)  # first hardship application (the demo: two years before today)
BENEFIT_YEARS_BACK = 2  # benefits for the period's year and the one before it (同比)


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of DATABASE_URL")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--copies", type=int, default=10, help="how many times the demo's grassroots unions are repeated")
    p.add_argument("--households", type=int, default=100, help="hardship archives per copy (the demo has 36)")
    p.add_argument("--period", default="2025")
    p.add_argument("--union", default="WH-001", help="the grassroots union of case 1 (a code of the demo)")
    p.add_argument("--profile", action="store_true",
                   help="break down and profile every case, not only the goal cases (and those over 30%% of their goal)")
    p.add_argument("--analyze", action="store_true", help="run ANALYZE on SQLite too after loading (the application never does)")
    p.add_argument("--seed", type=int, default=2025)
    return p.parse_args()


def main():
    args = parse()
    data_dir = None
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        data_dir = tempfile.mkdtemp(prefix="gonghui-bench-summary-")
        os.environ["GONGHUI_DATA_DIR"] = data_dir
    else:
        os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
        if not name.startswith("gonghui_bench"):
            sys.exit(f"refusing to use database {name!r}: its name must start with gonghui_bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from gonghui.summary.periods import parse_period

    period = parse_period(args.period)
    if period.end >= dt.date.today():
        sys.exit(f"the period {args.period} has not ended yet: the data is dated up to today")
    if connection.vendor == "postgresql":
        from pgdb import recreate_pg_database

        recreate_pg_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0, interactive=False)
    try:
        counts = Builder(args, period).build()
        results = measure(args, period, counts)
        report(args, period, counts, results)
    finally:
        if data_dir:
            connection.close()
            shutil.rmtree(data_dir, ignore_errors=True)



# --- data ----------------------------------------------------------------------------------------


class Builder:
    """The demo's shapes, --copies times, as model instances with their ids set here (so
    spells, events and records can point at them before anything is written)."""

    def __init__(self, args, period):
        self.args, self.period = args, period
        self.rng = random.Random(args.seed)
        self.today = dt.date.today()
        self.next_id = defaultdict(int)
        self.rows = defaultdict(list)  # model -> instances, in insertion order
        self.orgs = {}  # code -> Org
        self.used_ids = set()

    # helpers

    def new(self, model, **fields):
        self.next_id[model] += 1
        obj = model(id=self.next_id[model], **fields)
        self.rows[model].append(obj)
        return obj

    def between(self, start, end):
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def person(self):
        from gonghui.core.demo import GIVEN, SURNAMES

        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self):
        return "1" + self.rng.choice("35789") + "".join(str(self.rng.randint(0, 9)) for _ in range(9))

    # the tree

    def add_org(self, parent, code, name, short, kind, employees=0, **extra):
        from gonghui.orgs.models import KIND_LEVEL, Org

        self.next_id[Org] += 1
        pk = self.next_id[Org]
        org = Org(id=pk, parent_id=parent.pk if parent else None, path=f"{parent.path if parent else '/'}{pk}/",
                  depth=(parent.depth + 1) if parent else 0, name=name, short_name=short, code=code, kind=kind,
                  level=KIND_LEVEL[kind], employee_count=employees, contact_name=self.person(), contact_phone=self.phone(),
                  **extra)
        self.rows[Org].append(org)
        self.orgs[code] = org
        return org

    def elect(self, org, *, terms, size):
        """As orgs.demo._elect: terms five years apart, the last still running or overdue."""
        from gonghui.core.formats import add_years
        from gonghui.orgs.models import CommitteeOfficer, CommitteeTerm, Position

        rng, year = self.rng, self.today.year
        first = dt.date(year - 5 * terms + rng.randint(1, 3), rng.randint(1, 12), rng.randint(1, 28))
        previous = None
        for i in range(terms):
            elected = first.replace(year=first.year + 5 * i)
            if elected > self.today:
                break
            if previous is not None:
                previous.ends_on = elected - dt.timedelta(days=1)
                for o in self.rows[CommitteeOfficer]:
                    if o.term_id == previous.pk and o.ends_on is None:
                        o.ends_on = previous.ends_on
            term = self.new(CommitteeTerm, org_id=org.pk, number=i + 1, elected_on=elected, starts_on=elected,
                            ends_on=add_years(elected, 5) - dt.timedelta(days=1))
            positions = [Position.CHAIR, Position.VICE_CHAIR]
            if org.has_audit_committee:
                positions.append(Position.AUDIT_CHIEF)
            if org.has_women_committee:
                positions.append(Position.WOMEN_CHIEF)
            positions += [Position.MEMBER] * max(0, size - len(positions))
            for position in positions:
                self.new(CommitteeOfficer, term_id=term.pk, name=self.person(), position=position, starts_on=elected)
            previous = term

    def build_tree(self):
        """The demo district, its six regional unions, and the demo's grassroots unions with
        their branches and groups --copies times (copy 0 keeps the demo's codes)."""
        from gonghui.orgs.demo import DISTRICT, GRASSROOTS, REGIONS
        from gonghui.orgs.models import HomeLevel, Kind

        rng = self.rng
        code, name, short, kind = DISTRICT
        district = self.add_org(None, code, name, short, kind, founded_on=dt.date(1996, 5, 1), has_separate_account=True,
                                has_women_committee=True, has_audit_committee=True, membership_target=85)
        self.elect(district, terms=2, size=9)
        for code, name, short, kind in REGIONS:
            org = self.add_org(district, code, name, short, kind,
                               founded_on=dt.date(rng.randint(2000, 2012), rng.randint(1, 12), 1), has_separate_account=True,
                               has_women_committee=True, has_audit_committee=True)
            self.elect(org, terms=2, size=7)
        homes = [HomeLevel.NONE] * 5 + [HomeLevel.DISTRICT] * 3 + [HomeLevel.CITY, HomeLevel.PROVINCE]
        self.grassroots = []  # (copy, Org)
        for copy in range(self.args.copies):
            suffix, label = ("", "") if copy == 0 else (f"-{copy}", f"（{copy + 1}）")
            for parent_code, code, name, short, kind, employees, branches in GRASSROOTS:
                org = self.add_org(
                    self.orgs[parent_code], code + suffix, name + label, short + label, kind, employees,
                    founded_on=dt.date(rng.randint(1998, 2025), rng.randint(1, 12), rng.randint(1, 28)),
                    has_separate_account=employees > 100, home_level=rng.choice(homes),
                    has_women_committee=employees > 60 or rng.random() < 0.5,
                    has_audit_committee=employees > 80 or rng.random() < 0.6)
                self.grassroots.append((copy, org))
                self.elect(org, terms=rng.choice([1, 2, 2]), size=5 if employees < 200 else 7)
                for i, branch in enumerate(branches, start=1):
                    b = self.add_org(org, f"{org.code}-{i:02d}", f"{org.short_name}{branch}", branch, Kind.BRANCH,
                                     employees // (len(branches) + 1))
                    if i == 1 and employees > 300:
                        for g in range(1, 3):
                            self.add_org(b, f"{b.code}-{g}", f"{b.name}第{g}工会小组", f"第{g}小组", Kind.GROUP)
            closed = self.add_org(self.orgs["BJ-QS"], "QS-099" + suffix, "青石服装加工厂工会（已注销）" + label, "青石服装厂工会",
                                  Kind.ENTERPRISE, founded_on=dt.date(2003, 3, 8), is_active=False,
                                  deactivated_on=self.today - dt.timedelta(days=400), deactivation_reason="企业注销")
            self.grassroots.append((copy, closed))

    # members

    def build_members(self):
        """As members.demo: 70–95 % of each union's employees (at most 190), 60 % of them in
        its branches, joined since 2012; then the demo's retirements, withdrawals,
        reservations and transfers, each with its event and spells."""
        from gonghui.core import crypto
        from gonghui.core.validators import id_check_char, mask_id, mask_phone
        from gonghui.members.choices import Education, EventKind, NewForm, Political, Status
        from gonghui.members.demo import EDU, POLITICAL, REGIONS
        from gonghui.members.models import Member
        from gonghui.members.pinyin import name_keys
        from gonghui.orgs.models import Level, Org

        rng, today = self.rng, self.today
        edu = {label: value for value, label in Education.choices}
        pol = {label: value for value, label in Political.choices}
        new_forms = [v for v, label in NewForm.choices if label in ("快递员", "外卖送餐员", "网约车司机", "货车司机")]
        children = defaultdict(list)
        for org in self.rows[Org]:
            if org.parent_id:
                children[org.parent_id].append(org)
        self.members_by_copy = defaultdict(list)
        targets = [o for _, o in self.grassroots if o.is_active]
        for copy, org in self.grassroots:
            if not org.is_active:
                continue
            branches = [o for o in children[org.pk] if o.level == Level.BRANCH]
            n = min(int(org.employee_count * rng.uniform(0.7, 0.95)), 190)
            joint = org.kind == "joint"
            for i in range(n):
                while True:
                    birth = self.between(dt.date(1966, 1, 1), dt.date(2003, 12, 31))
                    male = rng.random() < (0.62 if org.kind in ("enterprise", "joint") else 0.45)
                    body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randint(0, 99):02d}{rng.choice('13579' if male else '02468')}"
                    number = body + id_check_char(body)
                    if number not in self.used_ids:
                        break
                self.used_ids.add(number)
                adult = dt.date(birth.year + 18, birth.month, 28 if (birth.month, birth.day) == (2, 29) else birth.day)
                joined = self.between(max(adult, dt.date(2012, 1, 1)), today - dt.timedelta(days=3))
                home = rng.choice(branches) if branches and rng.random() < 0.6 else org
                name, phone = self.person(), self.phone()
                pinyin, initials = name_keys(name)
                m = self.new(Member, org_id=home.pk, org_path=home.path, name=name, name_pinyin=pinyin, name_initials=initials,
                             gender="M" if male else "F", birth_date=birth, id_number=number,
                             id_hash=crypto.blind_index(number, purpose="id"), id_masked=mask_id(number), phone=phone,
                             phone_hash=crypto.blind_index(phone, purpose="phone"), phone_masked=mask_phone(phone),
                             education=edu[rng.choice(EDU)], political=pol[rng.choice(POLITICAL)],
                             hukou="rural" if joint or rng.random() < 0.3 else "urban",
                             is_migrant_worker=joint and rng.random() < 0.7 or rng.random() < 0.08,
                             new_form=rng.choice(new_forms) if joint and rng.random() < 0.5 else "",
                             joined_on=joined, card_no=f"{org.code}-{i + 1:04d}", status=Status.ACTIVE)
                m.left_on = None  # the day it stopped counting for benefits
                self._event(m, EventKind.JOIN, joined, home)
                self._open_spell(m, home, Status.ACTIVE, joined)
                self.members_by_copy[copy].append(m)
        for members in self.members_by_copy.values():
            members = list(members)
            rng.shuffle(members)
            for m in sorted(members[:400], key=lambda m: m.birth_date)[:40]:
                self._status(m, EventKind.RETIRE, Status.RETIRED, self.between(max(m.joined_on, dt.date(2023, 1, 1)), today))
                m.employment = "retired"
            for m in members[400:425]:
                self._status(m, EventKind.WITHDRAW, Status.WITHDRAWN, self.between(m.joined_on, today), note="本人申请")
            for m in members[425:440]:
                self._status(m, EventKind.RESERVE, Status.RESERVED, self.between(m.joined_on, today), note="离岗待业，保留会籍")
            for m in members[440:480]:
                to = rng.choice([o for o in targets if o.pk != m.org_id])
                self._transfer(m, to, self.between(m.joined_on, today))

    def _org(self, pk):
        return self._orgs_by_id[pk]

    def _event(self, m, kind, on, org, other=None, note=""):
        from gonghui.members.models import MembershipEvent

        self.new(MembershipEvent, member_id=m.pk, kind=kind, on=on, org_id=org.pk, org_path=org.path,
                 other_org_id=other.pk if other else None, note=note)

    def _open_spell(self, m, org, status, on):
        from gonghui.members.models import MemberSpell

        m.open_spell = self.new(MemberSpell, member_id=m.pk, org_id=org.pk, org_path=org.path, status=status, starts_on=on)

    def _status(self, m, kind, status, on, note=""):
        m.open_spell.ends_on = on
        org = self._org(m.org_id)
        self._open_spell(m, org, status, on)
        self._event(m, kind, on, org, note=note)
        m.status = status
        if status not in ("active", "reserved"):
            m.left_on = on

    def _transfer(self, m, to, on):
        from gonghui.members.choices import EventKind

        m.open_spell.ends_on = on
        self._open_spell(m, to, m.status, on)
        old = self._org(m.org_id)
        self._event(m, EventKind.TRANSFER_OUT, on, old, other=to, note="工作调动")
        self._event(m, EventKind.TRANSFER_IN, on, to, other=old, note="工作调动")
        m.org_id, m.org_path = to.pk, to.path

    # hardship

    def build_assistance(self):
        """As assistance.demo, with --households archives per copy applied since 2023: each
        goes 申请 → 审核 → 类别 → 建档 → 帮扶 on its day (one in nine stays at 申请, one at
        审核), a sixth close later and half of those return. Records: a 送温暖 batch per
        grassroots union every 20 January (500 元 and 米面油), 金秋助学 on 25 August, a 中秋
        visit, sick visits, medical and temporary relief, and two reversals per copy."""
        from gonghui.assistance.choices import MANAGED, Cause, Status, Step, Tier
        from gonghui.assistance.demo import HEALTH
        from gonghui.assistance.models import AssistanceBatch, AssistanceRecord, Household, HouseholdSpell

        rng, today = self.rng, self.today
        causes_all = [c.value for c in Cause if c != Cause.OTHER]
        years = range(HISTORY_FROM.year, today.year + 1)
        for copy, members in self.members_by_copy.items():
            heads = [m for m in members if m.status == "active"]
            rng.shuffle(heads)
            households = []
            for i, head in enumerate(heads[: self.args.households]):
                applied = self.between(max(HISTORY_FROM, head.joined_on), today - dt.timedelta(days=20))
                org = self._org(head.org_id)
                causes = rng.sample(causes_all, k=rng.randint(1, 2))
                size = rng.randint(2, 5)
                tier = Tier.ACCIDENT if {"accident", "disaster"} & set(causes) else rng.choice([Tier.DEEP, Tier.RELATIVE, Tier.RELATIVE])
                h = self.new(Household, org_id=org.pk, org_path=org.path, head_id=head.pk, causes="," + ",".join(causes) + ",",
                             housing=rng.choice(["own", "rent", "public"]), hukou=rng.choice(["urban", "rural"]),
                             insurance=rng.choice(["employee", "resident"]), zero_employment=rng.random() < 0.2,
                             single_parent="single_parent" in causes, size=size,
                             annual_income=str(rng.choice([0.7, 1.4, 3]) * 1185 * 12 * size),
                             rigid_expenses=str(rng.randint(3, 20) * 1000), health=rng.choice(HEALTH), suggested_tier=tier,
                             region_code="330100", status=Status.APPLIED, applied_on=applied)
                h.history = []  # (starts_on, status)
                h.open_spell = None

                def move(h, step, status, tier, on, note=""):
                    if h.open_spell is not None:
                        h.open_spell.ends_on = on
                    h.open_spell = self.new(HouseholdSpell, household_id=h.pk, org_id=h.org_id, org_path=h.org_path,
                                            status=status, tier=tier, step=step, starts_on=on, note=note)
                    h.history.append((on, status))
                    h.status = status

                move(h, Step.APPLY, Status.APPLIED, "", applied)
                if i % 9 == 8:
                    continue
                move(h, Step.REVIEW, Status.REVIEWING, "", applied)
                if i % 9 == 7:
                    continue
                h.tier = tier
                move(h, Step.TIER, Status.REVIEWING, tier, applied)
                move(h, Step.FILE, Status.FILED, tier, applied)
                h.filed_on = h.last_verified_on = applied
                move(h, Step.ASSIST, Status.ASSISTING, tier, applied)
                households.append(h)
                if i % 6 == 0 and applied < today - dt.timedelta(days=200):
                    closed = self.between(applied + dt.timedelta(days=90), today - dt.timedelta(days=60))
                    move(h, Step.CLOSE, Status.CLOSED, tier, closed, "子女就业，家庭收入提高")
                    h.closed_on, h.close_reason = closed, "子女就业，家庭收入提高"
                    if i % 12 == 0:
                        back = self.between(closed + dt.timedelta(days=1), today)
                        move(h, Step.RETURN, Status.ASSISTING, tier, back, "再次患病住院")
                        h.closed_on, h.close_reason, h.last_verified_on = None, "", back

            def managed_on(h, day):
                state = None
                for on, status in h.history:
                    if on <= day:
                        state = status
                return state in MANAGED

            def record(h, on, occasion, cash, goods=(), funding="own", batch=None, handled_by="工会干事"):
                goods = [{"item": item, "quantity": "1", "unit": unit, "value": f"{value:.2f}"} for item, unit, value in goods]
                signed = on < today - dt.timedelta(days=60) and rng.random() < 0.9
                return self.new(AssistanceRecord, org_id=h.org_id, org_path=h.org_path, on=on, occasion=occasion, household_id=h.pk,
                                member_id=h.head_id, cash=Decimal(cash), goods=goods,
                                goods_value=sum((Decimal(g["value"]) for g in goods), Decimal(0)), funding=funding,
                                handled_by=handled_by, signed=signed, signed_on=on + dt.timedelta(days=7) if signed else None,
                                batch_id=batch.pk if batch else None)

            unions = [o for c, o in self.grassroots if c == copy and o.is_active]
            for year in years:
                day = dt.date(year, 1, 20)
                if day <= today:
                    for org in unions:
                        homes = [h for h in households if h.org_path.startswith(org.path) and managed_on(h, day)]
                        if homes:
                            batch = self.new(AssistanceBatch, org_id=org.pk, org_path=org.path, title=f"{year}年元旦春节送温暖",
                                             on=day, occasion="new_year")
                            funding = rng.choice(["own", "upper"])
                            for h in homes:
                                record(h, day, "new_year", 500, [("米面油", "份", 150)], funding, batch)
                autumn = dt.date(year, 8, 25)
                if autumn <= today:
                    for h in households:
                        if ",schooling," in h.causes and managed_on(h, autumn):
                            record(h, autumn, "school", 2000, funding="donation")
                moon = dt.date(year, 9, 10)
                if moon <= today:
                    for h in households:
                        if managed_on(h, moon) and rng.random() < 0.6:
                            record(h, moon + dt.timedelta(days=rng.randint(0, 10)), "festival", 300, [("月饼", "盒", 80)])
            for h in households:
                filed = h.filed_on
                if ",illness," in h.causes:
                    for _ in range(rng.randint(1, 2)):
                        record(h, self.between(filed, today), "sick", 300, [("水果牛奶", "份", 100)], handled_by="工会主席")
                    if rng.random() < 0.5:
                        record(h, self.between(filed, today), "medical", rng.choice([2000, 3000, 5000]), funding="upper")
                if {"accident", "disaster"} & set(h.causes.strip(",").split(",")) or rng.random() < 0.15:
                    record(h, self.between(filed, today), "temporary", rng.choice([1000, 1500]),
                           [("大米", "袋", 60), ("食用油", "桶", 80)])
            ours = {h.pk for h in households}
            mine = [r for r in self.rows[AssistanceRecord] if r.household_id in ours]
            for original in rng.sample(mine, k=min(2, len(mine))):
                self.new(AssistanceRecord, org_id=original.org_id, org_path=original.org_path, on=original.on,
                         occasion=original.occasion, household_id=original.household_id, member_id=original.member_id,
                         cash=-original.cash, goods=[{**g, "value": str(-Decimal(g["value"]))} for g in original.goods],
                         goods_value=-original.goods_value, funding=original.funding, note="冲销：金额录入有误",
                         batch_id=original.batch_id, reversal_of_id=original.pk)

    # benefits

    def build_benefits(self):
        """As benefits.demo, for the period's year and the one before: 春节 and 中秋 goods
        for every member in good standing, 三八 for women, a birthday cake each month, 住院
        visits, 退休 gifts, one documented override and one correction a year per copy."""
        from gonghui.benefits.models import BenefitBatch, BenefitRecord, Festival, Form, Kind
        from gonghui.benefits.services import illness_index
        from gonghui.core import crypto

        rng = self.rng
        illnesses = ["阑尾炎手术", "腰椎间盘突出", "肺炎", "骨折", "胆结石手术"]
        years = range(self.period.end.year - BENEFIT_YEARS_BACK + 1, self.period.end.year + 1)
        index = {text: illness_index(text) for text in illnesses + ["恶性肿瘤手术"]}
        sealed = {text: crypto.encrypt(text) for text in index}  # one ciphertext per illness keeps the build quick

        def standing(m, day):
            return m.joined_on <= day and (m.left_on is None or day < m.left_on)

        def give(m, kind, on, form, amount, goods, batch=None, festival="", illness="", override=""):
            return self.new(BenefitRecord, member_id=m.pk, org_id=m.org_id, org_path=m.org_path, kind=kind, festival=festival,
                            on=on, form=form, amount=Decimal(amount), goods=goods, illness=sealed[illness] if illness else "",
                            illness_index=index[illness] if illness else "", batch_id=batch.pk if batch else None,
                            violations=["每次上限"] if override else [], override_reason=override)

        for members in self.members_by_copy.values():
            by_union = defaultdict(list)
            for m in members:
                by_union[self._grassroots_of[m.org_id]].append(m)
            for year in years:
                plans = [(f"{year}年春节慰问", Kind.FESTIVAL, Festival.SPRING, dt.date(year, 1, 20), 500, "大米、食用油", None),
                         (f"{year}年三八节女职工慰问", Kind.WOMENS_DAY, "", dt.date(year, 3, 8), 200, "鲜花、护手霜", "F"),
                         (f"{year}年中秋节慰问", Kind.FESTIVAL, Festival.MID_AUTUMN, dt.date(year, 9, 25), 400, "月饼、水果", None)]
                plans += [(f"{year}年{month}月生日慰问", Kind.BIRTHDAY, "", dt.date(year, month, 1), 200, "生日蛋糕券", month)
                          for month in range(1, 13)]
                for union, people in by_union.items():
                    for title, kind, festival, on, amount, goods, who in plans:
                        chosen = [m for m in people if standing(m, on) and m.pays_dues
                                  and (who is None or (who == "F" and m.gender == "F") or (isinstance(who, int) and m.birth_date.month == who))]
                        if not chosen:
                            continue
                        batch = self.new(BenefitBatch, org_id=union.pk, org_path=union.path, title=title, kind=kind,
                                         festival=festival, on=on, form=Form.GOODS, amount=Decimal(amount), goods=goods,
                                         selection="全体会员")
                        for m in chosen:
                            give(m, kind, on, Form.GOODS, amount, goods, batch, festival)
                pool = [m for m in members if standing(m, dt.date(year, 12, 31)) or (m.left_on and m.left_on.year >= year)]
                rng.shuffle(pool)
                end = min(dt.date(year, 12, 31), self.today)
                for m in pool[:12]:
                    on = self.between(max(m.joined_on, dt.date(year, 1, 1)), end)
                    give(m, Kind.HOSPITAL, on, Form.CASH, rng.choice([500, 800, 1000]), "住院慰问金", illness=rng.choice(illnesses))
                m = pool[20]
                give(m, Kind.HOSPITAL, self.between(max(m.joined_on, dt.date(year, 1, 1)), end), Form.CASH, 3000, "住院慰问金",
                     illness="恶性肿瘤手术", override=f"患重大疾病，经工会委员会会议研究同意超标准慰问（会议纪要〔{year}〕3号）")
                wrong = give(pool[21], Kind.HOSPITAL, self.between(max(pool[21].joined_on, dt.date(year, 1, 1)), end), Form.CASH,
                             800, "住院慰问金", illness="肺炎")
                wrong.is_reversed = True
                mirror = give(pool[21], Kind.HOSPITAL, wrong.on, Form.CASH, -800, "住院慰问金", illness="肺炎")
                mirror.reversal_of_id, mirror.note = wrong.pk, "冲销：金额录入有误"
                give(pool[21], Kind.HOSPITAL, wrong.on, Form.CASH, 600, "住院慰问金", illness="肺炎")
                for m in members:
                    if m.status == "retired" and m.left_on and m.left_on.year == year:
                        give(m, Kind.RETIREMENT, m.left_on, Form.GOODS, 1000, "退休纪念品")

    # donations

    def build_donations(self):
        """As donations.demo, each year since 2023 and in each copy: a relief drive at the
        community union LJ-002 (twenty members, just under 1,000 元) and a 金秋助学 drive at
        WH-001 (twelve members, a company, one donation reversed and recorded again)."""
        from gonghui.donations.models import Donation, DonorKind, Drive, DriveStatus, Method

        rng = self.rng
        for copy in range(self.args.copies):
            suffix = "" if copy == 0 else f"-{copy}"
            relief_org, grants_org = self.orgs["LJ-002" + suffix], self.orgs["WH-001" + suffix]
            for year in range(HISTORY_FROM.year, self.today.year + 1):
                start = dt.date(year, 7, 10)
                if start + dt.timedelta(days=30) > self.today:
                    continue
                relief = self.new(Drive, org_id=relief_org.pk, org_path=relief_org.path, name=f"{year}年抗洪救灾爱心捐款",
                                  purpose="为受灾群众捐款，支援抗洪救灾和灾后重建", starts_on=start, ends_on=start + dt.timedelta(days=14),
                                  status=DriveStatus.CLOSED, notes="款项经区总工会统一转交灾区")
                donors = [m for m in self.members_by_copy[copy] if m.org_id == relief_org.pk and m.joined_on <= start][:20]
                amounts = [Decimal(rng.choice([20, 30, 50, 50, 50, 100])) for _ in donors]
                while sum(amounts) > Decimal(990) and max(amounts) > 20:
                    amounts[amounts.index(max(amounts))] -= 10
                for m, amount in zip(donors, amounts, strict=True):
                    self.new(Donation, drive_id=relief.pk, org_path=relief.org_path, kind=DonorKind.MEMBER, member_id=m.pk, name=m.name,
                             amount=amount, on=start + dt.timedelta(days=3), method=Method.CASH)
                g_start = dt.date(year, 8, 20)
                autumn = self.new(Drive, org_id=grants_org.pk, org_path=grants_org.path, name=f"{year}年金秋助学爱心捐款",
                                  purpose="资助困难职工子女上学", starts_on=g_start, ends_on=g_start + dt.timedelta(days=40),
                                  status=DriveStatus.CLOSED)
                givers = [m for m in self.members_by_copy[copy]
                          if m.org_path.startswith(grants_org.path) and m.joined_on <= g_start][:12]
                created = [self.new(Donation, drive_id=autumn.pk, org_path=autumn.org_path, kind=DonorKind.MEMBER, member_id=m.pk,
                                    name=m.name, amount=Decimal(rng.choice([100, 200, 200, 300, 500])), on=g_start + dt.timedelta(days=2),
                                    method=Method.TRANSFER) for m in givers]
                self.new(Donation, drive_id=autumn.pk, org_path=autumn.org_path, kind=DonorKind.UNIT, name="望湖物业服务有限公司",
                         amount=Decimal(5000), on=g_start + dt.timedelta(days=5), method=Method.TRANSFER, note="企业捐助")
                if created:
                    wrong = created[0]
                    self.new(Donation, drive_id=autumn.pk, org_path=autumn.org_path, kind=wrong.kind, member_id=wrong.member_id,
                             name=wrong.name, amount=-wrong.amount, on=wrong.on, method=wrong.method, note="冲正：金额登记错误",
                             reversal_of_id=wrong.pk)
                    self.new(Donation, drive_id=autumn.pk, org_path=autumn.org_path, kind=wrong.kind, member_id=wrong.member_id,
                             name=wrong.name, amount=wrong.amount + 100, on=wrong.on, method=wrong.method, note="更正后重新登记")

    # writing

    def build(self):
        from django.core.management.color import no_style
        from django.db import connection, transaction

        from gonghui.assistance.models import AssistanceRecord, Household
        from gonghui.benefits.models import BenefitRecord
        from gonghui.donations.models import Donation
        from gonghui.members.models import Member
        from gonghui.orgs.models import Level, Org

        started = time.perf_counter()
        self.build_tree()
        self._orgs_by_id = {o.pk: o for o in self.rows[Org]}
        self._grassroots_of = {}
        for o in self.rows[Org]:
            if o.level >= Level.GRASSROOTS:
                ids = [int(p) for p in o.path.strip("/").split("/")]
                self._grassroots_of[o.pk] = next(self._orgs_by_id[i] for i in ids if self._orgs_by_id[i].level == Level.GRASSROOTS)
        self.build_members()
        self.build_assistance()
        self.build_benefits()
        self.build_donations()
        made = time.perf_counter()
        with transaction.atomic():
            for model, objs in self.rows.items():
                model.objects.bulk_create(objs, batch_size=2000)
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    for sql in connection.ops.sequence_reset_sql(no_style(), list(self.rows)):
                        cur.execute(sql)
        if connection.vendor == "postgresql" or self.args.analyze:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        written = time.perf_counter()
        return {
            "unions": len(self.rows[Org]),
            "members": len(self.rows[Member]),
            "assistance": len(self.rows[AssistanceRecord]),
            "households": len(self.rows[Household]),
            "benefits": len(self.rows[BenefitRecord]),
            "donations": len(self.rows[Donation]),
            "rows": sum(len(v) for v in self.rows.values()),
            "make_s": made - started,
            "write_s": written - made,
        }


# --- timing --------------------------------------------------------------------------------------


def _scope(org, period, subtree):
    """Members in good standing at the period's end and assistance records in the period."""
    from django.db.models import Q

    from gonghui.assistance.models import AssistanceRecord
    from gonghui.members.choices import GOOD_STANDING
    from gonghui.members.models import MemberSpell

    path = {"org_path__startswith": org.path} if subtree else {"org_path": org.path}
    members = MemberSpell.objects.filter(**path, status__in=GOOD_STANDING, starts_on__lte=period.end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=period.end)).count()
    records = AssistanceRecord.objects.filter(**path, on__gte=period.start, on__lte=period.end).count()
    return members, records


def _steps(actor, org, period, subtree):
    from gonghui.summary.assemble import accept_all, generate
    from gonghui.summary.docx import docx_bytes

    t0 = time.perf_counter()
    generated = generate(actor=actor, org=org, period=period, subtree=subtree)
    t1 = time.perf_counter()
    data = docx_bytes(accept_all(generated.document))
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000, data


def _queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def time_case(label, actor, org, period, subtree, repeat, goal=None):
    members, records = _scope(org, period, subtree)
    _steps(actor, org, period, subtree)  # warm-up: imports, templates, URL resolver
    queries = _queries(lambda: _steps(actor, org, period, subtree))
    gen, doc, total = [], [], []
    for _ in range(repeat):
        g, d, data = _steps(actor, org, period, subtree)
        gen.append(g)
        doc.append(d)
        total.append(g + d)
    row = {"label": label, "org": org, "subtree": subtree, "members": members, "records": records,
           "median": statistics.median(total), "max": max(total), "generate": statistics.median(gen),
           "docx": statistics.median(doc), "queries": queries, "goal": goal, "bytes": len(data)}
    print(f"  {label:<52}{row['median']:>9.1f} ms  ({queries} queries)", flush=True)
    return row


def time_cli(label, org, period_code, subtree, members, records, goal=None):
    from django.core.management import call_command

    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-summary-"))
    out = workdir / "summary.docx"
    result = {}

    def run():
        t = time.perf_counter()
        call_command("summary", org=org.code, period=period_code, subtree=subtree, out=str(out), stdout=io.StringIO())
        result["ms"] = (time.perf_counter() - t) * 1000

    queries = _queries(run)  # once (the command line runs once per process); counted as it runs
    size = out.stat().st_size
    shutil.rmtree(workdir, ignore_errors=True)
    row = {"label": label, "org": org, "subtree": subtree, "members": members, "records": records, "median": result["ms"],
           "max": result["ms"], "generate": None, "docx": None, "queries": queries, "goal": goal, "bytes": size}
    print(f"  {label:<52}{row['median']:>9.1f} ms  ({queries} queries, one run)", flush=True)
    return row


def breakdown(actor, org, period, subtree, repeat):
    """Median ms and queries of each contributor's parts, each on a fresh context (so each
    pays for the context's cached children and last-year context it uses)."""
    from gonghui.summary import registry
    from gonghui.summary.context import SummaryContext

    rows = []
    for c in registry.contributors():
        for part in ("collect", "headline", "suggest"):
            fn = getattr(c, part)
            if fn is None:
                continue

            def call(fn=fn):
                fn(SummaryContext(actor=actor, org=org, period=period, subtree=subtree))

            call()
            queries = _queries(call)
            samples = []
            for _ in range(repeat):
                t = time.perf_counter()
                call()
                samples.append((time.perf_counter() - t) * 1000)
            rows.append((f"{c.key}.{part}", statistics.median(samples), queries))
    return rows


def profile(actor, org, period, subtree):
    """The slowest SQL statements and the top of a cProfile of one run."""
    from django.db import connection

    log = []

    def timer(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append(((time.perf_counter() - t) * 1000, sql))

    prof = cProfile.Profile()
    t = time.perf_counter()
    with connection.execute_wrapper(timer):
        prof.enable()
        _steps(actor, org, period, subtree)
        prof.disable()
    wall = (time.perf_counter() - t) * 1000
    sql_ms = sum(ms for ms, _ in log)
    lines = [f"one profiled run {wall:.0f} ms (slower under the profiler); {len(log)} queries take {sql_ms:.0f} ms of it"]
    lines.append("slowest statements:")
    for ms, sql in sorted(log, key=lambda r: -r[0])[:6]:
        lines.append(f"  {ms:8.1f} ms  {sql[:260]}{'…' if len(sql) > 260 else ''}")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(r"gonghui/", 18)
    keep = [ln for ln in buf.getvalue().splitlines() if ln.strip() and ("gonghui/" in ln or "ncalls" in ln)]
    lines.append("cProfile, cumulative, gonghui functions:")
    lines += ["  " + ln for ln in keep]
    return "\n".join(lines)


def measure(args, period, counts):
    from gonghui.access.actor import Actor
    from gonghui.orgs.models import Org

    actor = Actor.system()
    union = Org.objects.get(code=args.union)
    district = Org.objects.get(code="BJ")
    street = Org.objects.get(code="BJ-WH")
    repeat = args.repeat
    print(f"\ntiming (median of {repeat} after a warm-up):", flush=True)
    cases = [
        time_case(f"1. grassroots {union.code}, {period.code}, own records", actor, union, period, False, repeat, GOALS_MS["grassroots"]),
        time_case(f"   grassroots {union.code}, {period.code}, with branches", actor, union, period, True, repeat),
        time_case(f"   street {street.code}, {period.code}, subtree", actor, street, period, True, repeat),
        time_case(f"2. district {district.code}, {period.code}, subtree", actor, district, period, True, repeat, GOALS_MS["district"]),
    ]
    cases.insert(1, time_cli(f"   call_command summary --org {union.code}", union, args.period, False, cases[0]["members"],
                             cases[0]["records"], GOALS_MS["grassroots"]))
    cases.append(time_cli(f"   call_command summary --org {district.code} --subtree", district, args.period, True,
                          cases[-1]["members"], cases[-1]["records"], GOALS_MS["district"]))
    details = {}
    for case in cases:
        if case["generate"] is None or (case["goal"] is None and not args.profile):
            continue
        details[case["label"]] = {"breakdown": breakdown(actor, case["org"], period, case["subtree"], repeat)}
        if args.profile or case["median"] > 0.3 * case["goal"]:
            details[case["label"]]["profile"] = profile(actor, case["org"], period, case["subtree"])
    return {"cases": cases, "details": details}


# --- report ----------------------------------------------------------------------------------------


def report(args, period, counts, results):
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            version = "PostgreSQL " + cur.fetchone()[0].split()[0]
    else:
        import sqlite3

        version = "SQLite " + sqlite3.sqlite_version
    print(f"\ngonghui work-summary benchmark on {version}, period {period.code} (同比 {period.year_earlier().code}), "
          f"median and max of {args.repeat} runs")
    print(f"data: demo district ×{args.copies}: {counts['unions']:,} unions, {counts['members']:,} members, "
          f"{counts['households']:,} hardship archives, {counts['assistance']:,} assistance records, "
          f"{counts['benefits']:,} benefit records, {counts['donations']:,} donations "
          f"({counts['rows']:,} rows; made in {counts['make_s']:.1f} s, written in {counts['write_s']:.1f} s)")
    head = f"{'case':<50}{'members':>9}{'records':>9}{'median ms':>11}{'max ms':>9}{'generate':>10}{'docx':>7}{'queries':>9}{'goal ms':>9}"
    print("\n" + head + "  verdict\n" + "-" * (len(head) + 9))
    for c in results["cases"]:
        goal = f"{c['goal']:,}" if c["goal"] else ""
        verdict = "" if not c["goal"] else ("ok" if c["median"] <= c["goal"] else "MISS")
        share = f" ({c['median'] / c['goal']:.0%} of goal)" if c["goal"] else ""
        gen = f"{c['generate']:.0f}" if c["generate"] is not None else "—"
        doc = f"{c['docx']:.0f}" if c["docx"] is not None else "—"
        print(f"{c['label']:<50}{c['members']:>9,}{c['records']:>9,}{c['median']:>11.1f}{c['max']:>9.1f}{gen:>10}{doc:>7}"
              f"{c['queries']:>9}{goal:>9}  {verdict}{share}")
    print("(members: in good standing at the period's end in scope; records: assistance records in the period in scope;"
          " call_command rows are one run each)")
    for label, detail in results["details"].items():
        print(f"\n{label.strip()}: each contributor part on its own context")
        for name, ms, queries in detail["breakdown"]:
            print(f"  {name:<28}{ms:>9.1f} ms{queries:>6} queries")
        if "profile" in detail:
            print(detail["profile"])


if __name__ == "__main__":
    main()

"""Member roster at provincial scale: gonghui vs django-import-export and the Django admin.

Three parts in one run, all in-process (server time, no network), in a throwaway
PostgreSQL database (`gonghui_bench_members`, dropped and re-created at the start):

1. Import. A 100,000-row roster .xlsx with valid, distinct resident IDs (generation not
   timed) imported end to end by `members_import` (parse, validate, encrypt, COPY, events,
   spells, audit) into a grassroots union and its branches. Peer: django-import-export's
   default `resource.import_data(dataset, dry_run=False)` of a slice of the same file
   (a tablib Dataset loaded from the .xlsx) into the same table, in the same run.
2. Roster list on 1,000,000 members over ~2,000 unions (loaded with COPY, ANALYZEd):
   the list page `/members/` (filtered by district subtree and status; page 1, a deep page
   90% through, a pinyin search and a name search) for a chair at the province root, and
   the selector + keyset page underneath it. Peer: the Django admin changelist of the
   same table (page 1, a deep page, the same filter as query-string lookups, and search
   on a second admin site that sets search_fields, the default one having none).
3. Subtree member count for a district with 100,000 members: `count_as_of` (spells) and
   a plain count on the member table.

    .venv/bin/pip install -e '.[bench]'          # django-import-export (benchmark only)
    .venv/bin/python bench/members_scale.py
    .venv/bin/python bench/members_scale.py --parts 1            # the import only (the database is still re-created)
    .venv/bin/python bench/members_scale.py --reuse --parts 23   # re-time 2 and 3 on the kept database
    .venv/bin/python bench/members_scale.py --before             # org_path indexes as before members migration 0003

Prints a table of median milliseconds, rates, goals and the ratios; for every figure over
its goal, the EXPLAIN ANALYZE of its slowest query; and where the import spent its time
(ImportPhases: each step of members_import timed in place; indented lines are part of the
line above). PostgreSQL only (COPY).

The import's figures, on this benchmark's two-core machine (same data, peer in the same
run): 19.8 s and 12.5x the peer (405 rows/s) before issue 3's last round, 11.7 s and 22.5x
(peer 379 rows/s) after it, 12.0 s and 19.6x (peer 423 rows/s) when re-run at the start of the
next round, and 7.4 s and 32.6x (peer 415 rows/s) after that round. Issue 10 moved the reading into a child process with
memory and time limits, which checks the file before calamine builds the grid and sends the
rows back (exchange/sheet_read.py): 9.0 s and 26.0x (peer 429 rows/s), the read step 1.4 s -> 2.7 s
(checks 0.7 s, transfer of the rows 0.5 s). The import is timed twice:
as the benchmark's role (a superuser, so foreign keys are checked once per referenced union,
core.db.set_wise_references) and as a role without that grant (per-row checks).

What the rounds changed. First: the platform lookups take one parameter instead of
5,000-item IN lists; the member ids come from the sequence without a per-row
pg_get_serial_sequence(); the .xlsx formula scan runs in a thread beside calamine; faster
blind indexes, ID check characters, ISO dates and coded cells; the garbage collector paused;
members migrations 0004/0005 drop indexes that no query reads. Second: the file goes through
in 10,000-row chunks, and a worker thread sharing the connection matches and COPYs one chunk
while the import's thread checks the next and builds its rows (encryption, pinyin), so the
server's inserts overlap Python's checks (12.0 -> 10.6 s; with the rows built before they
are handed over, 10.2 s); the GIL switch interval is 0.5 ms meanwhile (at 5 ms: 10.9 s);
the lookups split one string on the server instead of binding an array (10,000 hashes:
30 ms instead of 60 ms); and the foreign keys are checked set-wise where the role may
(10.2 -> 7.9 s), per statement inside the overlap otherwise.

Where the 5 s goal stands: PostgreSQL alone, COPYing the finished rows from a file with no
Python at all, needs 4.2 s for the three tables with their indexes (6.2 s with per-row
foreign-key checks); reading the .xlsx (calamine) takes 1.4 s before the first row can go;
and Python's checking and building, 4-5 s, shares one interpreter lock. On two cores the
sum of CPU work (about 13 s) puts the floor near 6.5 s; 7.4 s is measured. Measured and left
out: binary COPY (only the client's CPU shrinks, and it overlaps), one COPY statement per
table, 5,000-row chunks (8.6 s: twice the lookups), a first chunk of 2,000 rows so the
server starts sooner (7.7 s, within noise), per-row checks at COMMIT rather than per
statement (the same 6.2 s of server time either way).
"""

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gonghui_bench_members"
IMPORT_TARGET = "P-00-1-0-0"  # the grassroots union the roster is imported into (4 branches)
BIG_DISTRICT = "P-00-0"  # the district that holds exactly --big members

# Surnames with rough frequencies (percent of the population) and given-name characters.
SURNAMES = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.4, "陈": 4.5, "杨": 3.1, "黄": 2.2, "赵": 2.2, "吴": 2.0, "周": 1.9,
    "徐": 1.3, "孙": 1.2, "马": 1.2, "朱": 1.1, "胡": 1.0, "郭": 1.0, "何": 0.9, "林": 0.9, "高": 0.9, "罗": 0.8,
    "郑": 0.8, "梁": 0.7, "谢": 0.6, "宋": 0.6, "唐": 0.6, "许": 0.5, "韩": 0.5, "冯": 0.5, "邓": 0.5, "曹": 0.5,
    "彭": 0.4, "曾": 0.4, "肖": 0.4, "田": 0.4, "董": 0.4, "袁": 0.4, "潘": 0.4, "于": 0.4, "蒋": 0.4, "蔡": 0.3,
    "余": 0.3, "杜": 0.3, "叶": 0.3, "程": 0.3, "苏": 0.3, "魏": 0.3, "吕": 0.3, "丁": 0.3, "任": 0.3, "沈": 0.3,
    "姚": 0.3, "卢": 0.3, "姜": 0.3, "崔": 0.2, "钟": 0.2, "谭": 0.2, "陆": 0.2, "汪": 0.2, "范": 0.2, "金": 0.2,
    "石": 0.2, "廖": 0.2, "贾": 0.2, "夏": 0.2, "韦": 0.2, "付": 0.2, "方": 0.2, "白": 0.2, "邹": 0.2, "孟": 0.2,
    "欧阳": 0.05, "司马": 0.02,
}
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红建华文辉力志国荣东海波宁雪梅琳颖晨浩宇轩"
    "子涵欣怡梓萱俊杰佳琪思远鹏飞晓燕淑珍凤兰丹丹春生永福德胜金山秋菊小龙云飞海燕立新卫东建国"
)
REGIONS = ["340102", "340103", "340104", "340111", "340121", "340122", "340123", "340124", "340181", "340202",
           "340203", "340207", "340302", "340303", "340402", "340403", "340502", "340503", "340602", "340603",
           "320102", "320104", "330102", "330106", "110105", "310104", "440106", "510104"]
EDUCATION = [("本科", 30), ("大专", 25), ("高中/中专/技校", 25), ("初中", 12), ("硕士研究生", 6), ("小学及以下", 1.5), ("博士研究生", 0.5)]
POLITICAL = [("群众", 70), ("中共党员", 20), ("共青团员", 8), ("中共预备党员", 1), ("民主党派", 1)]
ETHNIC = [("汉族", 94), ("回族", 2), ("满族", 1.5), ("壮族", 1), ("蒙古族", 0.5), ("苗族", 0.5), ("土家族", 0.5)]
NEW_FORM = [("否", 90), ("快递员", 3), ("外卖送餐员", 3), ("网约车司机", 2), ("货车司机", 1), ("保安员", 1)]
EMPLOYMENT = [("在岗", 92), ("灵活就业", 6), ("下岗", 1), ("失业", 1)]
POSITIONS = ["", "", "", "", "", "职工", "班组长", "技术员", "工程师", "车间主任", "会计", "司机"]
# Member statuses across the loaded table: (status, weight, event that led to it).
STATUSES = [("active", 85, None), ("reserved", 3, "reserve"), ("retired", 7, "retire"),
            ("withdrawn", 4, "withdraw"), ("deceased", 1, "death")]

GOALS_MS = {"list": 50, "search": 100, "count": 50}
IMPORT_GOAL_S = 5.0
IMPORT_RATIO_GOAL = 20


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--database-url", default=DEFAULT_DB, help="PostgreSQL URL; its database is dropped and re-created")
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--rows", type=int, default=100_000, help="rows in the imported roster")
    p.add_argument("--peer-rows", type=int, default=10_000, help="rows django-import-export imports (a slice)")
    p.add_argument("--members", type=int, default=1_000_000, help="members loaded for the list and counts")
    p.add_argument("--big", type=int, default=100_000, help="members in the district used for filters and counts")
    p.add_argument("--parts", default="123", help="which parts to run, e.g. 23")
    p.add_argument("--reuse", action="store_true", help="keep the database of a previous run (parts 2 and 3 only)")
    p.add_argument("--explain", action="store_true", help="print the plan of every timed query, not only misses")
    p.add_argument("--before", action="store_true",
                   help="org_path indexes as before members migration 0003 (plain ones only), to time that state")
    p.add_argument("--no-phases", action="store_true", help="time the import without the per-step breakdown")
    p.add_argument("--seed", type=int, default=20251031)
    return p.parse_args()


def main():
    args = parse()
    name = args.database_url.rsplit("/", 1)[-1]
    if not name.startswith("gonghui_bench"):
        sys.exit(f"refusing to use database {name!r}: its name must start with gonghui_bench")
    if args.reuse and "1" in args.parts:
        sys.exit("--reuse keeps the loaded roster; part 1 would empty it (use --parts 23)")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    # A fixed throwaway key, so that a --reuse run can still open the ciphertexts it loaded.
    os.environ["GONGHUI_FIELD_KEY"] = "gonghui-bench-members-throwaway-key"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("members_scale needs PostgreSQL (COPY)")
    rng = random.Random(args.seed)
    results, notes = Results(), []
    if not args.reuse:
        from pgdb import recreate_pg_database

        recreate_pg_database(settings.DATABASES["default"])
        call_command("migrate", verbosity=0, interactive=False)
        tree = build_tree()
    else:
        call_command("migrate", verbosity=0, interactive=False)
        tree = load_tree()
    notes.append(prefix_indexes(drop=args.before))
    with connection.cursor() as cur:
        cur.execute("SELECT current_user, has_parameter_privilege('session_replication_role', 'SET')")
        user, granted = cur.fetchone()
    notes.append(f"database role {user}: may set session_replication_role: {'yes' if granted else 'NO'} "
                 "(the first import line checks foreign keys set-wise only if yes)")
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-members-"))
    if "1" in args.parts:
        part_import(args, rng, tree, workdir, results)
    if "2" in args.parts or "3" in args.parts:
        from gonghui.members.models import Member

        if not args.reuse or Member.objects.count() < args.members:
            notes.append(load_members(args, rng, tree))
        if "2" in args.parts:
            part_list(args, tree, results)
        if "3" in args.parts:
            part_count(args, tree, results)
        if "1" in args.parts:
            part_import_loaded(args, tree, workdir, results)
    shutil.rmtree(workdir, ignore_errors=True)
    report(args, results, notes)


class Results:
    """Rows of the report: (section, label, median ms, goal ms or None, extra text)."""

    def __init__(self):
        self.rows = []
        self.plans = {}  # label -> (sql, plan)
        self.values = {}
        self.phases = {}  # import case -> (seconds, [(step, seconds, calls)])

    def add(self, section, label, ms, goal=None, extra="", plan=None):
        self.rows.append((section, label, ms, goal, extra))
        self.values[label] = ms
        if plan is not None:
            self.plans[label] = plan


# --- database and tree ---------------------------------------------------------------------



def build_tree():
    """1 province → 16 cities → 128 districts → 256 streets → 1,024 grassroots unions, every
    fourth with 2 branches (the import target with 4): 1,939 unions."""
    from django.db import connection, transaction

    from gonghui.accounts.models import RoleGrant, User
    from gonghui.orgs.models import KIND_LEVEL, Kind, Org

    rows, next_id = [], [0]

    def add(parent, kind, name, code, employees=0):
        next_id[0] += 1
        pk = next_id[0]
        org = Org(id=pk, parent_id=parent.pk if parent else None, path=f"{parent.path if parent else '/'}{pk}/",
                  depth=(parent.depth + 1) if parent else 0, name=name, code=code, kind=kind, level=KIND_LEVEL[kind],
                  employee_count=employees)
        rows.append(org)
        return org

    kinds = [Kind.ENTERPRISE, Kind.ENTERPRISE, Kind.ENTERPRISE, Kind.INSTITUTION, Kind.ORGAN, Kind.COMMUNITY, Kind.JOINT]
    province = add(None, Kind.PROVINCE, "某省总工会", "P")
    for c in range(16):
        city = add(province, Kind.CITY, f"第{c + 1}市总工会", f"P-{c:02d}")
        for d in range(8):
            district = add(city, Kind.DISTRICT, f"第{c + 1}市第{d + 1}区总工会", f"{city.code}-{d}")
            for s in range(2):
                street = add(district, Kind.STREET, f"{district.name}第{s + 1}街道工会", f"{district.code}-{s}")
                for g in range(4):
                    grassroots = add(street, kinds[next_id[0] % len(kinds)], f"{street.name}第{g + 1}基层工会",
                                     f"{street.code}-{g}", 300 + next_id[0] % 3000)
                    if g % 4 == 0:
                        for b in range(4 if grassroots.code == IMPORT_TARGET else 2):
                            add(grassroots, Kind.BRANCH, f"{grassroots.name}第{b + 1}分会", f"{grassroots.code}-{b}", 50)
    with transaction.atomic():
        Org.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('orgs_org','id'), (SELECT MAX(id) FROM orgs_org))")
            cur.execute("ANALYZE orgs_org")
        user = User.objects.create_user("bench", password="x", full_name="压测")
        user.is_staff = user.is_superuser = True  # the admin peer needs a staff user
        user.save()
        RoleGrant.objects.create(user=user, org=province, role="chair")
    return load_tree()


def prefix_indexes(*, drop):
    """The org_path indexes as migrated (0003's pattern-class indexes; 0005 drops the plain
    twins of the spells' and events'), or with --before as before 0003: 0001's plain ones only."""
    import importlib

    from django.apps import apps
    from django.db import connection

    m0003 = importlib.import_module("gonghui.members.migrations.0003_prefix_indexes")
    m0005 = importlib.import_module("gonghui.members.migrations.0005_spell_event_path_prefix")
    with connection.schema_editor() as editor:
        if drop:
            m0003.Migration.operations[0].reverse_code(apps, editor)  # core.pg_indexes: drops them
            for model, index in m0005.PLAIN:
                editor.execute(str(index.create_sql(apps.get_model("members", model), editor)).replace(
                    "CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        else:
            m0005.forward(apps, editor)
    with connection.cursor() as cur:
        for table in ("members_member", "members_memberspell", "members_membershipevent"):
            cur.execute(f"ANALYZE {table}")
    names = ", ".join(name for name, _, _ in m0003.INDEXES)
    return f"prefix indexes of members 0003 ({names}): " + ("DROPPED, 0001's plain twins back (--before)" if drop else "present")


def load_tree():
    from gonghui.access.actor import Actor
    from gonghui.accounts.models import RoleGrant
    from gonghui.orgs.models import Level, Org

    grant = RoleGrant.objects.select_related("org", "user").get(user__username="bench", org__code="P")
    return {
        "province": grant.org,
        "big": Org.objects.get(code=BIG_DISTRICT),
        "target": Org.objects.get(code=IMPORT_TARGET),
        "holders": list(Org.objects.filter(level__gte=Level.GRASSROOTS).order_by("id")),
        "unions": Org.objects.count(),
        "user": grant.user,
        "actor": Actor.for_grant(grant),
    }


# --- part 1: import ----------------------------------------------------------------------------


def _weighted(pairs):
    return [v for v, _ in pairs], [w for _, w in pairs]


def roster_rows(n, rng, codes, today):
    """n valid roster rows (dicts keyed by the template's headers) with distinct IDs.

    Distinct by construction: row i has region REGIONS[i % R] and the (i // R)-th birth
    date of a permutation of 40 years of days, so (region, birth date) never repeats; the
    sequence digits are random, the gender is their last digit's parity.
    """
    from gonghui.core.validators import id_check_char

    start, days = dt.date(1965, 1, 1), (dt.date(2004, 12, 31) - dt.date(1965, 1, 1)).days + 1
    per_region = -(-n // len(REGIONS))
    if per_region > days:
        raise ValueError(f"at most {days * len(REGIONS):,} distinct IDs")
    step = 7919  # prime, does not divide `days`: k -> k * step % days is a permutation
    surnames, weights = list(SURNAMES), list(SURNAMES.values())
    edu, edu_w = _weighted(EDUCATION)
    pol, pol_w = _weighted(POLITICAL)
    eth, eth_w = _weighted(ETHNIC)
    nf, nf_w = _weighted(NEW_FORM)
    emp, emp_w = _weighted(EMPLOYMENT)
    rows = []
    for i in range(n):
        region = REGIONS[i % len(REGIONS)]
        birth = start + dt.timedelta(days=(i // len(REGIONS)) * step % days)
        seq = rng.randrange(1000)
        body = f"{region}{birth:%Y%m%d}{seq:03d}"
        number = body + id_check_char(body)
        earliest = max(dt.date(birth.year + 18, 1, 1), dt.date(1995, 1, 1))
        joined = earliest + dt.timedelta(days=rng.randrange(max(1, (today - earliest).days)))
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        rows.append({
            "姓名": rng.choices(surnames, weights)[0] + given,
            "身份证号": number,
            "性别": "男" if seq % 2 else "女",
            "民族": rng.choices(eth, eth_w)[0],
            "出生日期": birth.isoformat(),
            "手机号": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "学历": rng.choices(edu, edu_w)[0],
            "政治面貌": rng.choices(pol, pol_w)[0],
            "户籍类型": "农村户籍" if rng.random() < 0.3 else "城镇户籍",
            "是否农民工": "是" if rng.random() < 0.15 else "否",
            "新就业形态": rng.choices(nf, nf_w)[0],
            "就业状态": rng.choices(emp, emp_w)[0],
            "所属工会编码": codes[i % len(codes)],
            "职务": rng.choice(POSITIONS),
            "入会时间": joined.isoformat(),
            "会员证号": f"HZ{i:08d}" if i % 3 else "",
            "备注": "",
        })
    return rows


def write_xlsx(path, rows):
    """The roster as .xlsx, like gonghui.testing.members.write_roster (dates as text), but
    streamed (constant memory) for 100,000 rows."""
    import xlsxwriter

    from gonghui.members.sheets import HEADERS

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("会员")
    for c, h in enumerate(HEADERS):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(HEADERS):
            value = row.get(h)
            if value:
                ws.write_string(r, c, value)
    book.close()
    return path


def _truncate_members():
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE members_member, members_memberspell, members_membershipevent, members_transfer, "
                    "members_changerequest RESTART IDENTITY CASCADE")


def peer_resource():
    """django-import-export's ModelResource for Member, default options, the file's Chinese
    headers mapped with Field(attribute=..., column_name=...) as its documentation shows."""
    from import_export import fields, resources, widgets

    from gonghui.members.models import Member
    from gonghui.orgs.models import Org

    def f(attribute, column, widget=None):  # text columns get the CharWidget ModelResource would pick
        return fields.Field(attribute=attribute, column_name=column, widget=widget or widgets.CharWidget())

    class MemberResource(resources.ModelResource):
        name = f("name", "姓名")
        id_number = f("id_number", "身份证号")  # EncryptedTextField: the model field encrypts on save
        id_hash = f("id_hash", "身份证号")  # NOT NULL UNIQUE: it can only store the plain number here
        id_masked = f("id_masked", "身份证号")  # ditto (18 characters fit)
        gender = f("gender", "性别")
        ethnicity = f("ethnicity", "民族")
        birth_date = f("birth_date", "出生日期", widgets.DateWidget())
        phone = f("phone", "手机号")
        education = f("education", "学历")
        political = f("political", "政治面貌")
        hukou = f("hukou", "户籍类型")
        is_migrant_worker = f("is_migrant_worker", "是否农民工", widgets.BooleanWidget())
        new_form = f("new_form", "新就业形态")
        employment = f("employment", "就业状态")
        org = f("org", "所属工会编码", widgets.ForeignKeyWidget(Org, field="code"))
        position = f("position", "职务")
        joined_on = f("joined_on", "入会时间", widgets.DateWidget())
        card_no = f("card_no", "会员证号")
        remarks = f("remarks", "备注")

        class Meta:
            model = Member
            fields = ("id", "name", "id_number", "id_hash", "id_masked", "gender", "ethnicity", "birth_date", "phone",
                      "education", "political", "hukou", "is_migrant_worker", "new_form", "employment", "org",
                      "position", "joined_on", "card_no", "remarks")

    return MemberResource()


class ImportPhases:
    """Where members_import spends its time: wraps its steps in this process only (a few
    hundred thousand extra Python calls, well under 1% of the run); --no-phases turns it off.
    Lines starting "of which" are part of the line above them; the others add up to the total."""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.spent, self.calls, self.patches, self.order = {}, {}, [], []

    def _add(self, label, seconds):
        if label not in self.order:
            self.order.append(label)
        self.spent[label] = self.spent.get(label, 0.0) + seconds
        self.calls[label] = self.calls.get(label, 0) + 1

    def _wrap(self, module, name, label):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._add(label(*args) if callable(label) else label, time.perf_counter() - t)

        setattr(module, name, timed)
        self.patches.append((module, name, original))

    def __enter__(self):
        if not self.enabled:
            return self
        from django.db import connection

        from gonghui.core import crypto
        from gonghui.exchange import sheet_read
        from gonghui.exchange import sheets as core_sheets
        from gonghui.members import bulk, sheets

        read = "read .xlsx (child process: zip and extent checks, formula scan, calamine; rows sent back)"
        formulas = "  of which the child process, start to answer (_run_child)"
        check, parse, check_ids = "check rows (_Checker.check)", "  of which parse cells (parse_row)", "  of which check ID numbers (parse_resident_id)"
        match, select = "    of which match the platform (_match)", "      of which SELECT members by ID hash, card owners (_where_in)"
        wait = "wait for the worker's COPY of the chunk before (_Streamer.wait)"
        write = "  [worker thread, overlaps the lines above] match and write chunks (_Streamer._write)"
        insert = "    of which write (insert_members)"
        build, encrypt = "build rows (member_values)", "  of which AES-GCM encrypt"
        audit, commit = "audit event (_audit)", "COMMIT"
        copy = [f"      of which COPY {t}" for t in ("members_member", "members_membershipevent", "members_memberspell")]
        self.order = [read, formulas, check, parse, check_ids, build, encrypt, wait, write, match, select, insert, *copy, audit, commit]
        self._wrap(core_sheets, "read_table", read)  # called by open_import
        self._wrap(sheet_read, "_run_child", formulas)
        self._wrap(sheets._Checker, "check", check)
        self._wrap(sheets, "parse_row", parse)
        self._wrap(sheets, "parse_resident_id", check_ids)
        self._wrap(sheets, "_match", match)
        self._wrap(sheets, "_where_in", select)
        self._wrap(sheets._Streamer, "wait", wait)
        self._wrap(sheets._Streamer, "_write", write)
        self._wrap(sheets, "insert_members", insert)
        self._wrap(bulk, "copy_rows", lambda cursor, table, *rest: f"      of which COPY {table}")
        self._wrap(bulk, "member_values", build)
        self._wrap(crypto, "encrypt", encrypt)
        self._wrap(sheets, "_audit", audit)
        self._wrap(connection, "commit", commit)
        return self

    def __exit__(self, *exc):
        if not self.enabled:
            return
        from django.db import connection

        for target, name, original in reversed(self.patches):
            if target is connection:  # drop the instance attribute, its class's method shows again
                delattr(target, name)
            else:  # a module or a class
                setattr(target, name, original)

    def lines(self, total):
        if not self.enabled:
            return []
        rows = [(k, self.spent[k], self.calls[k]) for k in self.order if k in self.spent]
        rest = total - sum(seconds for k, seconds, _ in rows if not k.startswith(" "))
        rows.append(("other (open_import's checks, counting, _update)", rest, None))
        return rows


def part_import(args, rng, tree, workdir, results):
    import gc

    import tablib

    from gonghui.access.actor import Actor
    from gonghui.members.models import Member, MembershipEvent, MemberSpell
    from gonghui.members.sheets import members_import

    today = dt.date.today()
    target = tree["target"]
    codes = [target.code] + [o.code for o in tree["holders"] if o.parent_id == target.pk]
    started = time.perf_counter()
    rows = roster_rows(args.rows, rng, codes, today)
    path = write_xlsx(workdir / "roster-100k.xlsx", rows)
    peer_path = write_xlsx(workdir / "roster-peer.xlsx", rows[: args.peer_rows])
    print(f"generated {args.rows:,}-row roster ({path.stat().st_size / 1e6:.1f} MB) and a {args.peer_rows:,}-row slice "
          f"in {time.perf_counter() - started:.1f} s; unions in file: {', '.join(codes)}", flush=True)

    # The peer first, into the empty table; then its rows go (the slice shares card numbers).
    gc.collect()
    t = time.perf_counter()
    dataset = tablib.Dataset().load(peer_path.read_bytes(), format="xlsx")
    loaded = time.perf_counter() - t
    result = peer_resource().import_data(dataset, dry_run=False)
    peer_s = time.perf_counter() - t
    stored = Member.objects.count()
    if result.has_errors() or result.has_validation_errors() or stored != args.peer_rows:
        raise SystemExit(f"peer import failed: {stored} rows stored; {result.totals}")
    sample = Member.objects.order_by("id").values("gender", "education", "is_migrant_worker", "id_hash", "org_path").first()
    print(f"peer import stored {stored:,} rows; first row as stored: {sample}", flush=True)
    _truncate_members()

    gc.collect()
    with ImportPhases(not args.no_phases) as phases:
        t = time.perf_counter()
        rep = members_import(actor=Actor.system(source="cli"), path=path, org=target, today=today)
        ours_s = time.perf_counter() - t
    results.phases["empty table"] = (ours_s, phases.lines(ours_s))
    if not (rep.ok and rep.written and rep.created == args.rows):
        raise SystemExit(f"our import failed: {rep.created} created, {rep.errors[:5]} {rep.file_error}")
    counts = (Member.objects.count(), MembershipEvent.objects.count(), MemberSpell.objects.count())
    assert counts == (args.rows,) * 3, counts
    ours_rate, peer_rate = args.rows / ours_s, args.peer_rows / peer_s
    results.add("import", f"members_import {args.rows:,} rows (.xlsx → PostgreSQL)", ours_s * 1000, IMPORT_GOAL_S * 1000,
                f"{ours_rate:,.0f} rows/s")
    results.add("import", f"[peer] django-import-export {args.peer_rows:,} rows", peer_s * 1000, None,
                f"{peer_rate:,.0f} rows/s (xlsx load {loaded * 1000:.0f} ms)")
    results.values["import_ratio"] = ours_rate / peer_rate
    results.values["import_rows_file"] = path

    # The same import as a database role without `GRANT SET ON PARAMETER
    # session_replication_role` (docs/operations.md): set_wise_references then yields None,
    # as it does for such a role, and PostgreSQL checks every row's foreign keys.
    from contextlib import contextmanager

    from gonghui.members import sheets

    @contextmanager
    def no_privilege():
        yield None

    _truncate_members()
    gc.collect()
    original, sheets.set_wise_references = sheets.set_wise_references, no_privilege
    try:
        with ImportPhases(not args.no_phases) as phases:
            t = time.perf_counter()
            rep = members_import(actor=Actor.system(source="cli"), path=path, org=target, today=today)
            plain_s = time.perf_counter() - t
    finally:
        sheets.set_wise_references = original
    if not (rep.ok and rep.written and rep.created == args.rows):
        raise SystemExit(f"our import (per-row checks) failed: {rep.created} created, {rep.errors[:5]} {rep.file_error}")
    results.phases["empty table, role without the grant (per-row foreign-key checks)"] = (plain_s, phases.lines(plain_s))
    results.add("import", f"members_import {args.rows:,} rows, role without the grant", plain_s * 1000, IMPORT_GOAL_S * 1000,
                f"{args.rows / plain_s:,.0f} rows/s, {args.rows / plain_s / peer_rate:.1f}x the peer")


def part_import_loaded(args, tree, workdir, results):
    """Extra: the same 100,000-row file into the table once it holds the 1M members."""
    import gc

    from django.db import connection

    from gonghui.access.actor import Actor
    from gonghui.members.sheets import members_import

    path = results.values.get("import_rows_file")
    if path is None:
        return
    gc.collect()
    with ImportPhases(not args.no_phases) as phases:
        t = time.perf_counter()
        rep = members_import(actor=Actor.system(source="cli"), path=path, org=tree["target"])
        seconds = time.perf_counter() - t
    results.phases[f"table holding {args.members:,}"] = (seconds, phases.lines(seconds))
    if not (rep.ok and rep.created == args.rows):
        raise SystemExit(f"import into the loaded table failed: {rep.created} created, {rep.errors[:5]}")
    results.add("import", f"members_import {args.rows:,} rows into the loaded {args.members:,} table", seconds * 1000, IMPORT_GOAL_S * 1000,
                f"{args.rows / seconds:,.0f} rows/s")
    with connection.cursor() as cur:  # leave the database as loaded, for --reuse
        cur.execute("DELETE FROM members_memberspell WHERE member_id IN (SELECT id FROM members_member WHERE import_batch = %s)", [rep.batch])
        cur.execute("DELETE FROM members_membershipevent WHERE member_id IN (SELECT id FROM members_member WHERE import_batch = %s)", [rep.batch])
        cur.execute("DELETE FROM members_member WHERE import_batch = %s", [rep.batch])


# --- the 1M roster ------------------------------------------------------------------------------

MEMBER_COLUMNS = ["id", "org_id", "org_path", "name", "name_pinyin", "name_initials", "gender", "ethnicity", "birth_date",
                  "id_number", "id_hash", "id_masked", "phone", "phone_hash", "phone_masked", "education", "political",
                  "hukou", "is_migrant_worker", "new_form", "employment", "position", "joined_on", "card_no", "status",
                  "remarks", "user_id", "import_batch", "created_at", "updated_at"]


def _plain_indexes(cur, table):
    """(name, definition) of the table's indexes that back no constraint (dropped for the load)."""
    cur.execute("SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [table])
    return cur.fetchall()


def load_members(args, rng, tree):
    """args.members members, a realistic spread over the grassroots unions and branches
    (lognormal sizes; the big district exactly args.big), in random physical order, with
    their spells and events. Secondary indexes are dropped for the COPY and rebuilt."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.members.pinyin import name_keys

    started = time.perf_counter()
    _truncate_members()
    holders = tree["holders"]
    big_path = tree["big"].path
    inside = [o for o in holders if o.path.startswith(big_path)]
    outside = [o for o in holders if not o.path.startswith(big_path)]
    weight = {o.pk: rng.lognormvariate(0, 1.0) * (0.4 if o.level == 4 else 1.0) for o in holders}
    orgs = rng.choices(inside, [weight[o.pk] for o in inside], k=args.big)
    orgs += rng.choices(outside, [weight[o.pk] for o in outside], k=args.members - args.big)
    rng.shuffle(orgs)

    surnames, s_weights = list(SURNAMES), list(SURNAMES.values())
    pool = {s: [] for s in surnames}  # surname -> [(name, pinyin, initials)]
    for s in surnames:
        for _ in range(300):
            name = s + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            pool[s].append((name, *name_keys(name)))
    id_cipher, phone_cipher = crypto.encrypt("110105199003070018"), crypto.encrypt("13800000000")
    now, today = timezone.now(), dt.date.today()
    day0 = dt.date(1965, 1, 1).toordinal()
    date_text = {}

    def day(ordinal):
        text = date_text.get(ordinal)
        if text is None:
            text = date_text[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    statuses, st_weights = [s for s, _, _ in STATUSES], [w for _, w, _ in STATUSES]
    edu_codes = ["bachelor", "college", "senior", "junior", "master", "primary", "doctor"]
    edu_w = [w for _, w in EDUCATION]
    pol_codes, pol_w = ["masses", "cpc", "league", "probationary", "democratic"], [w for _, w in POLITICAL]
    status_of, joined_of, changed_of = bytearray(args.members), array("i"), array("i")
    with transaction.atomic(), connection.cursor() as django_cur:
        cur = django_cur.cursor
        cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers during the load
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        dropped = []
        for table in ("members_member", "members_memberspell", "members_membershipevent"):
            for name, definition in _plain_indexes(cur, table):
                cur.execute(f'DROP INDEX "{name}"')
                dropped.append(definition)
        cols = ", ".join(f'"{c}"' for c in MEMBER_COLUMNS)
        with cur.copy(f"COPY members_member ({cols}) FROM STDIN") as copy:
            for i, org in enumerate(orgs):
                pk = i + 1
                name, pinyin, initials = rng.choice(pool[rng.choices(surnames, s_weights)[0]])
                birth = day0 + rng.randrange(14_600)
                joined = max(birth + 18 * 365 + 5, dt.date(1995, 1, 1).toordinal())
                joined += rng.randrange(max(1, today.toordinal() - joined))
                status = rng.choices(range(len(statuses)), st_weights)[0]
                changed = joined + 1 + rng.randrange(max(1, today.toordinal() - joined - 1)) if status else 0
                status_of[i] = status
                joined_of.append(joined)
                changed_of.append(changed)
                region = REGIONS[i % len(REGIONS)]
                copy.write_row((
                    pk, org.pk, org.path, name, pinyin, initials, "M" if i % 2 else "F", "汉族", day(birth),
                    id_cipher, f"{pk:064x}", f"{region}********{pk % 10000:04d}", phone_cipher, f"p{pk:063x}",
                    f"138****{pk % 10000:04d}", rng.choices(edu_codes, edu_w)[0], rng.choices(pol_codes, pol_w)[0],
                    "urban" if i % 3 else "rural", i % 7 == 0, "courier" if i % 25 == 0 else "", "employed",
                    "", day(joined), f"C{pk:09d}" if i % 3 == 0 else "", statuses[status], "", None, "", now, now,
                ))
        with cur.copy('COPY members_memberspell (member_id, org_id, org_path, status, starts_on, ends_on) FROM STDIN') as copy:
            for i, org in enumerate(orgs):
                status, joined, changed = status_of[i], joined_of[i], changed_of[i]
                if status:
                    copy.write_row((i + 1, org.pk, org.path, "active", day(joined), day(changed)))
                    copy.write_row((i + 1, org.pk, org.path, statuses[status], day(changed), None))
                else:
                    copy.write_row((i + 1, org.pk, org.path, "active", day(joined), None))
        kinds = {s: k for s, _, k in STATUSES}
        with cur.copy('COPY members_membershipevent (member_id, kind, "on", org_id, org_path, other_org_id, note, '
                      "created_by_id, created_at) FROM STDIN") as copy:
            for i, org in enumerate(orgs):
                copy.write_row((i + 1, "join", day(joined_of[i]), org.pk, org.path, None, "", None, now))
                if status_of[i]:
                    copy.write_row((i + 1, kinds[statuses[status_of[i]]], day(changed_of[i]), org.pk, org.path, None, "", None, now))
        loaded = time.perf_counter() - started
        for definition in dropped:
            cur.execute(definition)
        cur.execute("SELECT setval(pg_get_serial_sequence('members_member','id'), %s)", [args.members])
        cur.execute("SELECT setval(pg_get_serial_sequence('members_memberspell','id'), (SELECT MAX(id) FROM members_memberspell))")
        cur.execute("SELECT setval(pg_get_serial_sequence('members_membershipevent','id'), (SELECT MAX(id) FROM members_membershipevent))")
    with connection.cursor() as cur:
        for table in ("members_member", "members_memberspell", "members_membershipevent"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*) FROM members_memberspell")
        spells = cur.fetchone()[0]
    return (f"loaded {args.members:,} members ({spells:,} spells, as many events + joins) over {len(holders):,} "
            f"grassroots unions/branches of {tree['unions']:,} unions in {time.perf_counter() - started:.0f} s "
            f"(COPY {loaded:.0f} s, {len(dropped)} indexes rebuilt, VACUUM ANALYZE)")


# --- part 2: list pages --------------------------------------------------------------------------


def _median(fn, repeat):
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def _slowest_query(fn):
    """(sql, ms) of the slowest query fn runs, and its EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    if not ctx.captured_queries:
        return None
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        plan = "\n".join(r[0] for r in cur.fetchall())
    return slowest["sql"], plan


def _timed(results, section, label, fn, goal, repeat, explain, extra=""):
    ms = _median(fn, repeat)
    plan = _slowest_query(fn) if explain or (goal is not None and ms > goal) else None
    results.add(section, label, ms, goal, extra, plan)
    print(f"  {label:<62}{ms:>9.1f} ms", flush=True)
    return ms


def _view_exists():
    from django.urls import Resolver404, resolve

    try:
        resolve("/members/")
    except Resolver404:
        return False
    return True


def _pick_unions(tree):
    """A grassroots union of about median size (~300 members) and a street outside the big district."""
    from django.db.models import Count

    from gonghui.members.models import Member
    from gonghui.orgs.models import Level, Org

    sizes = dict(Member.objects.values_list("org_id").annotate(n=Count("id")))
    grassroots = [o for o in tree["holders"] if o.level == Level.GRASSROOTS and not o.path.startswith(tree["big"].path)]
    small = min(grassroots, key=lambda o: (abs(sizes.get(o.pk, 0) - 300), o.pk))
    street = Org.objects.filter(kind="street").exclude(path__startswith=tree["big"].path).order_by("code").first()
    return small, street


def part_list(args, tree, results):
    from django.test import Client

    from gonghui.members import selectors
    from gonghui.members.choices import GOOD_STANDING
    from gonghui.members.models import Member
    from gonghui.members.selectors import member_search
    from gonghui.web.paging import _encode, keyset_page

    actor, big, repeat, explain = tree["actor"], tree["big"], args.repeat, args.explain
    order = ("name_pinyin", "id")
    filtered = Member.objects.filter(org_path__startswith=big.path, status__in=GOOD_STANDING)
    total = filtered.count()
    deep_row = filtered.order_by(*order).values_list(*order)[int(total * 0.9)]
    deep = _encode("n", list(deep_row), order)
    everyone = Member.objects.filter(status__in=GOOD_STANDING).count()
    deep_all = _encode("n", list(Member.objects.filter(status__in=GOOD_STANDING).order_by(*order).values_list(*order)[int(everyone * 0.9)]), order)
    small, street = _pick_unions(tree)
    n_small = Member.objects.filter(org_path__startswith=small.path, status__in=GOOD_STANDING).count()
    n_street = Member.objects.filter(org_path__startswith=street.path, status__in=GOOD_STANDING).count()
    # A full name that exists (the commonest way a clerk looks someone up).
    full_name = Member.objects.filter(name__startswith="李", status__in=GOOD_STANDING).order_by("id").values_list("name", flat=True)[1000]
    print(f"\npart 2: {Member.objects.count():,} members; district {big.code} has {total:,} current members "
          f"(deep cursor at {deep_row}); union {small.code} {n_small:,}; street {street.code} {n_street:,}", flush=True)

    def page(cursor=None, **filters):
        # As the view does: a name or pinyin search is ordered by the column it searches.
        searched = selectors.search_order(filters["q"]) if "q" in filters and hasattr(selectors, "search_order") else None
        return lambda: keyset_page(member_search(actor, **filters), order=searched or order, cursor=cursor, size=50).rows

    lst, srch = GOALS_MS["list"], GOALS_MS["search"]
    sel = "selector"
    _timed(results, sel, "member_search+keyset district, current, page 1", page(org=big, status="current"), lst, repeat, explain)
    _timed(results, sel, "member_search+keyset district, current, deep (90%)", page(deep, org=big, status="current"), lst, repeat, explain)
    _timed(results, sel, "member_search+keyset province, current, page 1", page(status="current"), lst, repeat, explain)
    _timed(results, sel, "member_search+keyset province, current, deep (90%)", page(deep_all, status="current"), lst, repeat, explain)
    _timed(results, sel, f"member_search+keyset union ({n_small} current), page 1", page(org=small, status="current"), lst, repeat, explain)
    _timed(results, sel, f"member_search+keyset street ({n_street:,} current), page 1", page(org=street, status="current"), lst, repeat, explain)
    _timed(results, sel, "member_search+keyset q=zs (pinyin initials)", page(q="zs"), srch, repeat, explain)
    _timed(results, sel, "member_search+keyset q=张 (name)", page(q="张"), srch, repeat, explain)
    _timed(results, sel, "member_search+keyset q=zhang (full pinyin)", page(q="zhang"), srch, repeat, explain)
    _timed(results, sel, f"member_search+keyset q={full_name} (full name)", page(q=full_name), srch, repeat, explain)

    client = Client()
    client.force_login(tree["user"])

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response
        return fetch

    base = f"/members/?status=current&org={big.code}&subtree=1"
    if _view_exists():
        view = "view"
        _timed(results, view, "/members/ district, current, page 1", get(base), lst, repeat, explain)
        _timed(results, view, "/members/ district, current, deep (90%)", get(f"{base}&cursor={deep}"), lst, repeat, explain)
        _timed(results, view, "/members/ province, current, page 1", get("/members/?status=current"), lst, repeat, explain)
        _timed(results, view, "/members/ province, current, deep (90%)", get(f"/members/?status=current&cursor={deep_all}"), lst, repeat, explain)
        _timed(results, view, f"/members/ union ({n_small} current), page 1", get(f"/members/?status=current&org={small.code}&subtree=1"), lst, repeat, explain)
        _timed(results, view, f"/members/ street ({n_street:,} current), page 1", get(f"/members/?status=current&org={street.code}&subtree=1"), lst, repeat, explain)
        _timed(results, view, "/members/?q=zs", get("/members/?q=zs"), srch, repeat, explain)
        _timed(results, view, "/members/?q=张", get("/members/?q=张"), srch, repeat, explain)
        _timed(results, view, "/members/?q=zhang", get("/members/?q=zhang"), srch, repeat, explain)
        _timed(results, view, f"/members/?q={full_name} (full name)", get(f"/members/?q={full_name}"), srch, repeat, explain)
    else:
        results.values["no_view"] = True
        print("  /members/ does not exist yet: view rows skipped", flush=True)

    peer = "peer"
    members = Member.objects.count()
    lookup = f"status__in=active,reserved&org_path__startswith={big.path}"
    admin = "/django-admin/members/member/"
    _timed(results, peer, "[peer] admin changelist page 1", get(admin), None, repeat, explain)
    _timed(results, peer, "[peer] admin changelist deep page (90%)", get(f"{admin}?p={members // 100 * 9 // 10}"), None, repeat, explain)
    _timed(results, peer, "[peer] admin district+status lookups, page 1", get(f"{admin}?{lookup}"), None, repeat, explain)
    _timed(results, peer, "[peer] admin district+status lookups, deep (90%)", get(f"{admin}?{lookup}&p={total // 100 * 9 // 10}"), None, repeat, explain)
    _timed(results, peer, "[peer] admin union lookups, page 1",
           get(f"{admin}?status__in=active,reserved&org_path__startswith={small.path}"), None, repeat, explain)
    _timed(results, peer, "[peer] admin search_fields q=zs", get("/django-admin-search/members/member/?q=zs"), None, repeat, explain)
    _timed(results, peer, "[peer] admin search_fields q=张", get("/django-admin-search/members/member/?q=张"), None, repeat, explain)
    _timed(results, peer, "[peer] admin search_fields full name", get(f"/django-admin-search/members/member/?q={full_name}"), None, repeat, explain)
    results.values["full_name"] = full_name
    results.values["n_small"], results.values["n_street"] = n_small, n_street


# --- part 3: counts --------------------------------------------------------------------------------


def part_count(args, tree, results):
    from gonghui.members.choices import GOOD_STANDING
    from gonghui.members.models import Member
    from gonghui.members.selectors import count_as_of, count_events

    actor, big, province, repeat, explain = tree["actor"], tree["big"], tree["province"], args.repeat, args.explain
    today = dt.date.today()
    members = Member.objects.filter(org_path__startswith=big.path).count()
    current = count_as_of(actor, big, today)
    plain = Member.objects.filter(org_path__startswith=big.path, status__in=GOOD_STANDING).count()
    assert current == plain, (current, plain)
    print(f"\npart 3: district {big.code} has {members:,} members, {current:,} in good standing today", flush=True)
    _timed(results, "count", f"count_as_of district ({members:,} members)", lambda: count_as_of(actor, big, today),
           GOALS_MS["count"], repeat, explain, f"= {current:,}")
    _timed(results, "count", "Member count org_path+status district",
           lambda: Member.objects.filter(org_path__startswith=big.path, status__in=GOOD_STANDING).count(),
           GOALS_MS["count"], repeat, explain, f"= {plain:,}")
    _timed(results, "count", f"count_as_of province ({Member.objects.count():,}, info)", lambda: count_as_of(actor, province, today), None, repeat, explain)
    _timed(results, "count", "count_as_of district 1 year ago (info)",
           lambda: count_as_of(actor, big, today - dt.timedelta(days=365)), None, repeat, explain)
    year_ago = today - dt.timedelta(days=365)
    joins = count_events(actor, big, "join", year_ago, today)
    _timed(results, "count", "count_events district, joins in 12 months (info)",
           lambda: count_events(actor, big, "join", year_ago, today), None, repeat, explain, f"= {joins:,}")


# --- report ----------------------------------------------------------------------------------------


def report(args, results, notes):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    print(f"\ngonghui member roster benchmark on PostgreSQL {version}, median of {args.repeat} (import: one run)")
    for note in notes:
        print(note)
    print(f"\n{'':<10}{'what':<62}{'median ms':>11}{'goal ms':>9}  {'':<5}")
    for section, label, ms, goal, extra in results.rows:
        verdict = "" if goal is None else ("ok" if ms <= goal else "MISS")
        goal_text = "" if goal is None else f"{goal:,.0f}"
        print(f"{section:<10}{label:<62}{ms:>11,.1f}{goal_text:>9}  {verdict:<5}{extra}")
    for case, (total, lines) in results.phases.items():
        print(f"\nmembers_import steps, {case} ({total:.1f} s):")
        for step, seconds, calls in lines:
            print(f"  {step:<62}{seconds:>8.2f} s {seconds / total:>5.0%}" + (f"  ({calls:,} calls)" if calls else ""))
    v = results.values
    print()
    if "import_ratio" in v:
        ok = "ok" if v["import_ratio"] >= IMPORT_RATIO_GOAL else "MISS"
        print(f"import rate, members_import vs django-import-export: {v['import_ratio']:.1f}x (goal ≥ {IMPORT_RATIO_GOAL}x) {ok}")
    pairs = [("/members/ district, current, page 1", "[peer] admin district+status lookups, page 1"),
             ("/members/ district, current, deep (90%)", "[peer] admin district+status lookups, deep (90%)"),
             ("/members/ province, current, page 1", "[peer] admin changelist page 1"),
             ("/members/ province, current, deep (90%)", "[peer] admin changelist deep page (90%)"),
             ("/members/?q=zs", "[peer] admin search_fields q=zs"),
             ("/members/?q=张", "[peer] admin search_fields q=张")]
    n_small, full_name = v.get("n_small"), v.get("full_name")
    pairs += [(f"/members/ union ({n_small} current), page 1", "[peer] admin union lookups, page 1"),
              (f"/members/?q={full_name} (full name)", "[peer] admin search_fields full name")]
    if v.get("no_view"):
        pairs = [(ours.replace("/members/ ", "member_search+keyset ").replace("/members/?q=zs", "member_search+keyset q=zs (pinyin initials)")
                  .replace("/members/?q=张", "member_search+keyset q=张 (name)").replace("/members/?q=", "member_search+keyset q="), peer)
                 for ours, peer in pairs]
        print("(/members/ not present yet: ratios use the selector figures, which leave out the template)")
    for ours, peer in pairs:
        if ours in v and peer in v:
            ratio = v[peer] / v[ours]
            print(f"{ours} vs {peer}: " + (f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x SLOWER"))
    for label, (sql, plan) in results.plans.items():
        print(f"\n--- plan of the slowest query of: {label}\n{sql}\n{plan}")


if __name__ == "__main__":
    main()

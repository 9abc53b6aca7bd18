"""Attendance import at a district's scale: 50,000 rows in one file, on PostgreSQL.

Issue 14's goal: an attendance import of 50,000 rows ≤ 5 s on PostgreSQL. In a throwaway
database (`gonghui_bench_activities`, dropped and re-created at the start):

* a district: 4 street unions × 10 grassroots unions, every other one with two branches;
* --members members (default 20,000) spread over the grassroots unions and branches, written
  set-wise by members/bulk.py (insert_members: COPY, with their 入会 events and spells);
* --activities activities (default 300) of the past year through services.activity_create,
  every fifth a three-session training with a quiz (session_add), all 已结束;
* an .xlsx of --rows attendance rows (default 50,000): for each activity, members of its
  union's subtree (a district or street activity: of the whole district) named by ID number,
  one in ten a non-member named only by name, scores on the quiz activities, 场次 blank
  (every session, so a training's row is three check-ins), 签到 blank (they came).

Then, in-process (server time, no network), each step one run:

1. reading the file alone (exchange.sheets.read_table: the sandboxed child process);
2. a check (dry run): read, check every row, plan, write nothing;
3. the import as the union's chair (`attendance_import`, all or nothing): read, check,
   plan under the activities' locks, COPY registrations and check-ins, one audit event —
   the figure the goal is about;
4. the same file again: every row unchanged, nothing written;
5. the peer: the same rows through the per-row services (what a loop over
   attendance.registration_add, checkin_record and score_record does: per row an activity
   lock, an audit event per registration, check-in and score, each its own transaction as
   on the web). It is timed on a sample (--peer-rows, default 1,000 rows of the file, run
   before step 3 and then removed again) and extrapolated linearly to --rows; the file is
   already parsed for it, so its figure leaves out the reading the import pays for.

    .venv/bin/python bench/activities_import.py
    .venv/bin/python bench/activities_import.py --rows 10000 --peer-rows 300
    .venv/bin/python bench/activities_import.py --drop-covered-indexes   # weigh a schema change

Prints the timings, the rate, the goal verdict and the ratio to the peer, and the import's
CPU time split between this process (both of its threads), the reading child and the
PostgreSQL backend: the import overlaps Python with the server (sheets_attendance.py,
_import_streaming), so on an idle two-core machine its time is about the reading plus the
larger of the other two; on a busy one the sum says what the run had to share.
`--drop-covered-indexes` drops, before the import, the single-column foreign-key indexes
of registrations and check-ins that a composite index already leads with (Django adds one
per ForeignKey unless db_index=False), to measure what removing them would save.
PostgreSQL only.

Figures (two cores shared with other test runs, load average about 2, PostgreSQL 15 with
default settings, the shared server also serving those runs): the import 7.5 s (reading
1.3 s; CPU: import process 3.0 s, reading child 1.0 s, backend 3.7 s) against the 5 s goal,
the per-row services 30 rows/s, about 220x slower. Repeated runs of the import alone on the
same data took 4.8–9.8 s as the machine's load and the server's checkpoints came and went.
Where the time goes: the backend's share is the inserts themselves, 50,000 registrations and
70,000 check-ins into tables with 12 and 9 indexes (about 200 MB of WAL), which the import
overlaps with Python's checking but cannot shrink; four of those indexes only repeat the
leading column of a composite one (registration activity_id, member_id; check-in
activity_id, registration_id), and without them the backend needed about 0.4 s less
(--drop-covered-indexes).
"""

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gonghui_bench_activities"
GOAL_S = 5.0
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红建华文辉力志国荣东海波宁雪梅琳颖晨浩宇轩"
REGIONS = ["340102", "340103", "340104", "340111", "340121", "340122", "340123", "340124", "340181", "340202"]


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--database-url", default=DEFAULT_DB, help="PostgreSQL URL; its database is dropped and re-created")
    p.add_argument("--rows", type=int, default=50_000, help="attendance rows in the file")
    p.add_argument("--members", type=int, default=20_000)
    p.add_argument("--activities", type=int, default=300)
    p.add_argument("--peer-rows", type=int, default=1_000, help="rows the per-row services path is timed on")
    p.add_argument("--seed", type=int, default=20260501)
    p.add_argument("--drop-covered-indexes", action="store_true",
                   help="before importing, drop the single-column foreign-key indexes that a composite index already "
                        "leads with (a schema change to weigh, not the migrated schema)")
    return p.parse_args()


def main():
    args = parse()
    name = args.database_url.rsplit("/", 1)[-1]
    if not name.startswith("gonghui_bench"):
        sys.exit(f"refusing to use database {name!r}: its name must start with gonghui_bench")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    os.environ["GONGHUI_FIELD_KEY"] = "gonghui-bench-activities-throwaway-key"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("activities_import needs PostgreSQL")
    from pgdb import recreate_pg_database

    recreate_pg_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="gonghui-bench-activities-"))
    try:
        t0 = time.perf_counter()
        world = build(args, rng)
        path = write_file(workdir / "attendance.xlsx", world["rows"])
        setup_s = time.perf_counter() - t0
        results = run(args, world, path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(args, world, results, setup_s)


# --- the district ---------------------------------------------------------------------------------


def build(args, rng):
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.access.actor import Actor
    from gonghui.accounts.models import RoleGrant, User
    from gonghui.activities import services
    from gonghui.activities.models import ActivityKind, Status
    from gonghui.core import crypto
    from gonghui.core.validators import id_check_char
    from gonghui.members.bulk import insert_members
    from gonghui.orgs.models import KIND_LEVEL, Kind, Org

    orgs, next_id = [], [0]

    def add(parent, kind, name, code, employees=0):
        next_id[0] += 1
        pk = next_id[0]
        org = Org(id=pk, parent_id=parent.pk if parent else None, path=f"{parent.path if parent else '/'}{pk}/",
                  depth=(parent.depth + 1) if parent else 0, name=name, code=code, kind=kind, level=KIND_LEVEL[kind],
                  employee_count=employees)
        orgs.append(org)
        return org

    district = add(None, Kind.DISTRICT, "滨江区总工会", "BJ")
    streets, holders = [], []
    for s in range(4):
        street = add(district, Kind.STREET, f"第{s + 1}街道工会", f"S{s + 1}")
        streets.append(street)
        for g in range(10):
            grassroots = add(street, Kind.ENTERPRISE, f"{street.name}第{g + 1}企业工会", f"S{s + 1}-G{g + 1:02d}", 600)
            holders.append(grassroots)
            if g % 2 == 0:
                for b in range(2):
                    holders.append(add(grassroots, Kind.BRANCH, f"{grassroots.name}第{b + 1}分会", f"{grassroots.code}-B{b + 1}", 100))
    with transaction.atomic():
        Org.objects.bulk_create(orgs)
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('orgs_org','id'), (SELECT MAX(id) FROM orgs_org))")
        user = User.objects.create_user("bench", password="x", full_name="区总主席")
        grant = RoleGrant.objects.create(user=user, org=district, role="chair")
    actor = Actor.for_grant(grant, ip="bench", source="cli")

    # Members, set-wise (members/bulk.py), with distinct valid ID numbers.
    people, rows = [], []
    for i in range(args.members):
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=(i // len(REGIONS)) * 7919 % 14600)
        seq = rng.randrange(1000)
        body = f"{REGIONS[i % len(REGIONS)]}{birth:%Y%m%d}{seq:03d}"
        number = body + id_check_char(body)
        org = holders[i % len(holders)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        rows.append({"name": name, "gender": "M" if seq % 2 else "F", "birth_date": birth, "id_number": number,
                     "id_hash": crypto.blind_index(number, purpose="id"), "joined_on": dt.date(2018, 1, 1), "_org": org})
        people.append((org, name, number))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence('members_member', 'id')")
        sequence = cur.fetchone()[0]
        for start in range(0, len(rows), 10_000):
            insert_members(cur.cursor, rows[start:start + 10_000], actor=actor, batch="bench", sequence=sequence)
        cur.execute("ANALYZE members_member")

    # Activities through the services: a year of them, every fifth a three-session training.
    kinds = list(ActivityKind.objects.all())
    organisers = [district, *streets, *[h for h in holders if h.kind == Kind.ENTERPRISE]]
    activities = []
    now = timezone.now()
    for n in range(args.activities):
        org = organisers[n % len(organisers)]
        start = (now - dt.timedelta(days=30 + rng.randrange(330))).replace(hour=9, minute=0, second=0, microsecond=0)
        training = n % 5 == 0
        a = services.activity_create(
            actor=actor, org=org, kind=kinds[n % len(kinds)], title=f"{'培训班' if training else '活动'}{n + 1:03d}",
            starts_at=start, ends_at=start + dt.timedelta(hours=3), status=Status.DONE, is_training=training,
            quiz_name="结业考试" if training else "", quiz_pass=60 if training else None)
        if training:
            for day in (1, 2):
                services.session_add(actor=actor, activity=a, starts_at=start + dt.timedelta(days=day),
                                     ends_at=start + dt.timedelta(days=day, hours=3), hours=3)
        activities.append(a)

    # The rows: each activity gets its share, drawn from the people of its subtree.
    by_prefix = {prefix: [(name, number) for org, name, number in people if org.path.startswith(prefix)]
                 for prefix in {a.org_path for a in activities}}
    lines = []
    share = -(-args.rows // len(activities))
    for a in activities:
        pool = by_prefix.get(a.org_path, [])
        chosen = rng.sample(pool, min(len(pool), int(share * 0.9)))
        for name, number in chosen:
            lines.append({"活动编号": a.code, "身份证号": number, "姓名": name,
                          "成绩": str(rng.randrange(40, 101)) if a.is_training else ""})
        for g in range(share - len(chosen)):
            lines.append({"活动编号": a.code, "姓名": f"{rng.choice(SURNAMES)}居民{g + 1:03d}", "单位/身份": "辖区居民"})
    rng.shuffle(lines)
    return {"district": district, "actor": actor, "activities": activities, "rows": lines[:args.rows],
            "members": args.members, "unions": len(orgs)}


def write_file(path, rows):
    import xlsxwriter

    from gonghui.activities.sheets_attendance import ATTENDANCE_COLUMNS

    headers = [c.header for c in ATTENDANCE_COLUMNS]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("参加人员")
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(headers):
            if row.get(h):
                ws.write_string(r, c, row[h])
    book.close()
    return path


# --- the runs -------------------------------------------------------------------------------------


def run(args, world, path):
    from django.db import connection

    from gonghui.activities.models import CheckIn, Registration
    from gonghui.activities.sheets_attendance import ATTENDANCE_COLUMNS, attendance_import
    from gonghui.exchange.sheets import read_table

    actor, district = world["actor"], world["district"]
    out = {}
    t = time.perf_counter()
    table = read_table(path, expected_headers=[c.header for c in ATTENDANCE_COLUMNS])
    out["read"] = time.perf_counter() - t
    assert len(table.rows) == len(world["rows"])

    out["peer_rows"], out["peer_s"] = peer(world, world["rows"][:args.peer_rows])
    Registration.objects.all().delete()  # the peer's sample goes; the import writes it again
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE activities_registration")
        cur.execute("VACUUM ANALYZE activities_checkin")
        if args.drop_covered_indexes:
            for index in covered_indexes(cur):
                cur.execute(f'DROP INDEX "{index}"')
                out.setdefault("dropped", []).append(index)

    t = time.perf_counter()
    check = attendance_import(actor=actor, path=path, org=district, dry_run=True)
    out["check"] = time.perf_counter() - t
    assert check.ok and check.created == len(world["rows"]), (check.file_error, check.errors[:5])

    out["load"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    cpu = CpuClock()
    done = attendance_import(actor=actor, path=path, org=district)
    out["import"], out["import_cpu"] = cpu.stop()
    assert done.ok and done.written and done.created == len(world["rows"]), (done.file_error, done.errors[:5])
    out["registrations"], out["checkins"] = Registration.objects.count(), CheckIn.objects.count()

    t = time.perf_counter()
    again = attendance_import(actor=actor, path=path, org=district)
    out["again"] = time.perf_counter() - t
    assert again.ok and again.unchanged == len(world["rows"]) and again.created == again.updated == 0
    assert (Registration.objects.count(), CheckIn.objects.count()) == (out["registrations"], out["checkins"])
    return out


class CpuClock:
    """Wall time, and the CPU time of this process, of the reading child processes and of
    this connection's PostgreSQL backend (on this host: /proc), so that a run on a busy
    machine can be read: the import's work overlaps, its sum is what one idle core would need."""

    def __init__(self):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.pid = cur.fetchone()[0]
        self.start = (time.perf_counter(), time.process_time(), self.children(), self.server())

    def server(self):
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def children():
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def stop(self):
        now = (time.perf_counter(), time.process_time(), self.children(), self.server())
        wall, python, reader, server = (b - a for a, b in zip(self.start, now, strict=True))
        return wall, {"python": python, "reader": reader, "server": server}


def covered_indexes(cur):
    """Single-column indexes on a foreign key of registrations and check-ins that a composite
    index already leads with (registration_queue, registration_member, checkin_activity,
    checkin_once): Django makes one for every ForeignKey unless db_index=False."""
    cur.execute("""
        SELECT i.indexname FROM pg_indexes i
        WHERE i.tablename IN ('activities_registration', 'activities_checkin')
          AND i.indexdef ~ '\\((activity_id|member_id|registration_id)\\)$'""")
    return [name for (name,) in cur.fetchall()]


def peer(world, rows):
    """The same rows through the per-row services, as a loop over the file would call them:
    find the activity and the member, sign them up, check them in at every session, record
    the score. Each service is its own transaction (autocommit), as from the web."""
    from gonghui.activities import attendance, selectors
    from gonghui.activities.models import Session
    from gonghui.core import crypto
    from gonghui.members.models import Member

    actor = world["actor"]
    t = time.perf_counter()
    for row in rows:
        activity = selectors.activity_by_ref(actor, row["活动编号"], under=world["district"])
        member = None
        if row.get("身份证号"):
            member = Member.objects.for_actor(actor).get(id_hash=crypto.blind_index(row["身份证号"], purpose="id"))
        reg = attendance.registration_add(actor=actor, activity=activity, member=member, name=row["姓名"],
                                          affiliation=row.get("单位/身份", ""))
        for session in Session.objects.filter(activity=activity).order_by("seq"):
            attendance.checkin_record(actor=actor, session=session, registration=reg)
        if row.get("成绩"):
            attendance.score_record(actor=actor, registration=reg, score=row["成绩"])
    return len(rows), time.perf_counter() - t


def report(args, world, r, setup_s):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
        cur.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        granted = cur.fetchone()[0]
    rows = len(world["rows"])
    peer_total = r["peer_s"] / r["peer_rows"] * rows
    print(f"\ngonghui attendance import benchmark on PostgreSQL {version} (each step one run)")
    print(f"district: {world['unions']} unions, {world['members']:,} members, {len(world['activities'])} activities "
          f"(every fifth a 3-session training); set-up {setup_s:.1f} s")
    print(f"file: {rows:,} rows → {r['registrations']:,} registrations, {r['checkins']:,} check-ins")
    print(f"database role may set session_replication_role: {'yes' if granted else 'NO'} "
          "(foreign keys checked set-wise only if yes)\n")
    lines = [
        ("reading the .xlsx alone (sandboxed child process)", r["read"], None),
        ("check (dry run): read, check, plan", r["check"], None),
        ("import: read, check, plan, COPY, audit", r["import"], GOAL_S),
        ("the same file again (all unchanged)", r["again"], None),
        (f"peer: per-row services, {r['peer_rows']:,} rows measured", r["peer_s"], None),
        (f"peer extrapolated to {rows:,} rows (×{rows / r['peer_rows']:.0f}, without reading)", peer_total, None),
    ]
    for label, seconds, goal in lines:
        verdict = "" if goal is None else ("  ok" if seconds <= goal else "  MISS")
        goal_text = "" if goal is None else f"goal ≤ {goal:.0f} s"
        print(f"{label:<66}{seconds:>9.2f} s  {goal_text}{verdict}")
    c = r["import_cpu"]
    print(f"\nthe import's CPU time: this process {c['python']:.2f} s (both threads), reading child {c['reader']:.2f} s, "
          f"PostgreSQL backend {c['server']:.2f} s; load average before the run {r['load']}")
    if r.get("dropped"):
        print(f"DROPPED for this run (not the migrated schema): {', '.join(r['dropped'])}")
    print(f"\nimport rate: {rows / r['import']:,.0f} rows/s; per-row services: {r['peer_rows'] / r['peer_s']:,.0f} rows/s")
    print(f"import vs per-row services: {peer_total / r['import']:.0f}x faster "
          f"(peer time extrapolated linearly from {r['peer_rows']:,} rows)")


if __name__ == "__main__":
    main()

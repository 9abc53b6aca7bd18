"""A district's activities at scale: the activity list and the statistics page, against the
Django admin changelist of the same table.

Builds, in a throwaway database, a district (滨江区总工会) with 10 street unions, 100
grassroots unions and 200 branches, 25,000 members, 5,000 activities of every kind held
this year by those unions (one in ten a training class of two sessions) and 500,000
registrations, each checked in to every session of its activity (550,000 check-ins), all
written with bulk_create in the shape the services write them. Then times, in one run and
in-process (server time, no network), as the district's chair:

1. the activity list, page 1 (`/activities/`, newest first, with each row's figures);
2. the list filtered by kind and month;
3. the statistics page for the year (`/activities/stats/`), cold (the figures cache cleared
   before each request) and warm;
4. the peer: the Django admin changelist of the activities table with its default settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench_act_scale .venv/bin/python bench/activities_scale.py
    .venv/bin/python bench/activities_scale.py --sqlite

Target (issue 14): list and statistics of such a district ≤ 100 ms. The PostgreSQL database
(its name must start with gonghui_bench) is dropped, re-created and ANALYZEd after loading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of DATABASE_URL")
    p.add_argument("--activities", type=int, default=5000)
    p.add_argument("--per-activity", type=int, default=100, help="registrations per activity")
    p.add_argument("--members", type=int, default=25000)
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--reuse", action="store_true", help="time the database a previous run built (PostgreSQL)")
    p.add_argument("--sql", action="store_true", help="print each case's queries and their times")
    return p.parse_args()


def build(args):
    from django.utils import timezone

    from gonghui.activities.models import (
        Activity,
        ActivityKind,
        CheckIn,
        Method,
        Registration,
        RegStatus,
        Session,
        Source,
        Status,
    )
    from gonghui.core import crypto
    from gonghui.core.validators import id_check_char, mask_id
    from gonghui.members.models import Member, MembershipEvent, MemberSpell
    from gonghui.members.pinyin import name_keys
    from gonghui.orgs.models import KIND_LEVEL, Kind, Org

    rng = random.Random(args.seed)
    today = timezone.localdate()
    year_start = dt.date(today.year, 1, 1)
    pk = iter(range(1, 10**9))
    orgs = []

    def org(parent, code, name, kind, employees=0):
        n = next(pk)
        o = Org(id=n, parent_id=parent.pk if parent else None, path=f"{parent.path if parent else '/'}{n}/",
                depth=parent.depth + 1 if parent else 0, name=name, short_name=name[:10], code=code, kind=kind,
                level=KIND_LEVEL[kind], employee_count=employees)
        orgs.append(o)
        return o

    district = org(None, "BJ", "滨江区总工会", Kind.DISTRICT)
    grassroots = []
    for s in range(10):
        street = org(district, f"S{s:02d}", f"第{s + 1}街道工会", Kind.STREET)
        for g in range(10):
            gr = org(street, f"S{s:02d}G{g:02d}", f"第{s + 1}街道第{g + 1}企业工会", Kind.ENTERPRISE, employees=300)
            branches = [org(gr, f"{gr.code}B{b}", f"{gr.name}第{b + 1}分会", Kind.BRANCH, employees=100) for b in range(2)]
            grassroots.append((gr, branches))
    Org.objects.bulk_create(orgs, batch_size=2000)

    print(f"  members ({args.members}) …", flush=True)
    members, spells, events = [], [], []
    by_grassroots = {gr.pk: [] for gr, _ in grassroots}
    from gonghui.core.demo import GIVEN, SURNAMES

    t0 = time.perf_counter()
    for i in range(args.members):
        gr, branches = grassroots[i % len(grassroots)]
        home = rng.choice([gr, *branches])
        birth = dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        body = f"330108{birth:%Y%m%d}{i // 360 % 1000:03d}"
        number = body + id_check_char(body)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        pinyin, initials = name_keys(name)
        m = Member(id=i + 1, org_id=home.pk, org_path=home.path, name=name, name_pinyin=pinyin, name_initials=initials,
                   gender="F" if int(body[-1]) % 2 == 0 else "M", birth_date=birth, id_number=number,
                   id_hash=crypto.blind_index(number, purpose="id"), id_masked=mask_id(number), joined_on=dt.date(2015, 1, 1))
        members.append(m)
        spells.append(MemberSpell(member_id=m.id, org_id=home.pk, org_path=home.path, status="active", starts_on=m.joined_on))
        events.append(MembershipEvent(member_id=m.id, kind="join", on=m.joined_on, org_id=home.pk, org_path=home.path))
        by_grassroots[gr.pk].append(m)
    Member.objects.bulk_create(members, batch_size=5000)
    MemberSpell.objects.bulk_create(spells, batch_size=5000)
    MembershipEvent.objects.bulk_create(events, batch_size=5000)
    print(f"    {time.perf_counter() - t0:.0f} s", flush=True)

    print(f"  activities ({args.activities}), registrations ({args.activities * args.per_activity}), check-ins …", flush=True)
    t0 = time.perf_counter()
    kinds = list(ActivityKind.objects.all())
    days = max(1, (today - year_start).days)
    acts, sessions = [], []
    session_pk = 0
    for n in range(args.activities):
        gr, branches = grassroots[n % len(grassroots)]
        host = gr if n % 3 else rng.choice(branches)
        day = year_start + dt.timedelta(days=rng.randrange(days))
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        training = n % 10 == 0
        a = Activity(id=n + 1, code=f"HD{n + 1:07d}", org_id=host.pk, org_path=host.path, kind=rng.choice(kinds),
                     title=f"活动{n + 1}", starts_at=starts, ends_at=starts + dt.timedelta(hours=27 if training else 3),
                     place="职工之家", status=Status.DONE, is_training=training, cost=rng.choice((0, 300, 800, 1500)),
                     beneficiaries=rng.choice((0, 0, 0, 40)))
        acts.append(a)
        for seq in range(1, 3 if training else 2):
            session_pk += 1
            s_start = starts + dt.timedelta(days=seq - 1)
            sessions.append(Session(id=session_pk, activity_id=a.id, org_path=host.path, seq=seq, starts_at=s_start,
                                    ends_at=s_start + dt.timedelta(hours=3), hours=3 if training else 0))
    Activity.objects.bulk_create(acts, batch_size=5000)
    Session.objects.bulk_create(sessions, batch_size=5000)
    sessions_of = {}
    for s in sessions:
        sessions_of.setdefault(s.activity_id, []).append(s)
    reg_pk = checkin_pk = 0
    regs, checkins = [], []

    def flush():
        Registration.objects.bulk_create(regs, batch_size=10000)
        CheckIn.objects.bulk_create(checkins, batch_size=10000)
        regs.clear()
        checkins.clear()

    for a in acts:
        gr_pk = int(a.org_path.strip("/").split("/")[2])
        pool = by_grassroots[gr_pk]
        for m in rng.sample(pool, min(args.per_activity, len(pool))):
            reg_pk += 1
            regs.append(Registration(id=reg_pk, activity_id=a.id, org_path=a.org_path, member_id=m.id, name=m.name, unit_id=m.org_id,
                                     unit_path=m.org_path, gender=m.gender, status=RegStatus.REGISTERED, source=Source.STAFF,
                                     queued_at=a.starts_at))
            for s in sessions_of[a.id]:
                checkin_pk += 1
                checkins.append(CheckIn(id=checkin_pk, registration_id=reg_pk, session_id=s.id, activity_id=a.id, org_path=a.org_path,
                                        at=s.starts_at, method=Method.STAFF))
        if len(regs) >= 50000:
            flush()
    flush()
    print(f"    {reg_pk} registrations, {checkin_pk} check-ins, {time.perf_counter() - t0:.0f} s", flush=True)
    return district


def timed(client, url, repeat, before=None):
    times = []
    for _ in range(repeat + 1):
        if before:
            before()
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times[1:]  # the first request warms the process (templates, imports)


def main():
    args = parse()
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ["GONGHUI_DATA_DIR"] = tempfile.mkdtemp(prefix="gonghui-bench-")
    else:
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gonghui_bench_act_scale")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    db = settings.DATABASES["default"]
    from gonghui.orgs.models import Org

    if args.reuse and connection.vendor == "postgresql":
        district = Org.objects.get(code="BJ")
    else:
        if connection.vendor == "postgresql":
            assert db["NAME"].startswith("gonghui_bench"), "the benchmark drops its database: name it gonghui_bench…"
            from pgdb import recreate_pg_database

            recreate_pg_database(db)
        call_command("migrate", verbosity=0)
        print(f"building on {connection.vendor} …", flush=True)
        district = build(args)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")

    from gonghui.access.permissions import Role
    from gonghui.accounts.models import User
    from gonghui.activities.models import ActivityKind
    from gonghui.testing.factories import staff

    chair = User.objects.filter(username="bench_chair").first() or staff(district, Role.CHAIR, username="bench_chair")
    chair.must_change_password = False
    chair.save()
    admin = User.objects.filter(username="bench_admin").first() or User.objects.create(
        username="bench_admin", is_staff=True, is_superuser=True, must_change_password=False)
    ours, peer = Client(), Client()
    ours.force_login(chair)
    peer.force_login(admin)
    kind = ActivityKind.objects.get(code="sports")
    month = dt.date.today().month
    cases = [
        ("activity list, page 1", ours, "/activities/", None),
        ("activity list, kind + month", ours, f"/activities/?kind={kind.pk}&year={dt.date.today().year}&month={month}", None),
        ("statistics, year (cold)", ours, "/activities/stats/", cache.clear),
        ("statistics, year (warm)", ours, "/activities/stats/", None),
        ("peer: Django admin changelist", peer, "/django-admin/activities/activity/", None),
    ]
    results = {}
    for label, client, url, before in cases:
        results[label] = timed(client, url, args.repeat, before)
        if args.sql:
            from django.test.utils import CaptureQueriesContext

            if before:
                before()
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            print(f"\n{label}: {len(ctx.captured_queries)} queries")
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:8]:
                print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")
    base = statistics.median(results["peer: Django admin changelist"])
    print(f"\n{args.activities} activities, {args.activities * args.per_activity} registrations; {connection.vendor}; "
          f"median and max of {args.repeat} requests (ms), in-process")
    print(f"{'':<36}{'median':>9}{'max':>9}{'× admin':>10}")
    for label, times in results.items():
        med = statistics.median(times)
        print(f"{label:<36}{med:>9.1f}{max(times):>9.1f}{med / base:>9.2f}×")
    worst = max(statistics.median(t) for k, t in results.items() if not k.startswith("peer"))
    print(f"\nslowest of ours: {worst:.1f} ms (target ≤ 100 ms)")


if __name__ == "__main__":
    main()

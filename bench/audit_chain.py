"""What keying the audit chain costs: SHA-256 (the legacy scheme) vs HMAC-SHA256 (security issue 10).

In one run, in-process, on a throwaway database: each round empties the audit table, appends
--events events through the append path the application uses (audit.services._append: lock
the head, hash, insert, update the head; one transaction per event, as each request commits
its own) with the legacy scheme, seals them with one keyed event (what audit migration 0004
does to an upgraded chain), times `audit_verify()` over them; then empties the table again and
does the same with keyed events. Rounds alternate which scheme goes first; the medians are
reported, with the time of hashing alone (the same rows, in memory, both ways) to show
what the key adds per event.

    .venv/bin/python bench/audit_chain.py                      # a temporary SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench_audit .venv/bin/python bench/audit_chain.py

The PostgreSQL database (its name must start with gonghui_bench) is dropped and re-created.
The events look like the application's: a member update with a few masked and plain
changes, a login, a denial, spread over a few users and unions.

Figures when the key was introduced (this benchmark's shared two-core machine, 20,000
events, best of 4 rounds; hmac/sha256 = time with the key / time without):

                        SQLite 3.40 (WAL)            PostgreSQL 15
                        SHA-256   HMAC    ratio      SHA-256   HMAC    ratio
  write, ev/s            1,543   1,507    1.02x        488      471    1.04x
  audit_verify, ev/s    40,857  37,653    1.09x     37,951   35,050    1.08x
  hashing, µs/event       9.34   11.13    1.19x       9.54    11.36    1.19x

The key adds about 1.8 µs per event (HMAC's two extra SHA-256 blocks and the scheme in the
JSON) to some 9 µs of building the canonical JSON; writing is bound by the transaction
(0.65 ms on SQLite, 2 ms on PostgreSQL), verifying by reading rows (~25 µs each), so a
million events verify in about 27 s instead of 25 s.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "src")]

SCHEMES = ("sha256", "hmac")


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--events", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=4)
    return p.parse_args()


def main():
    args = parse()
    data_dir = None
    if os.environ.get("DATABASE_URL"):
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
        if not name.startswith("gonghui_bench"):
            sys.exit(f"refusing to use database {name!r}: its name must start with gonghui_bench")
    else:
        data_dir = tempfile.mkdtemp(prefix="gonghui-bench-audit-")
        os.environ["GONGHUI_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    os.environ["GONGHUI_FIELD_KEY"] = "gonghui-bench-audit-throwaway-key"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        from pgdb import recreate_pg_database

        recreate_pg_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0, interactive=False)
    try:
        timings = {(what, s): [] for what in ("write", "verify", "hash") for s in SCHEMES}
        for r in range(args.rounds):
            for scheme in SCHEMES if r % 2 == 0 else SCHEMES[::-1]:
                for what, seconds in run(scheme, args.events).items():
                    timings[what, scheme].append(seconds)
        for scheme, seconds in hashing().items():  # on the last round's events
            timings["hash", scheme].append(seconds)
        report(connection, args, timings)
    finally:
        if data_dir:
            connection.close()
            shutil.rmtree(data_dir, ignore_errors=True)



def empty_chain():
    """Lift the append-only guard just long enough to start a new chain."""
    from django.db import connection, transaction

    from gonghui.audit.migrations import _triggers

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE audit_auditevent, audit_audithead")
        else:
            _triggers.remove(cursor, connection.vendor)
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("DELETE FROM audit_audithead")
            _triggers.install(cursor, connection.vendor)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def event_fields(i):
    """Application-like events: a member update, a login, a denial."""
    user = f"user{i % 37:02d}"
    common = dict(username=user, ip=f"10.0.{i % 7}.{i % 250}", source="web", org=None, result="success")
    kind = i % 3
    if kind == 0:
        return dict(common, action="member.update", object_type="members.Member", object_id=str(100_000 + i),
                    changes={"phone": ["******", "******"], "name": ["张三", "张三丰"], "address": ["临江路1号", f"临江路{i}号"],
                             "education": ["大专", "本科"]}, message="")
    if kind == 1:
        return dict(common, action="auth.login", object_type="accounts.User", object_id=str(i % 37), changes={},
                    message="登录成功")
    return dict(common, action="permission.denied", result="failure", object_type="", object_id="", changes={},
                message=f"/members/{i}/edit/ 需要权限 member.manage")


def run(scheme, n, verifies=3):
    from gonghui.audit.models import Scheme
    from gonghui.audit.services import _append, audit_verify

    code = Scheme.SHA256 if scheme == "sha256" else Scheme.HMAC_SHA256
    empty_chain()
    started = time.perf_counter()
    for i in range(n):
        _append(code, **event_fields(i))
    write = time.perf_counter() - started
    if code == Scheme.SHA256:
        _append(Scheme.HMAC_SHA256, **dict(event_fields(0), action="audit.keyed"))  # the upgrade's seal
    verify = []
    for _ in range(verifies):
        started = time.perf_counter()
        result = audit_verify()
        verify.append(time.perf_counter() - started)
        expected = (n, 1) if code == Scheme.SHA256 else (0, n)
        if not result.ok or (result.legacy, result.keyed) != expected:
            sys.exit(f"verification failed: {result}")
    return {"write": write, "verify": min(verify)}


def hashing(repeat=15):
    """Both hashes of the same stored rows, alternately, so that load on a shared machine
    hits both alike; the best pass of each."""
    import copy

    from gonghui.audit.models import AuditEvent, Scheme
    from gonghui.audit.services import _hash, chain_key

    rows = list(AuditEvent.objects.order_by("seq"))
    legacy, keyed = [copy.copy(ev) for ev in rows], [copy.copy(ev) for ev in rows]
    for a, b in zip(legacy, keyed, strict=True):
        a.scheme, b.scheme = Scheme.SHA256, Scheme.HMAC_SHA256
    key, best = chain_key(), {"sha256": [], "hmac": []}
    for _ in range(repeat):
        for scheme, rows in (("sha256", legacy), ("hmac", keyed)):
            started = time.perf_counter()
            for ev in rows:
                _hash(ev, key)
            best[scheme].append(time.perf_counter() - started)
    return {s: min(times) for s, times in best.items()}


def report(connection, args, timings):
    import django

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    n = args.events
    print(f"\naudit chain, {version}, Django {django.get_version()}: {n:,} events")
    print(f"  best of {args.rounds} alternating rounds (median in brackets); verify: best of 3 per round,")
    print("  over the SHA-256 events plus one keyed event (the upgrade's seal); hashing: best of 15 passes\n")
    print(f"  {'':28}{'SHA-256':>22}{'HMAC-SHA256':>22}{'hmac/sha256':>16}")
    for what, label in (("write", "write, 1 transaction/event"), ("verify", "audit_verify"),
                        ("hash", "hashing alone (in memory)")):
        sha, mac = (timings[what, s] for s in SCHEMES)
        if what == "hash":
            cells = "".join(f"{min(t) / n * 1e6:>16.2f} µs/ev" for t in (sha, mac))
        else:
            cells = "".join(f"{n / min(t):>9,.0f} ({n / statistics.median(t):>6,.0f}) ev/s" for t in (sha, mac))
        ratio = f"{min(mac) / min(sha):.2f}x"
        if what != "hash":
            ratio += f" ({statistics.median(mac) / statistics.median(sha):.2f}x)"
        print(f"  {label:28}{cells}{ratio:>16}")
    print("\n  hmac/sha256: time with the key / time without (1.00x = no cost)")


if __name__ == "__main__":
    main()

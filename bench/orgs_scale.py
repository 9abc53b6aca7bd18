"""Union tree at provincial scale: gonghui's pages vs the Django admin changelist.

Builds 130,705 unions (1 province → 16 cities → 128 districts → 2,560 streets →
76,800 grassroots unions, a third of them with 2 branches: 51,200 branches) in a throwaway database, then
times, in one run and in-process (server time, no network): the dashboard, the tree, the
union list (page 1 and a deep page), the picker lookup, and the Django admin changelist
of the same table (page 1 and a deep page) with its default settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench .venv/bin/python bench/orgs_scale.py
    .venv/bin/python bench/orgs_scale.py --sqlite          # embedded default

Prints a table of median milliseconds and the ratios.
"""

import argparse
import os
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
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--streets-per-district", type=int, default=20)
    p.add_argument("--grassroots-per-street", type=int, default=30)
    return p.parse_args()


def main():
    args = parse()
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ["GONGHUI_DATA_DIR"] = tempfile.mkdtemp(prefix="gonghui-bench-")
    else:
        os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gonghui_bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        from pgdb import recreate_pg_database

        recreate_pg_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0, interactive=False)
    counts = build_tree(args.streets_per_district, args.grassroots_per_street)
    results = measure(args.repeat)
    report(connection.vendor, counts, results)



def build_tree(streets_per_district, grassroots_per_street):
    from django.db import connection, transaction

    from gonghui.accounts.models import RoleGrant, User
    from gonghui.orgs.models import KIND_LEVEL, Kind, Org

    started = time.perf_counter()
    rows, next_id = [], [0]

    def add(parent, kind, name, code, employees=0):
        next_id[0] += 1
        pk = next_id[0]
        path = f"{parent.path if parent else '/'}{pk}/"
        org = Org(id=pk, parent_id=parent.pk if parent else None, path=path, depth=(parent.depth + 1) if parent else 0,
                  name=name, code=code, kind=kind, level=KIND_LEVEL[kind], employee_count=employees,
                  has_women_committee=pk % 3 == 0, has_audit_committee=pk % 2 == 0)
        rows.append(org)
        return org

    province = add(None, Kind.PROVINCE, "某省总工会", "P")
    cities, districts = [], []
    for c in range(16):
        city = add(province, Kind.CITY, f"第{c + 1}市总工会", f"P-{c:02d}")
        cities.append(city)
        for d in range(8):
            districts.append(add(city, Kind.DISTRICT, f"第{c + 1}市第{d + 1}区总工会", f"P-{c:02d}-{d}"))
    kinds = [Kind.ENTERPRISE, Kind.ENTERPRISE, Kind.COMMUNITY, Kind.ORGAN, Kind.INSTITUTION, Kind.JOINT]
    for district in districts:
        for s in range(streets_per_district):
            street = add(district, Kind.STREET, f"{district.name}第{s + 1}街道工会", f"{district.code}-{s:02d}")
            for g in range(grassroots_per_street):
                pk_hint = next_id[0]
                grassroots = add(street, kinds[pk_hint % len(kinds)], f"{street.name}第{g + 1}基层工会", f"{street.code}-{g:02d}", 20 + pk_hint % 500)
                if g % 3 == 0:
                    for b in range(2):
                        add(grassroots, Kind.BRANCH, f"{grassroots.name}第{b + 1}分会", f"{grassroots.code}-{b}", 10)
    with transaction.atomic():
        for i in range(0, len(rows), 5000):
            Org.objects.bulk_create(rows[i : i + 5000])
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT setval(pg_get_serial_sequence('orgs_org','id'), (SELECT MAX(id) FROM orgs_org))")
                cur.execute("ANALYZE orgs_org")
        user = User.objects.create_user("bench", password="x", full_name="压测")
        user.is_staff = user.is_superuser = True
        user.save()
        RoleGrant.objects.create(user=user, org=province, role="chair")
        district_user = User.objects.create_user("bench_district", password="x")
        RoleGrant.objects.create(user=district_user, org=districts[37], role="chair")
    return {"unions": len(rows), "build_seconds": time.perf_counter() - started, "district": districts[37].name}


def _timed(client, url, repeat):
    response = client.get(url)  # warm-up (and a check)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def measure(repeat):
    from django.test import Client

    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org
    from gonghui.web.paging import _encode

    province_client, district_client = Client(), Client()
    province_client.force_login(User.objects.get(username="bench"))
    district_client.force_login(User.objects.get(username="bench_district"))
    # A deep page: the cursor of the row 90% of the way through the list ordered by code.
    total = Org.objects.count()
    deep_row = Org.objects.filter(is_active=True).order_by("code", "id").values_list("code", "id")[int(total * 0.9)]
    deep_cursor = _encode("n", list(deep_row))
    admin_deep = (total // 100) * 9 // 10
    r = {}
    r["dashboard (province, 130k unions)"] = _timed(province_client, "/", repeat)
    r["dashboard (district, ~900 unions)"] = _timed(district_client, "/", repeat)
    r["tree page (province)"] = _timed(province_client, "/orgs/", repeat)
    r["union list page 1"] = _timed(province_client, "/orgs/list/?sort=code", repeat)
    r["union list deep page (90%)"] = _timed(province_client, f"/orgs/list/?sort=code&cursor={deep_cursor}", repeat)
    r["union list search 第7市第3区"] = _timed(province_client, "/orgs/list/?q=第7市第3区", repeat)
    r["picker lookup"] = _timed(province_client, "/orgs/lookup/?q=第12市", repeat)
    r["[peer] django admin changelist page 1"] = _timed(province_client, "/django-admin/orgs/org/", repeat)
    r["[peer] django admin changelist deep page"] = _timed(province_client, f"/django-admin/orgs/org/?p={admin_deep}", repeat)
    return r


def report(vendor, counts, results):
    print(f"\ngonghui union tree benchmark on {vendor}: {counts['unions']:,} unions (built in {counts['build_seconds']:.1f} s)")
    print(f"{'page':<45}{'median ms':>12}")
    for name, ms in results.items():
        print(f"{name:<45}{ms:>12.1f}")
    pairs = [("union list page 1", "[peer] django admin changelist page 1"),
             ("union list deep page (90%)", "[peer] django admin changelist deep page")]
    print()
    for ours, peer in pairs:
        print(f"{ours} vs {peer}: {results[peer] / results[ours]:.1f}x faster")


if __name__ == "__main__":
    main()

"""Shared by the benchmarks: a fresh PostgreSQL database for each run."""


def recreate_pg_database(cfg):
    """Drop and create the database of a Django DATABASES entry (the benchmark owns it)."""
    import psycopg

    dsn = f"host={cfg['HOST'] or '127.0.0.1'} port={cfg['PORT'] or 5432} user={cfg['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')

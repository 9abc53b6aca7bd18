"""Helpers for the summary tests: fill an import template the way staff do, and read a
generated summary back as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import call_command
from python_calamine import CalamineWorkbook


def fill_template(kind: str, rows: list[dict], path: Path) -> Path:
    """Download the `kind` template (`gonghui template`), keep its header row and write
    `rows` (keyed by header, without the * of required columns) under it."""
    template = path.with_name(f"template-{kind}.xlsx")
    call_command("template", kind, out=str(template))
    first = CalamineWorkbook.from_path(str(template)).sheet_names[0]
    headers = CalamineWorkbook.from_path(str(template)).get_sheet_by_name(first).to_python()[0]
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(first)
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
    plain = [str(h).rstrip("*") for h in headers]
    unknown = {k for r in rows for k in r} - set(plain)
    assert not unknown, f"not in the {kind} template: {unknown}"
    for r, row in enumerate(rows, start=1):
        for c, h in enumerate(plain):
            value = row.get(h)
            if isinstance(value, dt.date):
                ws.write_string(r, c, value.isoformat())
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return path


def run_import(kind: str, path: Path, org: str):
    call_command("import", kind, str(path), org=org)


def summary_text(tmp_path: Path, org: str, period: str, *, subtree: bool = False, name: str = "summary.md") -> str:
    out = tmp_path / name
    args = ["--org", org, "--period", period, "--out", str(out)] + (["--subtree"] if subtree else [])
    call_command("summary", *args)
    return out.read_text(encoding="utf-8")


@pytest.fixture
def cli_tmp(tmp_path):
    return tmp_path

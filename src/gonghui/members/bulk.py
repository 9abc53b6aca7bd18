"""Writing new members set-wise: their rows with the ID number and phone encrypted, and
each with its 入会 event and first spell, by COPY on PostgreSQL and executemany elsewhere."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from gonghui.access.actor import Actor
from gonghui.core import crypto
from gonghui.core.validators import mask_id, mask_phone
from gonghui.members.choices import Employment, EventKind, Political, Status
from gonghui.members.models import Member, MembershipEvent, MemberSpell
from gonghui.members.pinyin import name_keys


def member_values(row: dict) -> dict:
    full, initials = name_keys(row["name"])
    phone = row.get("phone") or ""
    return {
        "name": row["name"], "name_pinyin": full, "name_initials": initials,
        "gender": row["gender"], "ethnicity": row.get("ethnicity") or "汉族", "birth_date": row["birth_date"],
        "id_number": crypto.encrypt(row["id_number"]), "id_hash": row["id_hash"], "id_masked": mask_id(row["id_number"]),
        "phone": crypto.encrypt(phone) if phone else "", "phone_hash": crypto.blind_index(phone, purpose="phone") if phone else "",
        "phone_masked": mask_phone(phone) if phone else "",
        "education": row.get("education") or "", "political": row.get("political") or Political.MASSES,
        "hukou": row.get("hukou") or "", "is_migrant_worker": bool(row.get("is_migrant_worker")),
        "new_form": row.get("new_form") or "", "employment": row.get("employment") or Employment.EMPLOYED,
        "position": row.get("position") or "", "joined_on": row["joined_on"], "card_no": row.get("card_no") or "",
        "status": Status.ACTIVE, "remarks": row.get("remarks") or "",
    }


def member_row(row: dict, batch: str) -> list:
    """A new member's column values in MEMBER_COLUMNS order."""
    values = member_values(row)
    values.update(org_id=row["_org"].pk, org_path=row["_org"].path, import_batch=batch, user_id=None)
    return [values[c] for c in MEMBER_COLUMNS]


# The columns COPY writes, in order: member_values' keys and what insert_members adds to them.
MEMBER_COLUMNS = ["name", "name_pinyin", "name_initials", "gender", "ethnicity", "birth_date",
                  "id_number", "id_hash", "id_masked", "phone", "phone_hash", "phone_masked", "education", "political",
                  "hukou", "is_migrant_worker", "new_form", "employment", "position", "joined_on", "card_no", "status",
                  "remarks", "org_id", "org_path", "import_batch", "user_id"]
EVENT_COLUMNS = ["member_id", "kind", "on", "org_id", "org_path", "other_org_id", "note", "created_by_id", "created_at"]
SPELL_COLUMNS = ["member_id", "org_id", "org_path", "status", "starts_on", "ends_on"]


def insert_members(cursor, rows: list[dict], *, actor: Actor, batch: str, sequence: str = "") -> None:
    """New members with their 入会 events and first spells, as plain column values: the ID
    number and phone are encrypted by member_row (the streaming import calls it ahead, in
    its own thread, and leaves the result under "_member"). With a `sequence` (PostgreSQL)
    the ids are taken from it up front, so nothing is read back; without one the rows go
    in by executemany and their ids are read back by batch."""
    if not rows:
        return
    now = timezone.now()
    user_id = actor.user.pk if actor.user is not None and actor.user.pk else None
    if sequence:
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
        ids = [pk for (pk,) in cursor.fetchall()]
        members = ([*(row.pop("_member", None) or member_row(row, batch)), now, now, pk] for pk, row in zip(ids, rows, strict=True))
        copy_rows(cursor, Member._meta.db_table, [*MEMBER_COLUMNS, "created_at", "updated_at", "id"], members)
    else:
        members = ([*member_row(row, batch), now, now] for row in rows)
        copy_rows(cursor, Member._meta.db_table, [*MEMBER_COLUMNS, "created_at", "updated_at"], members)
        # These rows are the batch's newest: ids only grow, and nobody else writes while
        # this transaction holds SQLite's one write lock.
        newest = Member.objects.filter(import_batch=batch).order_by("-id").values_list("id_hash", "id")[: len(rows)]
        by_hash = dict(newest)
        ids = [by_hash[row["id_hash"]] for row in rows]
    copy_rows(cursor, MembershipEvent._meta.db_table, EVENT_COLUMNS, (
        (pk, EventKind.JOIN, row["joined_on"], row["_org"].pk, row["_org"].path, None, "批量导入", user_id, now)
        for pk, row in zip(ids, rows, strict=True)))
    copy_rows(cursor, MemberSpell._meta.db_table, SPELL_COLUMNS, (
        (pk, row["_org"].pk, row["_org"].path, Status.ACTIVE, row["joined_on"], None)
        for pk, row in zip(ids, rows, strict=True)))


def copy_rows(cursor, table: str, columns: list[str], rows: Iterable) -> None:
    """Insert rows (sequences in column order): one COPY on PostgreSQL, executemany
    elsewhere. Rows are taken from the iterable while the ones before them stream."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = iter(rows)
    # Table and column names come from model metadata, never from input.
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    else:
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        cursor.executemany(sql, list(values))

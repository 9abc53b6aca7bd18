"""Defects found in the review of the activities module, each pinned by a test: numbers that
parse but cannot be compared ("NaN"), the list's links to statistics and both imports, the
per-activity attendance export on the people page, a member's file served sandboxed, and
two pieces of a study assignment handed in at the same moment."""

from __future__ import annotations

import datetime as dt
import struct
import tempfile
import threading
import time
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction
from python_calamine import CalamineWorkbook

from gonghui.access.actor import Actor
from gonghui.access.permissions import Role
from gonghui.activities import attendance, services, study
from gonghui.activities.models import Activity, StudySubmission
from gonghui.activities.tests.conftest import hours_from_now, kind
from gonghui.audit.models import AuditEvent
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of, staff
from gonghui.testing.members import make_id

# --- "NaN" is not a number ----------------------------------------------------------------------


@pytest.mark.parametrize("field, raw, label", [("cost", "NaN", "费用"), ("quiz_pass", "nan", "及格分"), ("hours", "NaN", "学时"),
                                               ("cost", "sNaN", "费用"), ("cost", Decimal("NaN"), "费用")])
def test_it_refuses_nan_in_a_number_field_with_a_chinese_message(tree, chair, field, raw, label):
    extra = {"quiz_name": "安全知识答卷"} if field == "quiz_pass" else {}
    with pytest.raises(ValidationError) as caught:
        services.activity_create(actor=chair, org=tree.grassroots, kind=kind(), title="登山", starts_at=hours_from_now(2),
                                 ends_at=hours_from_now(5), **{field: raw}, **extra)
    assert caught.value.message_dict[field] == [f"{label}“{raw}”不是数字。"]
    assert not Activity.objects.exists()


def test_the_activity_and_session_forms_answer_nan_with_the_form_not_a_500(tree, chair, make_activity, login, personas):
    client = login(personas.grassroots_chair)
    form = {"org_code": "G1", "kind": str(kind().pk), "title": "登山", "starts_at": "2026-05-01T09:00",
            "ends_at": "2026-05-01T12:00", "status": "planned", "target": "all", "funding": "union", "cost": "NaN"}
    page = client.post("/activities/new/", form)
    assert page.status_code == 200 and "费用“NaN”不是数字。" in page.content.decode()
    assert not Activity.objects.exists()
    a = make_activity()
    page = client.post(f"/activities/{a.pk}/sessions/new/", {"starts_at": "2026-05-02T09:00", "ends_at": "2026-05-02T12:00",
                                                            "hours": "NaN"})
    assert page.status_code == 200 and "学时“NaN”不是数字。" in page.content.decode()
    assert a.sessions.count() == 1


def test_a_nan_score_is_refused_like_any_other_non_number(tree, chair, people, make_activity):
    a = make_activity(quiz_name="安全知识答卷", quiz_pass="60")
    reg = attendance.registration_add(actor=chair, activity=a, member=people.man)
    with pytest.raises(ValidationError) as caught:
        attendance.score_record(actor=chair, registration=reg, score="NaN")
    assert "不是数字" in caught.value.messages[0]


def test_a_changed_pass_mark_judges_the_recorded_scores_again(tree, chair, people, make_activity):
    a = make_activity(quiz_name="安全知识答卷", quiz_pass="60")
    for member, score in ((people.man, "65"), (people.others[0], "80"), (people.others[1], "50")):
        reg = attendance.registration_add(actor=chair, activity=a, member=member)
        attendance.score_record(actor=chair, registration=reg, score=score)

    def passes():
        return {r.member_id: r.passed for r in a.registrations.all()}

    assert passes() == {people.man.pk: True, people.others[0].pk: True, people.others[1].pk: False}
    services.activity_update(actor=chair, activity=a, quiz_pass="70")
    assert passes() == {people.man.pk: False, people.others[0].pk: True, people.others[1].pk: False}
    services.activity_update(actor=chair, activity=a, quiz_pass="")
    assert passes() == {people.man.pk: None, people.others[0].pk: None, people.others[1].pk: None}


# --- the list's links -------------------------------------------------------------------------------


def test_the_list_links_to_statistics_and_to_both_imports_for_staff_who_manage(tree, login, personas):
    html = login(personas.grassroots_chair).get("/activities/").content.decode()
    assert 'href="/activities/stats/"' in html
    assert 'href="/imports/activities/"' in html and 'href="/imports/attendance/"' in html
    assert "导入参加人员" in html
    viewer = staff(tree.grassroots, Role.AUDITOR, username="auditor_g1")
    html = login(viewer).get("/activities/").content.decode()
    assert 'href="/activities/stats/"' in html
    assert "/imports/" not in html


# --- the people page's export ---------------------------------------------------------------------


def _sheet(response) -> list[list]:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        fh.write(b"".join(response.streaming_content))
        fh.flush()
        return CalamineWorkbook.from_path(fh.name).get_sheet_by_index(0).to_python()


def test_the_people_page_exports_its_activity_with_masked_ids(tree, chair, people, make_activity, login, personas):
    a = make_activity(title="读书分享会")
    other = make_activity(title="另一项活动")
    attendance.registration_add(actor=chair, activity=a, member=people.man)
    attendance.registration_add(actor=chair, activity=a, name="辖区居民甲")
    attendance.registration_add(actor=chair, activity=other, member=people.others[0])
    client = login(personas.grassroots_chair)
    assert f'href="/activities/{a.pk}/people/export/"' in client.get(f"/activities/{a.pk}/people/").content.decode()
    response = client.get(f"/activities/{a.pk}/people/export/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = _sheet(response)
    body = "\n".join("|".join(str(c) for c in r) for r in rows[1:])
    assert "张伟" in body and "辖区居民甲" in body and "王一" not in body and "另一项活动" not in body
    man = Member.objects.get(pk=people.man.pk)
    assert man.id_masked in body and man.id_number not in body
    assert AuditEvent.objects.filter(action="attendance.export", message__contains="读书分享会").exists()


def test_another_union_cannot_export_the_people_of_an_activity(tree, make_activity, login, personas):
    a = make_activity()
    assert login(personas.outsider).get(f"/activities/{a.pk}/people/export/").status_code == 404
    assert not AuditEvent.objects.filter(action="attendance.export").exists()


# --- a member's file ----------------------------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind_: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind_ + data + struct.pack(">I", zlib.crc32(kind_ + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def test_a_study_file_is_served_sandboxed_like_an_attachment(tree, chair, people, login, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    a = study.assignment_create(actor=chair, org=tree.grassroots, title="读书心得", starts_on=dt.date.today(),
                                due_on=dt.date.today() + dt.timedelta(days=9))
    piece = study.submission_add(actor=people.man_actor, assignment=a, member=people.man,
                                 upload=SimpleUploadedFile("心得.png", _png(), content_type="image/png"))
    response = login(people.man.user).get(f"/activities/study/pieces/{piece.pk}/file/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]


# --- two pieces at once -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_pieces_handed_in_at_once_are_numbered_one_after_the_other(tree, personas):
    """A double tap: the first piece is written but not committed when the second arrives.
    The second must wait and become 第2篇 (on PostgreSQL it used to take 第1篇 too and fail
    on the unique constraint with a 500)."""
    chair = actor_of(personas.grassroots_chair)
    a = study.assignment_create(actor=chair, org=tree.grassroots, title="读书心得", per_member=2, starts_on=dt.date.today(),
                                due_on=dt.date.today() + dt.timedelta(days=9))
    member = member_create(actor=Actor.system(), org=tree.grassroots, name="周勤", id_number=make_id(),
                           joined_on=dt.date(2020, 1, 1))
    Member.objects.filter(pk=member.pk).update(user=staff(tree.grassroots, Role.MEMBER, username="zhouqin"))
    member.refresh_from_db()
    actor = actor_of(member.user)
    written, release = threading.Event(), threading.Event()
    errors, seqs = [], []

    def first():
        try:
            with transaction.atomic():
                seqs.append(study.submission_add(actor=actor, assignment=a, member=member, text="第一篇").seq)
                written.set()
                release.wait(30)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            written.set()
        finally:
            connection.close()

    def second():
        try:
            written.wait(30)
            while True:
                try:
                    seqs.append(study.submission_add(actor=actor, assignment=a, member=member, text="第二篇").seq)
                    return
                except OperationalError as exc:  # in-memory SQLite: "locked" at once instead of waiting
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    written.wait(30)
    threads[1].start()
    time.sleep(0.5)  # the second is now waiting behind the first
    release.set()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(seqs) == [1, 2]
    assert sorted(StudySubmission.objects.filter(member=member).values_list("seq", flat=True)) == [1, 2]

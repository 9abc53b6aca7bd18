"""Records of the activities module in a union, for the isolation matrix
(tests/security/test_isolation_matrix.py): one per kind of id its routes take."""

import datetime as dt


def samples(org) -> tuple[dict, list[str]]:
    """({url parameter: value}, markers that must not appear to an outsider)."""
    from django.utils import timezone

    from gonghui.access.actor import Actor
    from gonghui.activities import attendance, services, study
    from gonghui.activities.models import ActivityKind, Attachment, Status
    from gonghui.members.services import member_create
    from gonghui.testing.members import make_id

    actor = Actor.system()
    now = timezone.now()
    partner = services.partner_create(actor=actor, org=org, name=f"隔壁合作医院{org.code}")
    activity = services.activity_create(actor=actor, org=org, kind=ActivityKind.objects.get(code="health"), title=f"隔壁义诊活动{org.code}",
                                        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2),
                                        status=Status.RUNNING, partners=[partner], quiz_name="隔壁答卷")
    session = activity.sessions.get()
    member = member_create(actor=actor, org=org, name="隔壁会员甲", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    reg = attendance.registration_add(actor=actor, activity=activity, member=member)
    checkin = attendance.checkin_record(actor=actor, session=session, registration=reg).checkin
    attachment = Attachment.objects.create(activity=activity, org_path=activity.org_path, token=f"matrix{org.pk}", filename="隔壁照片.png",
                                           content_type="image/png", size=1, sha256="0" * 64)
    assignment = study.assignment_create(actor=actor, org=org, title=f"隔壁学习任务{org.code}", starts_on=dt.date.today() - dt.timedelta(days=5),
                                         due_on=dt.date.today() + dt.timedelta(days=5))
    submission = study.submission_add(actor=actor, assignment=assignment, member=member, title="隔壁心得", text="隔壁心得正文")
    params = {"activity_id": activity.pk, "session_id": session.pk, "registration_id": reg.pk, "checkin_id": checkin.pk,
              "attachment_id": attachment.pk, "partner_id": partner.pk, "assignment_id": assignment.pk,
              "submission_id": submission.pk, "kind_id": ActivityKind.objects.get(code="other").pk,
              "token": attendance.checkin_token(session), "year": now.year, "month": now.month}
    return params, ["隔壁合作医院", "隔壁义诊活动", "隔壁会员甲", "隔壁照片", "隔壁学习任务", "隔壁心得"]

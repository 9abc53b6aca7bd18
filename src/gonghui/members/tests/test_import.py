import datetime as dt

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.members.models import Member, MembershipEvent, MemberSpell
from gonghui.members.sheets import members_import
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id, write_roster


@pytest.fixture
def chair(personas):
    return actor_of(personas.grassroots_chair)


def person(name="张三", **extra):
    row = {"姓名": name, "身份证号": make_id(), "入会时间": dt.date(2020, 5, 1), "手机号": "13812345678", "学历": "本科"}
    row.update(extra)
    return row


def test_it_imports_members_with_events_and_spells(tree, chair, tmp_path):
    rows = [person("张三"), person("李四", 所属工会编码="B1", 是否农民工="是", 新就业形态="快递员")]
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert report.ok and report.written and report.created == 2
    li = Member.objects.get(name="李四")
    assert li.org == tree.branch and li.is_migrant_worker and li.new_form == "courier" and li.name_initials == "ls"
    assert li.id_number == rows[1]["身份证号"] and li.education == "bachelor"
    assert MembershipEvent.objects.count() == 2 and MemberSpell.objects.filter(ends_on__isnull=True).count() == 2
    assert AuditEvent.objects.get(action="member.import").result == "success"


def test_reimporting_changes_nothing_and_a_corrected_file_updates(tree, chair, tmp_path):
    rows = [person("张三")]
    path = write_roster(tmp_path / "r.xlsx", rows)
    members_import(actor=chair, path=path, org=tree.grassroots)
    again = members_import(actor=chair, path=path, org=tree.grassroots)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    rows[0]["手机号"] = "13999998888"
    fixed = members_import(actor=chair, path=write_roster(tmp_path / "r2.xlsx", rows), org=tree.grassroots)
    assert fixed.updated == 1 and Member.objects.get().phone == "13999998888" and Member.objects.count() == 1


def test_any_bad_row_means_nothing_is_written(tree, chair, tmp_path):
    good = person("好人")
    bad_check = person("校验错")
    bad_check["身份证号"] = bad_check["身份证号"][:-1] + ("0" if bad_check["身份证号"][-1] != "0" else "1")
    rows = [
        good, bad_check,
        person("生日错", 出生日期="1970-01-01"),
        person("重复", 身份证号=good["身份证号"]),
        person("单位错", 所属工会编码="NOPE"),
        person("", ),
        person("日期错", 入会时间="2020-13-01"),
        person("超长" * 40),
        person("手机错", 手机号="12345"),
        person("上级单位", 所属工会编码="S1"),
    ]
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    assert not report.written and Member.objects.count() == 0
    text = dict(report.errors)
    assert "校验位不符" in text[3] and "出生日期与身份证号不一致" in text[4] and "与第2行重复" in text[5]
    assert "找不到工会编码" in text[6] and "不能为空" in text[7] and "不存在" in text[8]
    assert "最多50个字" in text[9] and "手机号" in text[10]
    assert "找不到工会编码“S1”" in text[11]
    assert AuditEvent.objects.get(action="member.import").result == "failure"
    valid = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots, mode="valid")
    assert valid.written and valid.created == 1 and Member.objects.get().name == "好人"


def test_a_member_of_another_union_is_refused_without_naming_it(tree, personas, tmp_path):
    from gonghui.members.services import member_create

    number = make_id()
    member_create(actor=actor_of(personas.outsider), org=tree.sibling_grassroots, name="王五", id_number=number, joined_on=dt.date(2021, 1, 1))
    report = members_import(actor=actor_of(personas.grassroots_chair), path=write_roster(tmp_path / "r.xlsx", [person("王五", 身份证号=number)]), org=tree.grassroots)
    assert "其他工会" in report.errors[0][1] and "望湖" not in report.errors[0][1]


def test_a_dry_run_checks_without_writing(tree, chair, tmp_path):
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", [person()]), org=tree.grassroots, dry_run=True)
    assert report.created == 1 and not report.written and Member.objects.count() == 0


def test_a_union_outside_scope_is_refused(tree, chair, tmp_path):
    report = members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", [person()]), org=tree.sibling_grassroots)
    assert report.file_error and Member.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_database_holds_no_id_or_phone_in_clear(tree, chair, tmp_path):
    """A real dump of the database (pg_dump / SQLite's iterdump) contains no clear ID or phone."""
    import subprocess

    from django.db import connection

    rows = [person("张三", 手机号="13811112222"), person("李四", 手机号="13933334444")]
    members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots)
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        dump = subprocess.run(
            ["pg_dump", "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"], "-d", s["NAME"], "--data-only"],
            capture_output=True, text=True, check=True,
        ).stdout
    else:
        dump = "\n".join(connection.connection.iterdump())
    assert "张三" in dump  # the dump did read the rows
    for row in rows:
        assert row["身份证号"] not in dump and row["手机号"] not in dump


def test_control_characters_in_cells_are_dropped(tree, chair, tmp_path):
    path = tmp_path / "nul.csv"
    number = make_id()
    path.write_text(f"姓名,身份证号,入会时间\n张\x00三,{number},2020-01-01\n", encoding="utf-8")
    report = members_import(actor=chair, path=path, org=tree.grassroots)
    assert report.written and Member.objects.get().name == "张三"


def test_progress_never_passes_the_total(tree, chair, tmp_path):
    seen = []
    rows = [person(f"会员{i}") for i in range(30)]
    members_import(actor=chair, path=write_roster(tmp_path / "r.xlsx", rows), org=tree.grassroots, progress=lambda d, t: seen.append((d, t)))
    assert seen and all(0 <= d <= t for d, t in seen) and seen[-1][0] == seen[-1][1]

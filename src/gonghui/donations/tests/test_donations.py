import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.donations import selectors, services
from gonghui.donations.models import Donation, Drive
from gonghui.members.services import member_create
from gonghui.testing.factories import actor_of
from gonghui.testing.members import make_id

TODAY = dt.date.today()


@pytest.fixture
def chair(personas):
    return actor_of(personas.grassroots_chair)


@pytest.fixture
def drive(tree, chair):
    return services.drive_create(actor=chair, org=tree.grassroots, name="抗震救灾爱心捐款", purpose="支援灾区",
                                 starts_on=TODAY - dt.timedelta(days=10), ends_on=TODAY + dt.timedelta(days=10))


@pytest.fixture
def members(tree, chair):
    return [member_create(actor=chair, org=tree.grassroots if i % 2 else tree.branch, name=f"会员{i}", id_number=make_id(),
                          joined_on=dt.date(2020, 1, 1)) for i in range(23)]


def test_it_totals_exactly_in_decimal(drive, members, chair):
    services.donation_batch(actor=chair, drive=drive, entries=[{"member": m, "amount": "43.33"} for m in members], on=TODAY)
    services.donation_record(actor=chair, drive=drive, kind="unit", name="临江机械厂", amount=Decimal("0.01"), on=TODAY)
    t = selectors.drive_totals(chair, drive)
    assert t["total"] == Decimal("996.60") and isinstance(t["total"], Decimal)
    assert t["member_amount"] == Decimal("996.59") and t["unit_amount"] == Decimal("0.01")
    assert (t["donors"], t["member_donors"], t["unit_donors"]) == (24, 23, 1)


def test_it_keeps_totals_right_after_a_reversal(drive, members, chair):
    a = services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("100"), on=TODAY)
    services.donation_record(actor=chair, drive=drive, member=members[1], amount=Decimal("50"), on=TODAY)
    mirror = services.donation_reverse(actor=chair, donation=a, reason="金额有误")
    assert mirror.amount == Decimal("-100.00") and mirror.reversal_of == a
    a.refresh_from_db()
    assert a.amount == Decimal("100.00")  # the original is never edited
    t = selectors.drive_totals(chair, drive)
    assert t["total"] == Decimal("50.00") and t["donors"] == 1
    with pytest.raises(ValidationError):
        services.donation_reverse(actor=chair, donation=a, reason="再来一次")
    with pytest.raises(ValidationError):
        services.donation_reverse(actor=chair, donation=mirror, reason="冲正的冲正")
    # after the reversal the member may donate again that day without a note
    services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("120"), on=TODAY)
    assert selectors.drive_totals(chair, drive)["total"] == Decimal("170.00")
    assert [r["name"] for r in selectors.acknowledgement(chair, drive)] == ["会员0", "会员1"]


def test_it_refuses_closed_drives_and_out_of_dates(drive, members, chair):
    for on in (drive.starts_on - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("10"), on=on)
        assert "on" in exc.value.message_dict
    services.drive_close(actor=chair, drive=drive)
    with pytest.raises(ValidationError) as exc:
        services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("10"), on=TODAY)
    assert "已结束" in exc.value.messages[0]
    services.drive_reopen(actor=chair, drive=drive)
    services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("10"), on=TODAY)
    assert Donation.objects.count() == 1


@pytest.mark.parametrize("amount, fragment", [("0", "大于0"), ("-5", "大于0"), ("1000000.01", "1,000,000"), ("1.234", "两位小数"), ("abc", "不是数字"), ("", "请填写金额")])
def test_it_refuses_bad_amounts(drive, members, chair, amount, fragment):
    with pytest.raises(ValidationError) as exc:
        services.donation_record(actor=chair, drive=drive, member=members[0], amount=amount, on=TODAY)
    assert fragment in exc.value.message_dict["amount"][0]
    assert not Donation.objects.exists()


def test_it_refuses_a_duplicate_member_on_the_same_day_without_a_note(drive, members, chair):
    services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("10"), on=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("20"), on=TODAY)
    assert "备注" in exc.value.message_dict["note"][0]
    services.donation_record(actor=chair, drive=drive, member=members[0], amount=Decimal("20"), on=TODAY, note="追加捐款")
    assert selectors.drive_totals(chair, drive)["donors"] == 1


def test_it_needs_exactly_one_donor(drive, members, chair):
    with pytest.raises(ValidationError):
        services.donation_record(actor=chair, drive=drive, member=members[0], name="某单位", amount=Decimal("10"), on=TODAY)
    with pytest.raises(ValidationError):
        services.donation_record(actor=chair, drive=drive, amount=Decimal("10"), on=TODAY)
    assert not Donation.objects.exists()


def test_it_writes_a_batch_all_or_nothing(drive, members, chair):
    entries = [{"member": m, "amount": "500"} for m in members]
    entries[5]["amount"] = "-1"
    entries.append({"member": members[0], "amount": "10"})  # same member twice, same day, no note
    with pytest.raises(ValidationError) as exc:
        services.donation_batch(actor=chair, drive=drive, entries=entries, on=TODAY)
    problems = exc.value.message_dict["entries"]
    assert any(p.startswith("第6条") for p in problems) and any(p.startswith("第24条") for p in problems)
    assert not Donation.objects.exists()
    services.donation_batch(actor=chair, drive=drive, entries=entries[:5] + entries[6:23], on=TODAY)
    assert selectors.drive_totals(chair, drive)["total"] == Decimal("11000.00")


def test_it_checks_drive_dates_and_names(tree, chair, drive):
    with pytest.raises(ValidationError) as exc:
        services.drive_create(actor=chair, org=tree.grassroots, name="抗震救灾爱心捐款", purpose="x", starts_on=TODAY, ends_on=TODAY - dt.timedelta(days=1))
    assert set(exc.value.message_dict) == {"name", "ends_on"}
    assert Drive.objects.count() == 1


def test_a_sibling_union_can_neither_see_nor_add_to_a_drive(drive, members, personas, tree):
    outsider = actor_of(personas.outsider)
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.drive_get(outsider, drive.pk)
    assert not selectors.drive_search(outsider).exists()
    with pytest.raises(PermissionDenied):
        services.donation_record(actor=outsider, drive=drive, kind="unit", name="外单位", amount=Decimal("1"), on=TODAY)
    with pytest.raises(PermissionDenied):
        services.drive_create(actor=outsider, org=tree.grassroots, name="x", purpose="y", starts_on=TODAY, ends_on=TODAY)
    assert not Donation.objects.exists()


def test_a_member_of_another_union_cannot_be_a_donor(drive, tree, personas, chair):
    other = member_create(actor=actor_of(personas.outsider), org=tree.sibling_grassroots, name="外会员", id_number=make_id(), joined_on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.donation_record(actor=chair, drive=drive, member=other, amount=Decimal("1"), on=TODAY)
    assert "member" in exc.value.message_dict


def test_a_higher_union_sees_each_unions_drives_and_the_rollup(drive, members, personas, tree, chair):
    street = actor_of(personas.street_chair)
    branch_drive = services.drive_create(actor=street, org=tree.branch, name="分会助学", purpose="助学", starts_on=TODAY - dt.timedelta(days=40), ends_on=TODAY)
    services.donation_record(actor=chair, drive=drive, member=members[1], amount=Decimal("100"), on=TODAY)
    services.donation_record(actor=street, drive=branch_drive, kind="unit", name="某公司", amount=Decimal("300.50"), on=TODAY - dt.timedelta(days=35))
    fig = selectors.subtree_figures(street, tree.street)
    assert fig["rollup"]["total"] == Decimal("400.50")
    assert {u["org"].code: u["total"] for u in fig["unions"]} == {"G1": Decimal("100.00"), "B1": Decimal("300.50")}
    as_of = selectors.subtree_figures(street, tree.street, end=TODAY - dt.timedelta(days=1))
    assert as_of["rollup"]["total"] == Decimal("300.50")
    assert selectors.subtree_figures(actor_of(personas.outsider), tree.sibling_street)["rollup"]["total"] == Decimal("0.00")

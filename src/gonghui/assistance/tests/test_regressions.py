"""Bugs the browser flow of a 送温暖 batch turned up."""

import datetime as dt
from decimal import Decimal

from gonghui.assistance import selectors, services
from gonghui.assistance.models import AssistanceRecord
from gonghui.assistance.tests.factories import SYSTEM, household


def test_the_sign_sheet_names_its_icon_so_the_browser_asks_for_no_missing_favicon(login, personas, tree):
    h = household(tree.grassroots, name="王困难")
    batch = services.batch_create(actor=SYSTEM, org=tree.grassroots, title="送温暖", on=dt.date(2025, 1, 20), occasion="new_year",
                                  households=[h], cash="500", funding="own")
    sheet = login(personas.grassroots_chair).get(f"/assistance/batches/{batch.pk}/sign-sheet/").content.decode()
    assert 'rel="icon"' in sheet and "favicon.svg" in sheet
    assert f'href="/assistance/batches/{batch.pk}/"' in sheet  # a way back that is hidden when printed


def test_the_household_ticks_of_a_batch_are_checkboxes_not_text_boxes(login, personas, tree):
    household(tree.grassroots, name="王困难")
    body = login(personas.grassroots_chair).get("/assistance/batches/new/").content.decode()
    box = body[body.index('name="households"') - 200:body.index('name="households"') + 200]
    assert 'type="checkbox"' in box and "form-check-input" in box and "form-control" not in box
    assert "<legend" in body and ">王困难</label>" in body and "<td>深度困难</td>" in body  # the chooser is a table


def test_totals_have_two_decimal_places_on_every_database(tree):
    h = household(tree.grassroots, name="王困难")
    services.record_create(actor=SYSTEM, household=h, on=dt.date(2025, 3, 5), occasion="sick", cash="300", funding="own")
    sums = selectors.totals(AssistanceRecord.objects.all())
    assert str(sums["total"]) == "300.00" and sums["cash"] == Decimal("300")
    assert str(selectors.totals(AssistanceRecord.objects.none())["total"]) == "0.00"

import pytest

from gonghui.orgs.models import Org
from gonghui.orgs.services import org_create
from gonghui.web.paging import keyset_page


@pytest.fixture
def many(tree, operator):
    # Ties on employee_count make the tiebreaker matter.
    for i in range(23):
        org_create(actor=operator, parent=tree.grassroots, code=f"K{i:02d}", name=f"分会{i:02d}", kind="branch", employee_count=i % 4)
    return Org.objects.filter(code__startswith="K")


@pytest.mark.parametrize("order", [("code", "id"), ("-code", "-id"), ("employee_count", "id"), ("-employee_count", "-id")])
def test_it_walks_forward_and_back_without_gaps_or_repeats(many, order):
    expected = list(many.order_by(*order).values_list("pk", flat=True))
    seen, cursor, pages = [], None, []
    while True:
        page = keyset_page(many, order=order, cursor=cursor, size=5)
        pages.append(page)
        seen += [o.pk for o in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected and len(pages) == 5
    back = keyset_page(many, order=order, cursor=pages[-1].prev_cursor, size=5)
    assert [o.pk for o in back.rows] == [o.pk for o in pages[-2].rows]
    assert pages[0].prev_cursor is None


def test_a_tampered_cursor_restarts_at_the_first_page(many):
    first = keyset_page(many, order=("code", "id"), size=5)
    assert [o.pk for o in keyset_page(many, order=("code", "id"), cursor="not-a-cursor", size=5).rows] == [o.pk for o in first.rows]

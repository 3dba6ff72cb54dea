"""The cases list (visitation:cases) and the transitions page's citizens of 65 or more on the
shared list mechanism: each filter and sort gives exactly the rows it says, paging is bounded in
queries, and the Excel download is audited as an export."""

import datetime
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from roret.core.models import AuditEntry
from roret.visitation import deadlines
from roret.visitation.lists import near_until
from roret.visitation.models import Inquiry
from tests.factories import PASSWORD
from tests.visitation import helpers
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)


@pytest.fixture
def cw(client):
    client.login(username="caseworker", password=PASSWORD)
    return client


def _case(world, n, *, paragraph="SEL108", deadline=None, unassigned=False, last_name=None):
    inquiry = helpers.inquiry(world, birth=datetime.date(1960 + n, 1, 1 + n), paragraph=paragraph)
    changes = {}
    if deadline is not None:
        changes["deadline"] = deadline
        changes["received_on"] = deadline - 60 * DAY
    if unassigned:
        changes["caseworker"] = None
    if changes:
        Inquiry.objects.filter(pk=inquiry.pk).update(**changes)
    if last_name:
        type(inquiry.citizen).objects.filter(pk=inquiry.citizen_id).update(last_name=last_name)
    return inquiry


def _pks(response):
    return [r.pk for r in response.context["rows"]]


def test_the_deadline_filter_gives_past_near_and_ok_cases_as_the_deadline_status_says(world, cw):
    past = _case(world, 1, deadline=TODAY - 2 * DAY)
    near = _case(world, 2, deadline=near_until(TODAY))
    ok = _case(world, 3, deadline=near_until(TODAY) + DAY)
    for inquiry, state in ((past, "past"), (near, "near"), (ok, "ok")):
        assert deadlines.status(Inquiry.objects.get(pk=inquiry.pk).deadline, TODAY)[0] == state
        response = cw.get("/visitation/", {"deadline": state})
        assert _pks(response) == [inquiry.pk] and response.context["page"].total == 1
        response = cw.get("/visitation/", {"deadline": state, "who": "mine"})
        assert _pks(response) == [inquiry.pk] and response.context["page"].total == 1
    summary = cw.get("/visitation/").context["summary"]
    assert (summary["team"], summary["team_past"], summary["team_near"]) == (3, 1, 1)
    assert (summary["mine"], summary["mine_past"], summary["mine_near"]) == (3, 1, 1)


def test_the_caseworker_paragraph_and_step_filters_give_exactly_their_rows(world, cw):
    mine = _case(world, 1, paragraph="SEL108")
    unassigned = _case(world, 2, paragraph="SEL85", unassigned=True)
    screened = helpers.screened_in(world, birth=datetime.date(1970, 6, 6))
    assert _pks(cw.get("/visitation/", {"who": "mine"})) == sorted(
        [mine.pk, screened.pk], key=lambda pk: (Inquiry.objects.get(pk=pk).deadline, pk))
    assert _pks(cw.get("/visitation/", {"who": "unassigned"})) == [unassigned.pk]
    assert _pks(cw.get("/visitation/", {"paragraph": "SEL85"})) == [unassigned.pk]
    assert _pks(cw.get("/visitation/", {"step": "assessment"})) == [screened.pk]
    assert set(_pks(cw.get("/visitation/", {"step": "screening"}))) == {mine.pk, unassigned.pk}


def test_an_unknown_filter_value_or_sort_is_a_message_or_the_default_never_an_error(world, cw):
    a = _case(world, 1)
    response = cw.get("/visitation/", {"who": "424242", "deadline": "tomorrow", "sort": "x;drop",
                                             "page": "-3"})
    assert response.status_code == 200
    assert _pks(response) == [a.pk]
    page = response.context["page"]
    assert page.params == {} and page.sort == "deadline" and page.number == 1 and len(page.messages) == 2


def test_sorting_by_citizen_name_both_ways_with_the_pk_as_tiebreak(world, cw):
    b = _case(world, 1, last_name="Bentsen")
    a = _case(world, 2, last_name="Andersen")
    c = _case(world, 3, last_name="Bentsen")
    assert _pks(cw.get("/visitation/", {"sort": "citizen"})) == [a.pk, b.pk, c.pk]
    response = cw.get("/visitation/", {"sort": "-citizen"})
    assert _pks(response) == [c.pk, b.pk, a.pk]
    assert 'aria-sort="descending"' in response.content.decode()


def test_paging_shows_the_count_and_a_page_beyond_the_end_is_the_last_page(world, cw, monkeypatch):
    import dataclasses

    from roret.visitation import lists

    monkeypatch.setattr(lists, "CASES", dataclasses.replace(lists.CASES, per_page=2))
    made = [_case(world, n, deadline=TODAY + (30 + n) * DAY) for n in range(5)]
    response = cw.get("/visitation/", {"page": "99", "who": "mine"})
    assert _pks(response) == [made[4].pk]
    page = response.context["page"]
    assert (page.number, page.pages, page.first, page.last, page.total) == (3, 3, 5, 5, 5)
    html = response.content.decode()
    assert "5-5 af 5" in html and 'href="?who=mine&amp;page=2"' in html


def _mine_toggle(response) -> tuple[str, dict]:
    """The "only mine" toggle's text and the query its link asks for."""
    link = re.search(r'<p id="mine-toggle"><a href="([^"]*)">([^<]*)</a>', response.content.decode())
    return link.group(2), parse_qs(urlsplit(unescape(link.group(1))).query)


def test_toggling_only_mine_keeps_the_other_filters_and_the_sort(world, cw):
    _case(world, 1)
    chosen = {"paragraph": "SEL108", "deadline": "ok", "sort": "-citizen"}
    text, query = _mine_toggle(cw.get("/visitation/", {**chosen, "page": "1"}))
    assert text == "Vis kun mine"
    assert query == {key: [value] for key, value in {**chosen, "who": "mine"}.items()}
    text, query = _mine_toggle(cw.get("/visitation/", {**chosen, "who": "mine"}))
    assert text == "Vis hele teamet"
    assert query == {key: [value] for key, value in chosen.items()}


def test_the_cases_list_uses_the_same_number_of_queries_for_3_and_9_rows(world, cw):
    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert cw.get("/visitation/", params).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        _case(world, n)
    small = [count(), count(sort="-citizen", deadline="ok"), count(page=2)]
    for n in range(3, 9):
        _case(world, n)
    assert [count(), count(sort="-citizen", deadline="ok"), count(page=2)] == small


def test_the_cases_excel_is_the_whole_filtered_list_audited_as_an_export(world, cw):
    a = _case(world, 1, paragraph="SEL85")
    _case(world, 2, paragraph="SEL108")
    response = cw.get("/visitation/", {"paragraph": "SEL85", "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == a.citizen.name
    entry = AuditEntry.objects.get(action="export", object_type="list", object_id="cases")
    assert entry.actor == world.users["caseworker"] and entry.citizen_count == 1
    assert entry.after == {"citizens": [a.citizen_id]}
    assert not AuditEntry.objects.filter(action="list", object_id="cases").exists()


def test_the_citizens_of_65_are_paged_sorted_and_filtered_by_offer(world, cw):
    old = world.citizen(birth=datetime.date(TODAY.year - 80, 1, 1), last_name="Ældst")
    young = world.citizen(birth=datetime.date(TODAY.year - 70, 1, 1), last_name="Aage")
    world.place(old, world.residential, start=datetime.date(2020, 1, 1))
    world.place(young, world.day_offer, start=datetime.date(2020, 1, 1))
    assert [c.pk for c in cw.get("/visitation/transitions/").context["elderly"]] == [old.pk, young.pk]
    assert [c.pk for c in cw.get("/visitation/transitions/", {"sort": "age"}).context["elderly"]] == [young.pk, old.pk]
    assert [c.pk for c in cw.get("/visitation/transitions/",
                                 {"offer": world.day_offer.pk}).context["elderly"]] == [young.pk]


def test_the_65_plus_excel_lists_the_whole_filtered_list_audited(world, cw):
    old = world.citizen(birth=datetime.date(TODAY.year - 80, 1, 1), last_name="Ældst")
    world.place(old, world.residential, start=datetime.date(2020, 1, 1))
    response = cw.get("/visitation/transitions/", {"format": "xlsx", "page": "5"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == old.name and rows[1][2] == str(world.residential) and len(rows) == 2
    entry = AuditEntry.objects.get(action="export", object_id="transitions")
    assert entry.citizen_count == 1 and entry.after == {"citizens": [old.pk]}

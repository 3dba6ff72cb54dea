"""The overview's work list: what needs doing first, read through the cases and follow-up queries."""

import datetime

from roret.outcomes import queries
from roret.visitation import services as visitation
from tests.factories import PASSWORD
from tests.visitation import helpers
from tests.visitation.helpers import TODAY

DAY = datetime.timedelta(days=1)


def _placed(world, offer, start, **extra):
    decision = helpers.granted(world, offer=offer, start=start)
    return visitation.place_from_decision(decision, offer, start, actor=world.users["caseworker"], **extra)


def test_follow_up_counts_agree_with_the_follow_up_list(world):
    _placed(world, world.residential, TODAY - 120 * DAY)   # residential: due 3 months after move-in, overdue
    _placed(world, world.external, TODAY - 80 * DAY, external_reason="no_vacancy")  # due in about 10 days
    cw = world.users["caseworker"]
    rows = queries.follow_ups_due(cw, TODAY)
    assert queries.follow_up_counts(cw, TODAY) == {"overdue": sum(r.overdue for r in rows),
                                                   "upcoming": sum(not r.overdue for r in rows)} == {
        "overdue": 1, "upcoming": 1}
    assert [r.pk for r in queries.follow_ups_due(cw, TODAY, limit=1)] == [rows[0].pk]
    assert queries.follow_up_counts(world.users["outsider"], TODAY) == {"overdue": 0, "upcoming": 0}


def test_the_caseworkers_overview_names_the_case_past_its_deadline_and_the_overdue_follow_up(world, client):
    late = helpers.inquiry(world, received_on=TODAY - 120 * DAY)          # SEL §108: past its deadline
    placement = _placed(world, world.residential, TODAY - 120 * DAY)
    client.login(username="caseworker", password=PASSWORD)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    work = page[page.index('id="work-list"'):]
    assert "Din arbejdsliste" in page
    assert '<span class="value roret-warn">1</span>af dine sager er over fristen' in work
    assert '<span class="value roret-warn">1</span>opfølgninger er overskredet' in work
    cases = page[page.index('id="urgent-cases"'):]
    assert f'href="/visitation/inquiries/{late.pk}/"' in cases
    follow_ups = page[page.index('id="urgent-follow-ups"'):]
    assert f'href="/visitation/citizens/{placement.citizen_id}/timeline/"' in follow_ups


def test_centre_staff_see_their_follow_ups_but_no_case_deadlines(world, client):
    _placed(world, world.residential, TODAY - 120 * DAY)
    client.login(username="centre_staff", password=PASSWORD)
    page = client.get("/").content.decode()
    assert 'id="work-list"' in page and 'id="urgent-follow-ups"' in page
    assert 'id="urgent-cases"' not in page and 'href="/visitation/?who=mine"' not in page

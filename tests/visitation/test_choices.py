"""The assessment's multiple choices as FFB-grouped checkboxes, and the decision page's staircase
choice as a visible, labelled control (issue 14)."""

import lxml.html
import pytest
from django.urls import reverse

from roret.core.models import Term
from roret.visitation import themes
from roret.visitation.models import Assessment
from tests.factories import PASSWORD
from tests.visitation import helpers


@pytest.fixture
def cw(client):
    assert client.login(username="caseworker", password=PASSWORD)
    return client


def test_the_target_groups_are_checkboxes_grouped_under_their_ffb_heading(world, cw):
    citizen = helpers.screened_in(world).citizen
    page = lxml.html.fromstring(cw.get(reverse("visitation:assessment_new", args=[citizen.pk])).content.decode())
    [box] = page.xpath("//fieldset[@id='target_groups']")
    headings = [s.text_content().strip() for s in box.xpath(".//details/summary")]
    assert headings == sorted(Term.objects.filter(group="target_group", depth=2).values_list("display", flat=True))
    boxes = box.xpath(".//input[@type='checkbox'][@name='target_groups']")
    # Every choosable target group once, each with its own label.
    assert sorted(int(b.get("value")) for b in boxes) == sorted(
        Term.objects.filter(group="target_group", depth__gte=2).values_list("pk", flat=True))
    for b in boxes:
        assert page.xpath(f"//label[@for='{b.get('id')}']")
    autism = helpers.term("Autismespektrum", "target_group")
    [item] = box.xpath(f".//li[.//input[@value='{autism.pk}']]")
    heading = item.xpath("ancestor::details/summary")[0].text_content().strip()
    ancestor = autism
    while ancestor.depth > 2:
        ancestor = ancestor.parent
    assert heading == ancestor.display
    # The filter field is hidden until the script shows it; the script is a file (CSP).
    assert page.xpath("//div[@data-choice-tools][@hidden]")
    assert page.xpath("//script[contains(@src, 'roret/choice-groups.js')]")


def test_the_grouped_choices_save_the_same_terms_as_before(world, cw):
    citizen = helpers.screened_in(world).citizen
    groups = [helpers.term("Autismespektrum", "target_group"), helpers.term("Angst", "target_group")]
    wished = helpers.term("Midlertidigt botilbud til voksne", "offer_type")
    response = cw.post(reverse("visitation:assessment_new", args=[citizen.pk]), {
        "hopes": "Mit eget sted", "support_need": str(helpers.term("Højt støttebehov").pk),
        "target_groups": [str(g.pk) for g in groups], "wished_offer_types": [str(wished.pk)]})
    assert response.status_code == 302
    assessment = Assessment.objects.get(citizen=citizen)
    assert set(assessment.target_groups.all()) == set(groups)
    assert list(assessment.wished_offer_types.all()) == [wished]


def test_choice_groups_follow_the_ffb_tree(db):
    groups = themes.choice_groups("offer_type", set())
    for group in groups:
        assert group["term"].depth == 2 and group["items"][0] == {"term": group["term"], "indent": 0, "chosen": False}
        for item in group["items"][1:]:
            # Each item sits right under an item of one indent less above it (tree order).
            parent = item["term"].parent
            assert item["indent"] == item["term"].depth - 2
            assert parent in [i["term"] for i in group["items"]]


def test_the_staircase_choice_is_a_labelled_visible_radio_and_the_offers_are_grouped_by_step(world, cw):
    decision = helpers.granted(world)
    page = lxml.html.fromstring(
        cw.get(reverse("visitation:decision_new", args=[decision.assessment_id])).content.decode())
    picks = page.xpath("//table[@id='proposal']//input[@name='pick']")
    assert picks
    for pick in picks:
        # DKFDS's reset (appearance: none) leaves a bare radio 0 x 0 px: the design system's class draws it.
        assert pick.get("class") == "form-radio"
        [label] = page.xpath(f"//label[@for='{pick.get('id')}']")
        assert label.text_content().strip().startswith("Vælg")
    groups = page.xpath("//select[@id='id_offer']/optgroup")
    steps = [int(g.get("label").split(".")[0]) for g in groups]
    assert steps == sorted(steps)
    lowest = [g.get("label") for g in groups if "laveste tilstrækkelige" in g.get("label")]
    proposed = page.xpath("//p[@id='lowest-step']/strong")[0].text_content().strip()
    assert lowest == [f"{proposed} – foreslået: laveste tilstrækkelige trin"]

"""Forms speak Danish to the end: no Django "---------" as an empty choice."""

import pytest

from roret.capacity.forms import EventForm, ScenarioForm
from roret.citizens.forms import ConsentForm, RelativeForm
from roret.visitation import forms as visitation_forms


@pytest.mark.parametrize("make", [
    RelativeForm, ConsentForm, EventForm, ScenarioForm,
    visitation_forms.InquiryForm, visitation_forms.ScreeningForm,
    lambda: visitation_forms.DecisionForm(offers=None), lambda: visitation_forms.PlacementForm(offers=None),
])
def test_no_form_offers_dashes_as_its_empty_choice(db, make):
    html = make().as_p()
    assert "---------" not in html

"""The decision letter (afgørelsesbrev) as a Danish PDF with WeasyPrint: the decision, its
legal basis, the justification and the appeal guidance (four weeks, Retssikkerhedsloven)."""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# The paragraph in the words a letter uses.
LEGAL_TEXT = {
    "SEL82a": "lov om social service § 82 a (tidlig gruppebaseret hjælp og støtte)",
    "SEL82b": "lov om social service § 82 b (tidlig individuel hjælp og støtte)",
    "SEL84": "lov om social service § 84 (aflastning)",
    "SEL85": "lov om social service § 85 (socialpædagogisk bistand)",
    "SEL97": "lov om social service § 97 (ledsageordning)",
    "SEL99": "lov om social service § 99 (kontaktperson)",
    "SEL102": "lov om social service § 102 (behandling)",
    "SEL103": "lov om social service § 103 (beskyttet beskæftigelse)",
    "SEL104": "lov om social service § 104 (aktivitets- og samværstilbud)",
    "SEL107": "lov om social service § 107 (midlertidigt botilbud)",
    "SEL108": "lov om social service § 108 (længerevarende botilbud)",
    "SEL110": "lov om social service § 110 (forsorgshjem)",
    "ABL105": "almenboligloven § 105 med støtte efter lov om social service § 85",
}
APPEAL_WEEKS = 4


def context(decision) -> dict:
    return {
        "decision": decision, "citizen": decision.citizen, "legal_text": LEGAL_TEXT[decision.paragraph],
        "municipality": settings.RORET["MUNICIPALITY_NAME"], "printed_on": datetime.date.today(),
        "appeal_weeks": APPEAL_WEEKS,
        "appeal_by_example": decision.decided_on + datetime.timedelta(weeks=APPEAL_WEEKS),
    }


def render_html(decision) -> str:
    with translation.override("da"):
        return render_to_string("visitation/letter.html", context(decision))


def render_letter(decision) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(decision)).write_pdf()

"""Demo capacity scenarios: what an economist would put beside the baseline in the demo
municipality (the places and stays themselves come from the demo's offers and placements)."""

from decimal import Decimal

from roret.capacity.models import EventKind, Scenario, ScenarioEvent
from roret.core.models import User

SCENARIOS = [
    ("sel108", "Nybyggeri: 12 boliger fra 2028",
     "Et nyt bosted med 12 længerevarende pladser tages i brug efter 18 måneder.",
     0, 0, "1.00", 0, [(EventKind.PLACE_CHANGE, 18, 12, "Nyt bosted, 12 boliger")]),
    ("sel108", "Hjemtagning: 8 købte pladser",
     "Otte borgere i købte pladser flyttes hjem i to etaper, når nye egne pladser er klar.",
     0, 0, "1.00", 0, [(EventKind.CONVERSION, 12, 4, "Første etape"), (EventKind.CONVERSION, 24, 4, "Anden etape")]),
    ("sel108", "Strategisk tomgang og ældreområdet",
     "To pladser holdes til akutte behov; fire af de ældste beboere flytter til ældreområdet.",
     2, 0, "1.00", 0, [(EventKind.ELDERLY_CARE, 6, 2, "Plejebolig"), (EventKind.ELDERLY_CARE, 18, 2, "Plejebolig")]),
    ("sel107", "Flere unge: efterspørgsel +15 %",
     "Flere unge fra børneområdet: 15 % flere borgere får brug for en midlertidig plads fra år 2.",
     1, 0, "1.15", 12, []),
]


def build_capacity(builder) -> None:
    """Called at the end of DemoBuilder.build(), inside its transaction."""
    economist = User.objects.get(username="economist")
    for group, name, description, reserved, reserved_from, factor, factor_from, events in SCENARIOS:
        scenario = Scenario.objects.create(
            group=group, name=name, description=description, reserved_places=reserved, reserved_from=reserved_from,
            demand_factor=Decimal(factor), demand_from=factor_from, created_by=economist)
        ScenarioEvent.objects.bulk_create([ScenarioEvent(scenario=scenario, kind=kind, month=month, places=places,
                                                         label=label) for kind, month, places, label in events])

"""Loading KL's FFB code system (a FHIR CodeSystem) into ``Term`` rows, keeping KL's codes."""

import json
from pathlib import Path

FFB_PATH = Path(__file__).parent / "fixtures" / "kl-term" / "CodeSystem-FFB.json"

# Subtree root display names -> the group every concept below them belongs to.
GROUP_ROOTS = {
    "Ydelse": "service",
    "Tilbud": "offer_type",
    "Målgruppe": "target_group",
    "Støttebehovsniveau": "support_need",
    "Funktionsevneniveau": "functional_level",
    "Måltype": "goal_type",
    "Status på indsats": "follow_up_status",
    "FFB tilstande": "theme",
}

# Levels in order (0 none ... 4 complete); "Ikke vurderet" is kept apart as None.
FUNCTIONAL_LEVELS = [
    "Ingen nedsat funktionsevne", "Let nedsat funktionsevne", "Moderat nedsat funktionsevne",
    "Svært nedsat funktionsevne", "Fuldstændig nedsat funktionsevne",
]
SUPPORT_NEEDS = [
    "Intet støttebehov", "Let støttebehov", "Moderat støttebehov", "Højt støttebehov",
    "Fuldstændigt støttebehov",
]


def iter_concepts(path: Path = FFB_PATH):
    """Yield (code, display, definition, parent_code, depth, group, version) depth-first."""
    data = json.loads(path.read_text(encoding="utf-8"))
    version = data["version"]

    def walk(concepts, parent, depth, group):
        for concept in concepts:
            own_group = GROUP_ROOTS.get(concept["display"], group)
            yield (concept["code"], concept["display"], concept.get("definition", ""), parent, depth,
                   own_group, version)
            yield from walk(concept.get("concept", []), concept["code"], depth + 1, own_group)

    yield from walk(data["concept"], None, 0, "other")


def load_terms(term_model, path: Path = FFB_PATH) -> int:
    """Create or update ``Term`` rows from the code system; returns how many concepts were read."""
    by_code = {}
    count = 0
    for code, display, definition, parent, depth, group, version in iter_concepts(path):
        term, _created = term_model.objects.update_or_create(
            code=code,
            defaults={"display": display, "definition": definition, "depth": depth, "group": group,
                      "version": version, "parent": by_code.get(parent)},
        )
        by_code[code] = term
        count += 1
    return count

"""The FFB assessment themes (FFB tilstande) as the assessment form and the exports use them."""

from dataclasses import dataclass, field

from roret.core.models import Term
from roret.core.terms import FUNCTIONAL_LEVELS, SUPPORT_NEEDS

ACTIVITY_GROUP = "Aktivitet og deltagelse"
NOTE_GROUPS = ("Funktioner og forhold", "Omgivelsesfaktorer")
# The order: the citizen's daily life first.
ACTIVITY_ORDER = ["Praktiske opgaver", "Egenomsorg", "Mobilitet", "Kommunikation", "Relationer", "Samfundsliv"]
NOT_ASSESSED = "Ikke vurderet"
GOAL_TYPES = ["Udvikle funktionsevne", "Fastholde funktionsevne", "Begrænse tab af funktionsevne"]


@dataclass
class ThemeNode:
    term: Term
    children: list = field(default_factory=list)


def _tree() -> tuple[list[ThemeNode], list[ThemeNode], set[int]]:
    terms = list(Term.objects.filter(group="theme").order_by("display"))
    by_parent: dict = {}
    for term in terms:
        by_parent.setdefault(term.parent_id, []).append(term)
    groups = {t.display: t for t in terms if t.depth == 1}
    activity, notes, levelled = [], [], set()
    if ACTIVITY_GROUP in groups:
        themes = sorted(by_parent.get(groups[ACTIVITY_GROUP].pk, []),
                        key=lambda t: ACTIVITY_ORDER.index(t.display) if t.display in ACTIVITY_ORDER else 99)
        for theme in themes:
            subs = by_parent.get(theme.pk, [])
            activity.append(ThemeNode(theme, subs))
            levelled.add(theme.pk)
            levelled.update(s.pk for s in subs)
    for name in NOTE_GROUPS:
        if name in groups:
            for theme in by_parent.get(groups[name].pk, []):
                notes.append(ThemeNode(theme, by_parent.get(theme.pk, [])))
    return activity, notes, levelled


def activity_themes() -> list[ThemeNode]:
    """The six themes under "Aktivitet og deltagelse", each with its sub-themes (levels + notes)."""
    return _tree()[0]


def note_themes() -> list[ThemeNode]:
    """The themes of "Funktioner og forhold" and "Omgivelsesfaktorer" (notes, no level)."""
    return _tree()[1]


def levelled_theme_ids() -> set[int]:
    return _tree()[2]


def level_label(level: int | None) -> str:
    return FUNCTIONAL_LEVELS[level] if level is not None else NOT_ASSESSED


def level_term(level: int | None) -> Term | None:
    return Term.objects.filter(group="functional_level", display=level_label(level)).first()


def support_needs() -> list[Term]:
    """Support-need terms in order (none .. complete), then "Ikke vurderet"."""
    terms = {t.display: t for t in Term.objects.filter(group="support_need")}
    return [terms[d] for d in SUPPORT_NEEDS + [NOT_ASSESSED] if d in terms]


def goal_types() -> list[Term]:
    terms = {t.display: t for t in Term.objects.filter(group="goal_type")}
    return [terms[d] for d in GOAL_TYPES if d in terms]


LEVEL_CHOICES = [(str(i), label) for i, label in enumerate(FUNCTIONAL_LEVELS)] + [("", NOT_ASSESSED)]


def choice_groups(group: str, chosen: set[str]) -> list[dict]:
    """The terms of an FFB ``group`` (target groups, offer types) that an assessment may choose
    (depth 2 and below), grouped under the group's first level as FFB orders them: each group is
    its heading term (itself choosable) with its descendants in tree order, each with its depth
    below the heading (for the indent) and whether it is ``chosen`` (ids as strings)."""
    terms = list(Term.objects.filter(group=group, depth__gte=2).order_by("display"))
    children: dict = {}
    for term in terms:
        children.setdefault(term.parent_id, []).append(term)
    def walk(term, indent):
        yield {"term": term, "indent": indent, "chosen": str(term.pk) in chosen}
        for child in children.get(term.pk, []):
            yield from walk(child, indent + 1)

    groups = []
    for top in (t for t in terms if t.depth == 2):
        items = list(walk(top, 0))
        groups.append({"term": top, "items": items, "chosen": sum(i["chosen"] for i in items)})
    return groups

"""Accessibility checks in the browser tests with axe-core (npm, installed by ``make install``).

The script is injected with the context's init script, which the browser runs through its
DevTools protocol and not as a page script, so the pages' Content-Security-Policy (no inline
scripts) stays as it is. ``serious_violations`` runs axe's WCAG 2.0/2.1 A and AA rules on the
page and returns the violations of impact "serious" or "critical", each as
(rule, impact, nodes, first element, help) for a readable failure."""

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"


def inject(context) -> None:
    """Make axe available on every page the context opens."""
    context.add_init_script(path=str(AXE_SCRIPT))


def serious_violations(page) -> list[tuple]:
    result = page.evaluate(RUN, RULES)
    return [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"], v["help"])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]

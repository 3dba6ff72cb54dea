"""The WHO-5 curve on the citizen timeline, drawn with the reports' one chart definition."""

from django.utils.translation import gettext as _

from roret.outcomes.instruments import WHO5
from roret.reports.toolkit.charts import Series, line_chart


def who5_chart(measurements):
    """Inline SVG of the citizen's WHO-5 scores with the Danish band limits (50 and 35), or ""."""
    if not measurements:
        return ""
    labels = [f"{m.measured_on:%d.%m.%y}" for m in measurements]
    n = len(measurements)
    normal = next(b for b in WHO5.bands if b.key == "normal").low - 1
    high_risk = next(b for b in WHO5.bands if b.key == "high_risk").high
    return line_chart(
        [Series("WHO-5", [m.score for m in measurements]),
         Series(_("Limit: normal above %(n)d") % {"n": normal}, [normal] * n, color="#009e73", dashed=True),
         Series(_("Limit: high risk at %(n)d and below") % {"n": high_risk}, [high_risk] * n, color="#d55e00",
                dashed=True)],
        x_labels=labels, title=_("Quality of life (WHO-5, 0-100)"), y_label="WHO-5", y_min=0, y_max=100,
        height=260)

"""The offer catalogue as a list spec (roret.core.lists): filtered by own or external, legal
basis and provider, sorted by each column and paged. The catalogue (a few hundred offers) is
computed whole, with the committee's suppression pattern, and then sorted and cut in memory; a
figure hidden from the committee sorts as empty, so the order reveals nothing of it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from roret.core.lists import Column, Filter, ListSpec
from roret.offers.models import LegalBasis, Provider


def _figure(name):
    return lambda o: None if name in getattr(o, "hidden", ()) else getattr(o, name)


def _providers(user):
    return list(Provider.objects.order_by("name", "pk").values_list("pk", "name"))


OFFERS = ListSpec(
    name="offers",
    default_sort="provider",
    columns=[
        Column("offer", _("Offer"), key_fn=lambda o: o.name),
        Column("provider", _("Provider"), key_fn=lambda o: (o.provider.name, o.name)),
        Column("legal_basis", _("Legal basis"), key_fn=lambda o: o.legal_basis),
        Column("places", _("Places"), key_fn=lambda o: o.places, css="roret-num"),
        Column("occupied", _("Occupied"), key_fn=_figure("occupied"), css="roret-num"),
        Column("occupancy", _("Occupancy"), key_fn=_figure("occupancy_rate")),
        Column("vacant", _("Vacant"), key_fn=_figure("vacancy"), css="roret-num"),
        Column("strategic", _("Strategic vacancy"), key_fn=lambda o: o.strategic_vacancy, css="roret-num"),
        Column("waiting", _("Waiting"), key_fn=_figure("waiting"), css="roret-num"),
        Column("tariff", _("Tariff"), key_fn=lambda o: o.tariff_amount, css="roret-num"),
    ],
    filters=[
        Filter("kind", _("Own or external"), lambda user: [("own", _("Own offers")), ("external", _("External offers"))],
               lambda rows, value, user: [o for o in rows if o.is_own_row == (value == "own")]),
        Filter("legal_basis", _("Legal basis"), lambda user: LegalBasis.choices,
               lambda rows, value, user: [o for o in rows if o.legal_basis == value]),
        Filter("provider", _("Provider"), _providers,
               lambda rows, value, user: [o for o in rows if o.provider_id == int(value)]),
    ],
)

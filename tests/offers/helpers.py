"""Reading a page as a person does, and posting a form that must be refused with nothing written."""

import re

from roret.core.models import AuditEntry
from roret.offers.models import Offer, PlaceChange, Provider, Tariff


def page_text(response) -> str:
    """The page's visible text: tags removed, whitespace folded."""
    folded = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    return folded.replace(" :", ":").replace("&quot;", '"')


def catalogue_state():
    """Everything the catalogue pages may write."""
    return (list(Provider.objects.order_by("pk").values()), list(Offer.objects.order_by("pk").values()),
            list(Tariff.history.order_by("pk").values()), list(PlaceChange.objects.order_by("pk").values()),
            AuditEntry.objects.count())


def refused(client, url, data, *, field, says, status=400):
    """Post ``data``: refused with ``status``, the message names ``field`` (the label as the form
    shows it, or None for a message at the top) and says ``says``; no server error, nothing written."""
    before = catalogue_state()
    response = client.post(url, data)
    assert response.status_code == status, (response.status_code, url)
    text = page_text(response)
    assert "Intet blev gemt" in text, text[:400]
    where = text[text.find("Intet blev gemt"):][:700]
    assert says in where, where
    if field:
        at = where.find(f"{field}: ")
        assert at >= 0 and says in where[at:at + len(field) + 250], where
    assert catalogue_state() == before
    return response

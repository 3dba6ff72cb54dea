"""Keep the cost segments in step with the record: a saved placement, agreed tariff, standard
tariff, grant or offer rebuilds the segments of the placements it touches, in the same transaction.

Bulk writes (the demo build) bypass signals and call ``refresh_segments()`` themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from roret.offers.models import Offer, Tariff
from roret.placements.models import Grant, Placement, PlacementTariff


def _refresh(ids):
    from roret.economy.services import refresh_segments

    ids = list(ids)
    if ids:
        refresh_segments(ids)


@receiver(post_save, sender=Placement, dispatch_uid="economy_placement_saved")
def placement_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh([instance.pk])


@receiver([post_save, post_delete], sender=PlacementTariff, dispatch_uid="economy_placement_tariff")
def placement_tariff_changed(sender, instance, raw=False, **kwargs):
    if not raw and Placement.objects.filter(pk=instance.placement_id).exists():
        _refresh([instance.placement_id])


@receiver([post_save, post_delete], sender=Tariff, dispatch_uid="economy_tariff")
def tariff_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(Placement.objects.filter(offer_id=instance.offer_id).values_list("pk", flat=True))


@receiver(post_save, sender=Grant, dispatch_uid="economy_grant")
def grant_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        _refresh(instance.placements.values_list("pk", flat=True))


@receiver(post_save, sender=Offer, dispatch_uid="economy_offer")
def offer_saved(sender, instance, raw=False, created=False, **kwargs):
    """An offer's account function, offer type or provider are on its placements' segments."""
    if not raw and not created:
        _refresh(Placement.objects.filter(offer_id=instance.pk).values_list("pk", flat=True))

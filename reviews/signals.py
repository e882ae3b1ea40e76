"""Keep each claim's stored search text in step with what it is searched by."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from claims.models import Claim, Excerpt
from reviews.models import Review
from reviews.services import claims_schedule_search_refresh


@receiver(post_save, sender=Claim)
def claim_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        claims_schedule_search_refresh(claim_ids=[instance.pk])


@receiver(pre_save, sender=Excerpt)
def excerpt_remember_claim(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        stored = Excerpt.objects.filter(pk=instance.pk).values_list("claim_id", flat=True)
        instance._stored_claim_id = stored.first()


@receiver(post_save, sender=Excerpt)
@receiver(post_delete, sender=Excerpt)
def excerpt_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        stored = getattr(instance, "_stored_claim_id", None)
        claims_schedule_search_refresh(claim_ids=[instance.claim_id, stored])


@receiver(post_save, sender=Review)
@receiver(post_delete, sender=Review)
def review_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        claims_schedule_search_refresh(claim_ids=[instance.claim_id])

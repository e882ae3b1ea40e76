"""Derived state kept in step with its sources: each claim's search text, and the
re-review flag of claims whose evidence includes a study that has been retracted."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from claims.models import Claim, Excerpt
from reviews.models import Review
from reviews.services import claims_schedule_search_refresh, study_flag_dependent_claims
from sources.models import Study


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


@receiver(pre_save, sender=Study)
def study_remember_retraction(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        stored = Study.objects.filter(pk=instance.pk).values_list("is_retracted", flat=True)
        instance._was_retracted = stored.first()


@receiver(post_save, sender=Study)
def study_retracted(sender, instance, created, raw=False, **kwargs):
    if raw or not instance.is_retracted or getattr(instance, "_was_retracted", False):
        return
    reason = f"A study it relies on was retracted: {instance}."
    study_flag_dependent_claims(study=instance, reason=reason)

"""Derived state kept in step with its sources: each claim's published state and search
text, the re-review flag of claims whose evidence includes a study that has been
retracted, and the cached public pages that show whatever changed."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from claims.models import Claim, Excerpt
from config.generation import site_changed
from reviews.models import EvidenceLink, Review
from reviews.services import (
    claims_schedule_refresh,
    documents_schedule_refresh,
    studies_schedule_refresh,
    study_flag_dependent_claims,
)
from sources.models import Document, Study


def _stored(instance, *fields: str) -> tuple:
    """The values of these fields as the database holds them before a save (Nones for a
    row not saved yet): what a change moved a row away from."""
    row = type(instance)._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    return row or (None,) * len(fields)


@receiver(post_save, sender=Claim)
def claim_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        claims_schedule_refresh(claim_ids=[instance.pk])
        site_changed()


@receiver(post_delete, sender=Claim)
def claim_deleted(sender, instance, **kwargs):
    site_changed()


@receiver(m2m_changed, sender=Claim.contradicts.through)
def contradictions_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_"):
        site_changed()


@receiver(pre_save, sender=Excerpt)
def excerpt_remember_claim(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        stored = _stored(instance, "claim_id", "document_id")
        instance._stored_claim_id, instance._stored_document_id = stored


@receiver(post_save, sender=Excerpt)
@receiver(post_delete, sender=Excerpt)
def excerpt_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        stored = getattr(instance, "_stored_claim_id", None)
        stored_document = getattr(instance, "_stored_document_id", None)
        claims_schedule_refresh(claim_ids=[instance.claim_id, stored])
        documents_schedule_refresh(document_ids=[instance.document_id, stored_document])
        site_changed()


@receiver(post_save, sender=Review)
@receiver(post_delete, sender=Review)
def review_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        claims_schedule_refresh(claim_ids=[instance.claim_id])
        if instance.status in (Review.Status.PUBLISHED, Review.Status.SUPERSEDED):
            site_changed()


@receiver(pre_save, sender=EvidenceLink)
def evidence_remember_study(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        (instance._stored_study_id,) = _stored(instance, "study_id")


@receiver(post_save, sender=EvidenceLink)
@receiver(post_delete, sender=EvidenceLink)
def evidence_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        stored = getattr(instance, "_stored_study_id", None)
        studies_schedule_refresh(study_ids=[instance.study_id, stored])
        site_changed()


@receiver(post_save, sender=Study)
@receiver(post_delete, sender=Study)
def study_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        if kwargs.get("signal") is post_save:
            # A save writes back the count it loaded; recount in case it changed meanwhile.
            studies_schedule_refresh(study_ids=[instance.pk])
        site_changed()


@receiver(post_save, sender=Document)
@receiver(post_delete, sender=Document)
def document_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        if kwargs.get("signal") is post_save:
            # A save writes back the counts it loaded; recount in case they changed meanwhile.
            documents_schedule_refresh(document_ids=[instance.pk])
        site_changed()


@receiver(pre_save, sender=Study)
def study_remember_retraction(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        (instance._was_retracted,) = _stored(instance, "is_retracted")


@receiver(post_save, sender=Study)
def study_retracted(sender, instance, created, raw=False, **kwargs):
    if raw or not instance.is_retracted or getattr(instance, "_was_retracted", False):
        return
    reason = f"A study it relies on was retracted: {instance}."
    study_flag_dependent_claims(study=instance, reason=reason)

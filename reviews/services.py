from django.db import transaction
from django.utils import timezone

from reviews.models import Review


def review_publish(*, review: Review) -> Review:
    """Publish a review, superseding the claim's previously published one."""
    with transaction.atomic():
        now = timezone.now()
        earlier = Review.objects.select_for_update().filter(
            claim_id=review.claim_id, status=Review.Status.PUBLISHED
        )
        earlier.exclude(pk=review.pk).update(status=Review.Status.SUPERSEDED, updated_at=now)
        review.status = Review.Status.PUBLISHED
        review.published_at = now
        review.full_clean()
        review.save()
    return review

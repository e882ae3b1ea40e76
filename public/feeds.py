from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from claims.models import Excerpt, reviewed_condition
from public.annotations import MEDIA_TYPE, annotation_collection
from public.caching import cached_public_page
from public.claim_review import claim_review
from reviews.models import Review
from sources.models import Document

FEED_LENGTH = 30


class LatestReviewsFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.SITE_NAME}: new reviews"
    link = reverse_lazy("home")
    subtitle = "Marketing claims about ketamine therapy, graded against the evidence."
    # Atom (RFC 4287) requires an author for every entry; the site writes every review, so
    # the feed names it once for all of them.
    author_name = settings.SITE_NAME

    def items(self):
        return Review.objects.latest_published()[:FEED_LENGTH]

    def item_title(self, review):
        return f"{review.get_verdict_display()}: {review.claim.statement}"

    def item_description(self, review):
        return review.summary

    def item_link(self, review):
        return review.claim.get_absolute_url()

    def item_pubdate(self, review):
        return review.published_at

    def item_updateddate(self, review):
        return review.updated_at


@cached_public_page
def claim_review_feed(request):
    """Every published review as a schema.org DataFeed of ClaimReview items, the form
    fact-check aggregators ingest: one DataFeedItem per review, newest first. Three
    queries, whatever the number of reviews."""
    reviews = list(
        Review.objects.published()
        .select_related("claim")
        .only("verdict", "published_at", "updated_at", "claim__statement", "claim__slug")
        .order_by("-published_at", "-pk")
    )
    quoted = Excerpt.objects.filter(reviewed_condition(through="claim__")).documents_by_claim(
        "url", "published_on"
    )
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{settings.SITE_NAME}: every published review (ClaimReview)",
        "url": request.build_absolute_uri(reverse("claim-review-feed")),
        "license": settings.DATA_LICENSE_URL,
        "dataFeedElement": [
            {
                "@type": "DataFeedItem",
                "dateCreated": review.published_at.isoformat(),
                "dateModified": review.updated_at.isoformat(),
                "item": claim_review(
                    request, review.claim, review, quoted.get(review.claim_id, [])
                ),
            }
            for review in reviews
        ],
    }
    if reviews:
        feed["dateModified"] = max(review.updated_at for review in reviews).isoformat()
    return JsonResponse(feed, content_type="application/ld+json")


@cached_public_page
def document_annotations(request, slug: str):
    """A document's quotes as a W3C AnnotationCollection, each annotation our verdict on
    one quote (public.annotations). Two queries, whatever the number of quotes."""
    document = get_object_or_404(
        Document.objects.public().only("title", "slug", "url", "retrieved_on"), slug=slug
    )
    excerpts = list(
        document.excerpts.current()
        .select_related("claim")
        .only(
            "quote", "start", "end", "prefix", "suffix", "document_id",
            "claim__statement", "claim__slug", "claim__verdict", "claim__certainty",
        )
        .order_by("start", "end", "pk")
    )  # fmt: skip
    collection = annotation_collection(request, document, excerpts)
    return JsonResponse(collection, content_type=MEDIA_TYPE)

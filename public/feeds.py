from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from config.settings import SITE_NAME
from reviews.models import Review

FEED_LENGTH = 30


class LatestReviewsFeed(Feed):
    feed_type = Atom1Feed
    title = f"{SITE_NAME}: new reviews"
    link = reverse_lazy("home")
    subtitle = "Marketing claims about ketamine therapy, graded against the evidence."
    # Atom (RFC 4287) requires an author for every entry; the site writes every review, so
    # the feed names it once for all of them.
    author_name = SITE_NAME

    def items(self):
        return (
            Review.objects.published()
            .select_related("claim")
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

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

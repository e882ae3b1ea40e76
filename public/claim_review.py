"""schema.org ClaimReview: what a claim's page embeds as JSON-LD, and what the data feed of
every published review (public.feeds) carries, for fact-check aggregators."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from claims.models import Claim
from reviews.models import VERDICT_RATINGS, Review
from sources.models import Document

# Who made a claim whose documents name neither a publisher nor an address: said so, in
# words, rather than left out (aggregators expect an author) or guessed.
UNIDENTIFIED_AUTHOR = {"@type": "Organization", "name": "Publisher not identified"}


def claim_review_json_ld(request, claim: Claim, review: Review, excerpts) -> dict:
    """The claim page's ClaimReview, as a JSON-LD document of its own."""
    documents = list({e.document.pk: e.document for e in excerpts}.values())
    return {"@context": "https://schema.org"} | claim_review(request, claim, review, documents)


def claim_review(request, claim: Claim, review: Review, documents: list[Document]) -> dict:
    """ClaimReview for a claim with a published review, with the properties Google's
    fact-check documentation requires (claimReviewed, reviewRating with its alternateName,
    url) and those it recommends (author, datePublished, and itemReviewed: the Claim, who
    made it, where and when it appeared). `documents`: those quoting the claim."""
    appearances = {d.pk: _appearance(request, d) for d in documents}
    authors = _claim_authors(documents) or [UNIDENTIFIED_AUTHOR]
    item = {
        "@type": "Claim",
        "appearance": list(appearances.values()),
        # One author as itself, several as a list: JSON-LD reads both alike.
        "author": authors[0] if len(authors) == 1 else authors,
    }
    if documents:
        # The earliest dated document; undated ones sort after every dated one.
        first = min(documents, key=lambda d: (d.published_on is None, d.published_on))
        item["firstAppearance"] = appearances[first.pk]
        if first.published_on:
            item["datePublished"] = first.published_on.isoformat()
    return {
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "claimReviewed": claim.statement,
        "datePublished": review.published_at.date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri(reverse("home")),
        },
        "reviewRating": _review_rating(Review.Verdict(review.verdict)),
        "itemReviewed": item,
    }


def _appearance(request, document: Document) -> dict:
    url = document.url or request.build_absolute_uri(document.get_absolute_url())
    return {"@type": "CreativeWork", "url": url, "name": document.title}


def _claim_authors(documents: Iterable[Document]) -> list[dict]:
    """Who made the claim: an Organization for each clinic or site whose documents quote
    it, named as the documents name their publisher (or, failing that, by the site's
    address), with the site's address where one is known. A document that names neither
    adds no one: a claim's author is not guessed (see UNIDENTIFIED_AUTHOR)."""
    authors: dict[str, dict] = {}
    for document in documents:
        parts = urlsplit(document.url)
        site = f"{parts.scheme}://{parts.netloc}/" if parts.netloc else ""
        name = document.publisher.strip() or parts.hostname or ""
        if not name:
            continue
        author = authors.setdefault(name, {"@type": "Organization", "name": name})
        if site:
            author.setdefault("url", site)
    return list(authors.values())


def _review_rating(verdict: Review.Verdict) -> dict:
    """The verdict as a schema.org Rating. Google's fact-check documentation requires only
    alternateName, the verdict in words (the part its results show), and recommends
    name, and ratingValue with bestRating and worstRating for a numeric rating. "Not
    checkable" has no point on the 1-5 scale, so its rating is the words alone rather
    than a scale with no value on it."""
    rating = {"@type": "Rating", "alternateName": verdict.label, "name": verdict.label}
    if verdict.rating is not None:
        rating |= {
            "ratingValue": verdict.rating,
            "bestRating": max(VERDICT_RATINGS.values()),
            "worstRating": min(VERDICT_RATINGS.values()),
        }
    return rating

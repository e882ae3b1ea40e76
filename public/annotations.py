"""Our verdicts as W3C Web Annotations on the clinics' own pages: one AnnotationCollection
(JSON-LD, https://www.w3.org/TR/annotation-model/) per document, one annotation per quote,
so that an annotation client can overlay each verdict on the sentence it grades.

Each annotation targets the page's address with a TextQuoteSelector (the quote with the
words around it, which a client finds in the live page) and a TextPositionSelector (its
place in code points), whose offsets count in the text as the site retrieved it: the
target's state names that copy and the day it was retrieved."""

from django.conf import settings
from django.urls import reverse

from claims.models import Excerpt
from reviews.models import Certainty, Verdict
from sources.models import Document

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
NOTICE = "Not medical advice."


def annotation_collection(request, document: Document, excerpts: list[Excerpt]) -> dict:
    url = request.build_absolute_uri(reverse("sources:annotations", args=[document.slug]))
    items = [_annotation(request, document, excerpt, f"{url}#quote-{excerpt.pk}")
             for excerpt in excerpts]  # fmt: skip
    return {
        "@context": ANNO_CONTEXT,
        "id": url,
        "type": "AnnotationCollection",
        "label": f"{settings.SITE_NAME}: the claims in “{document.title}”, graded",
        "total": len(items),
        "first": {
            "id": f"{url}#page-1",
            "type": "AnnotationPage",
            "partOf": url,
            "startIndex": 0,
            "items": items,
        },
    }


def _annotation(request, document: Document, excerpt: Excerpt, annotation_id: str) -> dict:
    claim = excerpt.claim
    claim_url = request.build_absolute_uri(claim.get_absolute_url())
    reviewed = bool(claim.verdict)
    return {
        "id": annotation_id,
        "type": "Annotation",
        "motivation": "assessing" if reviewed else "commenting",
        "creator": {
            "id": request.build_absolute_uri(reverse("home")),
            "type": "Organization",
            "name": settings.SITE_NAME,
        },
        "body": [
            {
                "type": "TextualBody",
                "purpose": "assessing" if reviewed else "commenting",
                "format": "text/plain",
                "language": "en",
                "value": _verdict_text(claim),
            },
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": {
                    "id": claim_url,
                    "type": "Text",
                    "format": "text/html",
                    "language": "en",
                },
            },
        ],
        "target": _target(request, document, excerpt),
    }


def _verdict_text(claim) -> str:
    """The verdict and certainty in words, with what was claimed and the notice."""
    if not claim.verdict:
        return f"Not yet reviewed. The claim: {claim.statement} {NOTICE}"
    words = f"Verdict: {Verdict(claim.verdict).label}."
    if claim.certainty:
        words += f" Certainty of the evidence: {Certainty(claim.certainty).label.lower()}."
    return f"{words} The claim: {claim.statement} {NOTICE}"


def _target(request, document: Document, excerpt: Excerpt) -> dict:
    copy = request.build_absolute_uri(document.get_absolute_url())
    state = {"type": "TimeState", "cached": copy}
    if document.retrieved_on:
        state["sourceDate"] = f"{document.retrieved_on.isoformat()}T00:00:00Z"
    return {
        # The clinic's own page where its address is known; else our copy of it.
        "source": document.url or copy,
        "state": state,
        "selector": [
            _quote_selector(excerpt),
            {"type": "TextPositionSelector", "start": excerpt.start, "end": excerpt.end},
        ],
    }


def _quote_selector(excerpt: Excerpt) -> dict:
    """The quote and the words just before and after it (none at the text's ends)."""
    selector = {"type": "TextQuoteSelector", "exact": excerpt.quote}
    if excerpt.prefix:
        selector["prefix"] = excerpt.prefix
    if excerpt.suffix:
        selector["suffix"] = excerpt.suffix
    return selector

from django.shortcuts import render

from claims.models import Claim
from reviews.models import Review, with_published_verdict
from sources.models import Document

HOME_REVIEW_COUNT = 10


def home(request):
    context = {
        "documents": Document.objects.for_list(),
        "claims": with_published_verdict(Claim.objects.for_list()),
        "latest_reviews": Review.objects.latest_published()[:HOME_REVIEW_COUNT],
        "verdicts": Review.Verdict,
    }
    return render(request, "home.html", context)

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from claims.highlight import Mark, render_highlighted
from claims.models import SEARCH_CANDIDATES, Claim
from config import reversing
from config.settings import SITE_NAME
from public import queries
from public.caching import cached_public_page, cached_value
from public.filters import RELEVANCE, ClaimFilter, claim_list_queryset
from public.pagination import InvalidCursor, paginate, paginate_ranked
from public.queries import CLAIMS_PER_PAGE
from reviews.models import VERDICT_RATINGS, Review, verdict_changes
from sources.models import Document, Study

NOT_REVIEWED = "Not yet reviewed"


@cached_public_page
def home(request):
    tallies = cached_value("home-tallies", _home_tallies)
    verdicts, categories = tallies["verdicts"], tallies["categories"]
    context = {
        "latest_claims": queries.latest_reviewed_claims(),
        "verdict_chart": _chart(
            [(v.label, v.css_class, verdicts.get(v.value, 0)) for v in Review.Verdict]
            + [(NOT_REVIEWED, "not-reviewed", verdicts.get("", 0))]
        ),
        "category_chart": _chart(
            [(c.label, "category", categories.get(c.value, 0)) for c in Claim.Category]
        ),
        "claim_total": sum(verdicts.values()),
        "documents": queries.newest_documents(),
        "document_total": tallies["documents"],
    }
    return render(request, "home.html", context)


def _home_tallies() -> dict:
    return {
        "verdicts": Claim.objects.tally("verdict"),
        "categories": Claim.objects.tally("category"),
        "documents": Document.objects.count(),
    }


def _chart(rows: list[tuple[str, str, int]]) -> list[dict]:
    """Rows of a server-rendered bar chart: label, class, count and bar width (0-100)."""
    most = max((count for _, _, count in rows), default=0) or 1
    return [
        {"label": label, "css_class": css, "count": count, "width": round(100 * count / most)}
        for label, css, count in rows
        if count or css != "not-reviewed"
    ]


@method_decorator(cached_public_page, name="dispatch")
class ClaimListView(FilterView):
    """Search and facets; pages follow a cursor, so a deep page costs what the first does,
    and the match count is counted once per change to the claims, not per request."""

    filterset_class = ClaimFilter
    template_name = "reviews/claim_list.html"
    context_object_name = "claims"

    def get_queryset(self):
        return claim_list_queryset()

    def get_template_names(self):
        # ListView's would look for a template named after the queryset's model, and so
        # build the filtered queryset that get() leaves unbuilt.
        return [self.template_name]

    def get(self, request, *args, **kwargs):
        # As FilterView.get(), but the filtered queryset is built only if the page reads
        # it: a search's ranking and page come through prepared statements instead.
        self.filterset = self.get_filterset(self.get_filterset_class())
        valid = not self.filterset.is_bound or self.filterset.is_valid() or not self.strict
        self.object_list = SimpleLazyObject(
            lambda: self.filterset.qs if valid else self.filterset.queryset.none()
        )
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, claims = context["filter"], context["claims"]
        after, before = self.request.GET.get("after", ""), self.request.GET.get("before", "")
        ordering = filterset.ordering()
        identity = urlencode(
            sorted((k, v) for k, v in self.request.GET.items() if k not in PAGE_PARAMETERS)
        )
        try:
            if ordering is RELEVANCE:
                # Ranked in one pass over a bounded set of matches, then paged in Python.
                # Like a count, the ranking is kept until the claims change: every page of
                # a search, and every reader making it, shares one.
                ranked = cached_value(
                    f"ranking:{SEARCH_CANDIDATES}:{identity}",
                    lambda: queries.search_ranking(filterset),
                )
                page = paginate_ranked(ranked, size=CLAIMS_PER_PAGE, after=after, before=before)
                page = replace(page, rows=queries.claims_in_order([pk for _, pk in page.rows]))
                result_count = len(ranked)
            else:
                page = paginate(
                    claims,
                    ordering,
                    size=CLAIMS_PER_PAGE,
                    after=after,
                    before=before,
                    read=queries.claim_list_reader(filterset),
                )
                result_count = cached_value(
                    f"claims:{identity}", partial(_claim_count, filterset, claims)
                )
        except InvalidCursor as error:
            raise Http404(str(error)) from error
        context.update(
            claims=page.rows,
            page=page,
            result_count=result_count,
            search_terms=filterset.search_terms(),
            search_capped=bool(filterset.search_terms()) and result_count >= SEARCH_CANDIDATES,
            ranked=ordering is RELEVANCE,
            chosen_document=filterset.chosen_document(),
            is_filtered=any(
                value
                for key, value in self.request.GET.items()
                if key not in (*PAGE_PARAMETERS, "sort")
            ),
        )
        return context


PAGE_PARAMETERS = ("after", "before", "page")


def _claim_count(filterset: ClaimFilter, claims) -> int:
    """How many claims the list holds; a search ranks at most SEARCH_CANDIDATES."""
    if filterset.search_terms():
        return claims.order_by().values("pk")[:SEARCH_CANDIDATES].count()
    return claims.count()


@cached_public_page
def claim_detail(request, slug):
    # One query for the claim, the review shown and the verdicts it replaced; a claim
    # never published needs a second to be found.
    history = queries.claim_review_history(slug=slug)
    if history:
        claim = history[0].claim
    else:
        claim = get_object_or_404(Claim.objects.defer("search_text", "search_vector"), slug=slug)
    review = next((r for r in history if r.status == Review.Status.PUBLISHED), None)
    context = {
        "claim": claim,
        "review": review,
        "verdict": Review.Verdict(review.verdict) if review else None,
        "certainty": Review.Certainty(review.certainty) if review and review.certainty else None,
        "excerpts": queries.claim_excerpts(claim=claim.pk),
        "evidence_links": queries.claim_evidence(claim=claim.pk) if review else [],
        "contradictions": queries.claim_contradictions(claim=claim.pk),
        "verdict_changes": verdict_changes(history),
    }
    context["json_ld"] = claim_review_json_ld(request, context) if review else None
    return render(request, "reviews/claim_detail.html", context)


def claim_review_json_ld(request, context) -> dict:
    """schema.org ClaimReview for a claim with a published review, with the properties
    Google's fact-check documentation requires (claimReviewed, reviewRating, url) and those
    it recommends (author, datePublished, and itemReviewed: the Claim, who made it, where
    and when it appeared)."""
    claim, review = context["claim"], context["review"]
    documents = list({e.document.pk: e.document for e in context["excerpts"]}.values())
    appearances = {d.pk: _appearance(request, d) for d in documents}
    item = {"@type": "Claim", "appearance": list(appearances.values())}
    if authors := _claim_authors(documents):
        # One author as itself, several as a list: JSON-LD reads both alike.
        item["author"] = authors[0] if len(authors) == 1 else authors
    if documents:
        # The earliest dated document; undated ones sort after every dated one.
        first = min(documents, key=lambda d: (d.published_on is None, d.published_on))
        item["firstAppearance"] = appearances[first.pk]
        if first.published_on:
            item["datePublished"] = first.published_on.isoformat()
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "claimReviewed": claim.statement,
        "datePublished": review.published_at.date().isoformat(),
        "author": {
            "@type": "Organization",
            "name": SITE_NAME,
            "url": request.build_absolute_uri(reversing.url("home")),
        },
        "reviewRating": _review_rating(context["verdict"]),
        "itemReviewed": item,
    }


def _appearance(request, document: Document) -> dict:
    url = document.url or request.build_absolute_uri(document.get_absolute_url())
    return {"@type": "CreativeWork", "url": url, "name": document.title}


def _claim_authors(documents: Iterable[Document]) -> list[dict]:
    """Who made the claim: an Organization for each clinic or site whose documents quote
    it, named as the documents name their publisher (or, failing that, by the site's
    address), with the site's address where one is known. A document that names neither
    adds no one: a claim's author is not guessed."""
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
    ratingValue with bestRating and worstRating for a numeric rating. "Not checkable" has
    no point on the 1-5 scale, so its rating is the words alone rather than a scale with
    no value on it."""
    rating = {"@type": "Rating", "alternateName": verdict.label}
    if verdict.rating is not None:
        rating |= {
            "ratingValue": verdict.rating,
            "bestRating": max(VERDICT_RATINGS.values()),
            "worstRating": min(VERDICT_RATINGS.values()),
        }
    return rating


@cached_public_page
def document_detail(request, slug):
    document = next(iter(queries.document_by_slug(slug=slug)), None)
    if document is None:
        raise Http404("No such document.")
    spans = list(map(QuotedSpan._make, queries.document_spans(document=document.pk)))
    verdicts_here = {span.claim_slug: span.claim_verdict for span in spans}
    tally = Counter(verdicts_here.values())
    unreviewed = tally.pop("", 0)
    marks = _claim_marks(spans)
    context = {
        "document": document,
        "highlighted": render_highlighted(
            document.body, spans, lambda span: marks[span.claim_slug]
        ),
        "excerpt_count": len(spans),
        "claim_count": len(verdicts_here),
        "verdict_summary": [(v, tally[v.value]) for v in Review.Verdict if tally[v.value]],
        "unreviewed_count": unreviewed,
        "verdicts": list(Review.Verdict),
    }
    return render(request, "reviews/document_detail.html", context)


class QuotedSpan(NamedTuple):
    """An excerpt as the document page highlights it: a plain row, not a model instance,
    since a long page holds hundreds."""

    pk: int
    start: int
    end: int
    claim_slug: str
    claim_statement: str
    claim_verdict: str


def _claim_marks(spans: Iterable[QuotedSpan]) -> dict[str, Mark]:
    """How the excerpts of each claim quoted in `spans` are shown, keyed by claim slug."""
    claim_url = reversing.slug_urls("claims:detail")
    shown = {v.value: (f"{v.label}: ", v.css_class) for v in Review.Verdict}
    shown[""] = (f"{NOT_REVIEWED}: ", "not-reviewed")
    marks = {}
    for _pk, _start, _end, slug, statement, verdict in spans:
        if slug not in marks:
            label, css_class = shown[verdict]
            marks[slug] = Mark(claim_url(slug), css_class, label + statement)
    return marks


class CountedPaginator(Paginator):
    """Page numbers for the shorter lists (documents, studies), with the total counted once
    per change to the lists rather than on every request. `identity` names the list's
    rows for the count's cache key (by default, its query's SQL)."""

    def __init__(self, object_list, per_page, *, identity: str = "", **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.identity = identity

    @cached_property
    def count(self) -> int:
        identity = self.identity or f"{self.object_list.model._meta.label}:{self.object_list.query}"
        return cached_value(identity, self.object_list.count)


class PreparedPaginator(CountedPaginator):
    """Numbered pages whose rows `read(offset=..., limit=...)` reads: a prepared query."""

    def __init__(self, object_list, per_page, *, read: Callable[..., list], **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.read = read

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.read(offset=bottom, limit=top - bottom), number, self)


@method_decorator(cached_public_page, name="dispatch")
class DocumentListView(ListView):
    template_name = "reviews/document_list.html"
    context_object_name = "documents"
    paginate_by = 50
    paginator_class = CountedPaginator

    def get_queryset(self):
        return Document.objects.for_list()


@method_decorator(cached_public_page, name="dispatch")
class StudyListView(ListView):
    template_name = "reviews/study_list.html"
    context_object_name = "studies"
    paginate_by = 50
    paginator_class = CountedPaginator

    def get_queryset(self):
        studies = Study.objects.for_list()
        if design := self.design():
            studies = studies.filter(design=design)
        return studies

    def design(self) -> str:
        design = self.request.GET.get("design", "")
        return design if design in Study.Design.values else ""

    def get_paginator(self, queryset, per_page, **kwargs):
        if design := self.design():
            read = partial(queries.study_list_page_of_design, design=design)
        else:
            read = queries.study_list_page
        identity = f"studies:design={design}"
        return PreparedPaginator(queryset, per_page, read=read, identity=identity, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["designs"] = Study.Design
        context["design"] = self.request.GET.get("design", "")
        return context


@method_decorator(cached_public_page, name="dispatch")
class StudyDetailView(DetailView):
    model = Study
    template_name = "reviews/study_detail.html"
    context_object_name = "study"

    def get_object(self, queryset=None):
        found = queries.study_by_pk(pk=self.kwargs["pk"])
        if not found:
            raise Http404("No such study.")
        return found[0]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = queries.study_evidence(study=self.object.pk)
        return context


@method_decorator(cached_public_page, name="dispatch")
class MethodologyView(TemplateView):
    template_name = "reviews/methodology.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verdicts"] = [(v, VERDICT_RATINGS.get(v)) for v in Review.Verdict]
        context["certainties"] = list(Review.Certainty)
        return context


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@never_cache
@require_GET
def livez(request):
    """Liveness: the process answers, without touching the database (also the benchmark's
    measure of the framework's own ceiling)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

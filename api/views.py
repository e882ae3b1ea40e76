"""The read API: every public question, claim, document, study and safety profile, each as
a list (filtered by the site's facets, paged by cursor) and a detail; and the page check.
Each read starts from its model's one public() queryset, is served to anonymous readers
from the page cache with the site's ETag (a conditional request is answered 304 without
a query), and is rate-limited per address."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound, Throttled, UnsupportedMediaType, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as api
from api.filters import DocumentFilter, InterventionFilter, QuestionFilter, StudyFilter
from api.pagination import CURSORS, KeysetPagination
from api.parsers import CappedJSONParser
from api.throttling import CheckThrottle, ReadThrottle
from checks.forms import page_text
from checks.page_check import check_page
from checks.serialize import page_check_json
from claims.models import SEARCH_CANDIDATES, Claim, Excerpt
from public.caching import cached_public_page
from public.filters import RELEVANCE, ClaimFilter, claim_list_queryset
from public.pagination import Ordering
from questions.models import Finding, Question, StudyResult
from reviews.models import EvidenceLink, Review
from safety.models import Intervention
from sources.models import Document, Study

SLUG = re.compile("[-a-zA-Z0-9_]{1,100}")  # as the site's URLs take a slug


class Error(serializers.Serializer):
    error = serializers.CharField(help_text="Why the request was refused.")


ERRORS = {
    400: OpenApiResponse(Error, description="A filter that is not valid."),
    404: OpenApiResponse(Error, description="No public row has this key, or a page link "
                         "was not made by this API."),
    429: OpenApiResponse(Error, description="Too many requests from this address."),
}  # fmt: skip


def documented(list_summary: str, list_serializer, detail_summary: str, detail_serializer):
    """A viewset's two operations in the schema, each with the errors it may answer."""
    return extend_schema_view(
        list=extend_schema(summary=list_summary, responses={200: list_serializer(many=True)}
             | ERRORS),
        retrieve=extend_schema(summary=detail_summary, responses={200: detail_serializer}
                 | {code: ERRORS[code] for code in (404, 429)}),
    )  # fmt: skip


@method_decorator(cached_public_page, name="dispatch")
class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    # Any key reaches the view, so that one that is not a slug gets the API's JSON 404.
    lookup_value_converter = "str"
    throttle_classes = [ReadThrottle]
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]
    ordering: Ordering

    def get_object(self):
        if not SLUG.fullmatch(self.kwargs[self.lookup_field]):
            raise NotFound("No row has this key: a key is a slug.")
        return super().get_object()

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        self.filterset = DjangoFilterBackend().get_filterset(self.request, queryset, self)
        if not self.filterset.is_valid():
            raise ValidationError(self.filterset.errors)
        return self.filterset.qs


@documented(
    "Questions",
    api.QuestionListSerializer,
    "A question, its answer and summary of findings",
    api.QuestionSerializer,
)
class QuestionViewSet(PublicViewSet):
    filterset_class = QuestionFilter
    ordering = Ordering(("slug",))

    def get_queryset(self):
        if self.action == "list":
            return Question.objects.public().for_list()
        findings = Finding.objects.prefetch_related(
            Prefetch("studies", queryset=Study.objects.only("slug")),
            Prefetch(
                "results",
                queryset=StudyResult.objects.select_related("study").only(
                    *StudyResult.FIGURE_FIELDS, "label", "finding_id", "position", "study__slug"
                ),
            ),
        ).order_by("position", "pk")
        return (
            Question.objects.public()
            .defer("search_text")
            .prefetch_related(
                Prefetch("findings", queryset=findings),
                Prefetch("claims", queryset=Claim.objects.public().only("slug")),
                Prefetch("interventions", queryset=Intervention.objects.only("slug")),
            )
        )

    def get_serializer_class(self):
        return api.QuestionListSerializer if self.action == "list" else api.QuestionSerializer


@dataclass(frozen=True)
class Ranking:
    """A search's ranking, kept until the claims change, as the claim list keeps it."""

    identity: str
    compute: object


@documented(
    "Claims, with the claim list's search and facets",
    api.ClaimListSerializer,
    "A claim, its quotes, verdict, certainty and evidence",
    api.ClaimSerializer,
)
class ClaimViewSet(PublicViewSet):
    filterset_class = ClaimFilter
    ranking: Ranking | None = None

    def get_queryset(self):
        if self.action == "list":
            return claim_list_queryset()
        reviewed = Review.objects.published()
        excerpts = Excerpt.objects.current().select_related("document").only(
            "claim_id", "quote", "start", "end", "prefix", "suffix", "anchor_state",
            "document__slug", "document__title", "document__url",
        ).order_by("document__title", "start", "pk")  # fmt: skip
        return (
            Claim.objects.public()
            .for_detail()
            .prefetch_related(
                Prefetch("reviews", queryset=reviewed, to_attr="published_reviews"),
                Prefetch("excerpts", queryset=excerpts, to_attr="api_excerpts"),
                Prefetch("evidence_links", to_attr="api_evidence",
                         queryset=EvidenceLink.objects.for_claim_page()),
                Prefetch("questions", queryset=Question.objects.public().only("slug"),
                         to_attr="api_questions"),
            )
        )  # fmt: skip

    def get_serializer_class(self):
        return api.ClaimListSerializer if self.action == "list" else api.ClaimSerializer

    def filter_queryset(self, queryset):
        claims = super().filter_queryset(queryset)
        if self.action == "list":
            self.ordering = self.filterset.ordering()
            if self.ordering is RELEVANCE:
                identity = urlencode(
                    sorted((k, v) for k, v in self.request.query_params.items() if k not in CURSORS)
                )
                self.ranking = Ranking(
                    f"api-ranking:{SEARCH_CANDIDATES}:{identity}",
                    lambda: claims.ranked_matches(SEARCH_CANDIDATES),
                )
        return claims

    def load_ranked(self, pks: list[int]) -> list[Claim]:
        found = Claim.objects.public().for_list().order_by().in_bulk(pks)
        return [found[pk] for pk in pks if pk in found]

    def get_object(self):
        claim = super().get_object()
        claim.published_review = next(iter(claim.published_reviews), None)
        if claim.published_review is None:
            claim.api_evidence = []  # as the claim page: evidence shows with a review
        return claim


@documented(
    "Documents: the clinics' pages in the collection",
    api.DocumentListSerializer,
    "A document, its text and where it quotes each claim",
    api.DocumentSerializer,
)
class DocumentViewSet(PublicViewSet):
    filterset_class = DocumentFilter
    ordering = Ordering(("title", "id"))

    def get_queryset(self):
        if self.action == "list":
            return Document.objects.public().for_list()
        excerpts = Excerpt.objects.select_related("claim").only(
            "document_id", "quote", "start", "end", "claim__slug"
        ).order_by("start", "end", "pk")  # fmt: skip
        return (
            Document.objects.public()
            .for_detail()
            .select_related("supersedes")
            .prefetch_related(Prefetch("excerpts", queryset=excerpts, to_attr="api_excerpts"))
        )

    def get_serializer_class(self):
        return api.DocumentListSerializer if self.action == "list" else api.DocumentSerializer


@documented(
    "Studies",
    api.StudyListSerializer,
    "A study",
    api.StudySerializer,
)
class StudyViewSet(PublicViewSet):
    filterset_class = StudyFilter
    ordering = Ordering(("title", "id"))

    def get_queryset(self):
        if self.action == "list":
            return Study.objects.public().for_list()
        return Study.objects.public().defer("unverified", "verified_from")

    def get_serializer_class(self):
        return api.StudyListSerializer if self.action == "list" else api.StudySerializer


@documented(
    "Interventions with a safety profile",
    api.InterventionListSerializer,
    "An intervention's safety profile",
    api.InterventionSerializer,
)
class InterventionViewSet(PublicViewSet):
    filterset_class = InterventionFilter
    ordering = Ordering(("slug",))

    def get_queryset(self):
        interventions = Intervention.objects.public()
        if self.action == "list":
            return interventions.only("slug", "name", "drug", "route", "summary")
        return interventions.for_detail().prefetch_related(
            Prefetch("claims", queryset=Claim.objects.public().only("slug"))
        )

    def get_serializer_class(self):
        if self.action == "list":
            return api.InterventionListSerializer
        return api.InterventionSerializer


@extend_schema(
    summary="Check a page",
    description="The page's text checked sentence by sentence against the reviewed claims: "
    "what the evidence says of each statement, its red-flag language, and what the page "
    "leaves out. Nothing is stored.",
    request=api.CheckRequestSerializer,
    responses={
        200: api.CheckResultSerializer,
        400: OpenApiResponse(Error, description="Not a JSON object with a usable text."),
        413: OpenApiResponse(Error, description="The body is too large."),
        415: OpenApiResponse(Error, description="The body is not sent as JSON."),
        429: ERRORS[429],
    },
)
class CheckView(APIView):
    parser_classes = [CappedJSONParser]
    throttle_classes = [CheckThrottle]

    def post(self, request):
        if request.content_type.split(";")[0].strip() != "application/json":
            raise UnsupportedMediaType(request.content_type, "Send the body as application/json.")
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise ValidationError('The body must be a JSON object with a string "text".')
        try:
            text = page_text(body["text"])
        except DjangoValidationError as error:
            raise ValidationError(" ".join(error.messages)) from error
        response = Response(page_check_json(check_page(text), request))
        patch_cache_control(response, no_store=True, private=True)
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = Response(
            {"error": 'Use POST with a JSON body: {"text": "..."}.'},
            status=status.HTTP_405_METHOD_NOT_ALLOWED,
        )
        response["Allow"] = "POST"
        return response

    def throttled(self, request, wait):
        raise Throttled(wait, detail="Too many checks from this address; try again in a minute.")

from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import quote_etag, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView
from django_ratelimit.decorators import ratelimit

from claims.highlight import Mark, render_highlighted
from claims.models import (
    SEARCH_CANDIDATES,
    SEARCH_MAX_LENGTH,
    Claim,
    Excerpt,
    validate_search_query,
)
from config.client_address import ratelimit_key
from config.generation import site_generation
from corrections.models import REPORT_MAX_CHARS, Correction
from corrections.services import correction_report
from public.caching import (
    cached_public_page,
    cached_value,
    page_generation,
    rendered_rows,
    rendered_rows_by_key,
)
from public.charts import forest_plots, timeline
from public.claim_review import claim_review_json_ld
from public.datasets import CSV_ARCHIVE, JSON_FILE, TABLES, about, latest_export
from public.filters import RELEVANCE, ClaimFilter, claim_list_queryset
from public.pagination import InvalidCursor, paginate, paginate_ranked
from public.tasks import dataset_export_request
from questions.models import TOPIC_ORDER, Question
from questions.search import site_search
from reviews.models import VERDICT_RATINGS, Review, verdict_changes
from safety.models import Intervention, facts_by_topic, left_out
from sources.models import Document, Study

NOT_REVIEWED = "Not yet reviewed"
HOME_REVIEW_COUNT = 8
HOME_DOCUMENT_COUNT = 10
CLAIMS_PER_PAGE = 25
PAGE_PARAMETERS = ("after", "before", "page")
CLAIM_ROW = "public/includes/claim_row.html"
STUDY_ROW = "public/includes/study_row.html"
DOCUMENT_ROW = "public/includes/document_row.html"
LATEST_ROW = "public/includes/latest_review_row.html"


@cached_public_page
def home(request):
    tallies = cached_value("home-tallies", _home_tallies)
    verdicts, categories = tallies["verdicts"], tallies["categories"]
    context = {
        # Read inside the template's cached part only.
        "question_topics": lambda: questions_by_topic(
            Question.objects.public().for_list().in_topic_order()
        ),
        "generation": page_generation(request),
        "latest_claim_rows": rendered_rows(
            request, Claim.objects.latest_reviewed()[:HOME_REVIEW_COUNT], LATEST_ROW, "claim"
        ),
        "verdict_chart": _chart(
            [(v.label, v.css_class, verdicts.get(v.value, 0)) for v in Review.Verdict]
            + [(NOT_REVIEWED, "not-reviewed", verdicts.get("", 0))]
        ),
        "category_chart": _chart(
            [(c.label, "category", categories.get(c.value, 0)) for c in Claim.Category]
        ),
        "claim_total": sum(verdicts.values()),
        "document_rows": rendered_rows(
            request,
            Document.objects.public().newest()[:HOME_DOCUMENT_COUNT],
            DOCUMENT_ROW,
            "document",
        ),
        "document_total": tallies["documents"],
    }
    return render(request, "public/home.html", context)


def _home_tallies() -> dict:
    return {
        "verdicts": Claim.objects.public().tally("verdict"),
        "categories": Claim.objects.public().tally("category"),
        "documents": Document.objects.public().count(),
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
    template_name = "public/claim_list.html"
    context_object_name = "claims"

    def get_queryset(self):
        return claim_list_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, claims = context["filter"], context["claims"]
        # The list's rows and count depend on its facets, not on which page is shown.
        identity = urlencode(
            sorted((k, v) for k, v in self.request.GET.items() if k not in PAGE_PARAMETERS)
        )
        searching = bool(filterset.search_terms())
        cursor = {key: self.request.GET.get(key, "") for key in ("after", "before")}
        try:
            if filterset.ordering() is RELEVANCE:
                page, result_count, rows = self.ranked_page(claims, identity, cursor)
            else:
                page = paginate(claims, filterset.ordering(), size=CLAIMS_PER_PAGE, **cursor)
                result_count = cached_value(
                    f"claims:{identity}", lambda: _count(claims, searching=searching)
                )
                rows = rendered_rows(self.request, page.rows, CLAIM_ROW, "claim")
        except InvalidCursor as error:
            raise Http404(str(error)) from error
        context.update(
            facets=identity,
            claim_rows=rows,
            page=page,
            result_count=result_count,
            search_terms=filterset.search_terms(),
            search_capped=searching and result_count >= SEARCH_CANDIDATES,
            ranked=filterset.ordering() is RELEVANCE,
            chosen_document=filterset.chosen_document(),
            is_filtered=any(
                value
                for key, value in self.request.GET.items()
                if key not in (*PAGE_PARAMETERS, "sort")
            ),
        )
        return context

    def ranked_page(self, claims, identity: str, cursor: dict):
        """A search's page, its match count and its rendered rows: the matches ranked in
        one pass over a bounded set, kept until the claims change (every page of a search,
        and every reader making it, shares one ranking), then paged in Python. Only the
        claims whose rows are not cached are read."""
        ranked = cached_value(
            f"ranking:{SEARCH_CANDIDATES}:{identity}",
            lambda: claims.ranked_matches(SEARCH_CANDIDATES),
        )
        page = paginate_ranked(ranked, size=CLAIMS_PER_PAGE, **cursor)
        rows = rendered_rows_by_key(
            self.request,
            [pk for _, pk in page.rows],
            CLAIM_ROW,
            "claim",
            lambda missing: Claim.objects.public().for_list().order_by().in_bulk(missing),
        )
        return page, len(ranked), rows


def _count(claims, *, searching: bool) -> int:
    """How many claims the list holds; a search ranks at most SEARCH_CANDIDATES."""
    if searching:
        return claims.order_by().values("pk")[:SEARCH_CANDIDATES].count()
    return claims.count()


@method_decorator(cached_public_page, name="dispatch")
class ClaimDetailView(DetailView):
    template_name = "public/claim_detail.html"
    context_object_name = "claim"

    def get_queryset(self):
        return Claim.objects.public().for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        generation = page_generation(self.request)
        # The reviews change only with the site's generation: kept with it, so a warm page
        # reads the claim alone.
        history = cached_value(
            f"claim-history:{claim.pk}",
            lambda: list(
                claim.reviews.history().select_related("reviewer").prefetch_related("contributors")
            ),
            generation,
        )
        review = next((r for r in history if r.status == Review.Status.PUBLISHED), None)
        context.update(
            review=review,
            verdict=Review.Verdict(review.verdict) if review else None,
            certainty=Review.Certainty(review.certainty) if review and review.certainty else None,
            excerpts=claim.excerpts.for_claim_page(),
            evidence_links=claim.evidence_links.for_claim_page() if review else [],
            contradictions=claim.contradicts.public().for_list().order_by("statement", "pk"),
            verdict_changes=verdict_changes(history),
            generation=generation,
            # Called by the template inside the cached part only: a warm page runs none of
            # its queries.
            left_out=lambda: left_out(claim),
            questions=lambda: list(claim.questions.public().for_claim_page()),
        )
        context["json_ld"] = None
        if review:
            # Built from the excerpts, and kept as the page's cached part is: a page made
            # from both queries neither.
            site = self.request.build_absolute_uri("/")
            context["json_ld"] = cached_value(
                f"claim-json-ld:{site}:{claim.pk}",
                lambda: claim_review_json_ld(self.request, claim, review, context["excerpts"]),
                context["generation"],
            )
        return context


@method_decorator(cached_public_page, name="dispatch")
class DocumentDetailView(DetailView):
    template_name = "public/document_detail.html"
    context_object_name = "document"

    def get_queryset(self):
        return Document.objects.public().for_detail().select_related("watch")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["versions"] = self.object.version_line()
        # The highlighted text is the page's heaviest part: a long document quotes hundreds
        # of claims. It is kept until anything public changes (a verdict, say).
        document = self.object
        context.update(cached_value(f"document-text:{document.sha256}", self.highlighted))
        context["verdicts"] = list(Review.Verdict)
        return context

    def highlighted(self) -> dict:
        """The document's text with each excerpt highlighted, and a tally of its claims."""
        document = self.object
        spans = list(document.excerpts.spans())
        verdicts_here = {span.claim__slug: span.claim__verdict for span in spans}
        tally = Counter(verdicts_here.values())
        unreviewed = tally.pop("", 0)
        marks = _claim_marks(spans)
        return {
            "highlighted": render_highlighted(
                document.body, spans, lambda span: marks[span.claim__slug]
            ),
            "excerpt_count": len(spans),
            "claim_count": len(verdicts_here),
            "verdict_summary": [(v, tally[v.value]) for v in Review.Verdict if tally[v.value]],
            "unreviewed_count": unreviewed,
        }


def _claim_marks(spans: Iterable) -> dict[str, Mark]:
    """How the excerpts of each claim quoted in `spans` are shown, keyed by claim slug."""
    shown = {v.value: (f"{v.label}: ", v.css_class) for v in Review.Verdict}
    shown[""] = (f"{NOT_REVIEWED}: ", "not-reviewed")
    marks = {}
    for span in spans:
        if span.claim__slug not in marks:
            label, css_class = shown[span.claim__verdict]
            url = reverse("claims:detail", args=[span.claim__slug])
            marks[span.claim__slug] = Mark(url, css_class, label + span.claim__statement)
    return marks


class CountedPaginator(Paginator):
    """Page numbers for the shorter lists (documents, studies), with the total counted once
    per change to the lists rather than on every request."""

    @cached_property
    def count(self) -> int:
        identity = f"{self.object_list.model._meta.label}:{self.object_list.query}"
        return cached_value(identity, self.object_list.count)


@method_decorator(cached_public_page, name="dispatch")
class DocumentListView(ListView):
    template_name = "public/document_list.html"
    context_object_name = "documents"
    paginate_by = 50
    paginator_class = CountedPaginator

    def get_queryset(self):
        return Document.objects.public().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document_rows"] = rendered_rows(
            self.request, context["documents"], DOCUMENT_ROW, "document"
        )
        return context


@method_decorator(cached_public_page, name="dispatch")
class StudyListView(ListView):
    template_name = "public/study_list.html"
    context_object_name = "studies"
    paginate_by = 50
    paginator_class = CountedPaginator

    def get_queryset(self):
        studies = Study.objects.public().for_list()
        if design := self.design():
            studies = studies.filter(design=design)
        return studies

    def design(self) -> str:
        design = self.request.GET.get("design", "")
        return design if design in Study.Design.values else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["designs"] = Study.Design
        context["design"] = self.request.GET.get("design", "")
        context["study_rows"] = rendered_rows(self.request, context["studies"], STUDY_ROW, "study")
        return context


@method_decorator(cached_public_page, name="dispatch")
class StudyDetailView(DetailView):
    template_name = "public/study_detail.html"
    context_object_name = "study"

    def get_queryset(self):
        return Study.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = self.object.evidence_links.for_study_page()
        return context


@method_decorator(cached_public_page, name="dispatch")
class InterventionListView(ListView):
    template_name = "public/intervention_list.html"
    context_object_name = "interventions"

    def get_queryset(self):
        return Intervention.objects.public().for_list()


@method_decorator(cached_public_page, name="dispatch")
class InterventionDetailView(DetailView):
    template_name = "public/intervention_detail.html"
    context_object_name = "intervention"

    def get_queryset(self):
        return Intervention.objects.public().for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["topics"] = facts_by_topic(self.object.facts.all())
        context["claims"] = self.object.claims.public().for_list().order_by("statement", "pk")
        return context


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Ask a question or search",
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        validators=[validate_search_query],
        widget=forms.SearchInput(attrs={"placeholder": "e.g. is ketamine addictive?"}),
    )


@cached_public_page
def search(request):
    """The one search box: answers first, then claims, studies and documents."""
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and (query := form.cleaned_data["q"].strip()):
        results = cached_value(f"site-search:{query.lower()}", lambda: site_search(query))
    response = render(request, "public/search.html", {"form": form, "results": results})
    if form.errors:
        response.status_code = 400
    return response


def questions_by_topic(questions) -> list[tuple]:
    """Published questions under their topics, in the topics' order."""
    grouped: dict[str, list[Question]] = {}
    for question in questions:
        grouped.setdefault(question.topic, []).append(question)
    return [(topic, grouped[topic.value]) for topic in TOPIC_ORDER if topic.value in grouped]


@method_decorator(cached_public_page, name="dispatch")
class QuestionListView(ListView):
    template_name = "public/question_list.html"
    context_object_name = "questions"

    def get_queryset(self):
        return Question.objects.public().for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["topics"] = questions_by_topic(context["questions"].in_topic_order())
        return context


@method_decorator(cached_public_page, name="dispatch")
class QuestionDetailView(DetailView):
    template_name = "public/question_detail.html"
    context_object_name = "question"

    def get_queryset(self):
        return Question.objects.public().defer("search_text")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["generation"] = page_generation(self.request)
        # Called by the template inside its cached part only: a warm page reads the
        # question alone.
        context["answer"] = self.answer
        return context

    def answer(self) -> dict:
        """Everything below the question's title: its findings with their pictures, the
        interventions it concerns and the claims about it with where they appear."""
        question = self.object
        findings = list(question.findings.for_question_page())
        claims = list(question.claims.public().for_list().order_by("verdict", "statement", "pk"))
        appearances = Excerpt.objects.filter(claim__in=claims).documents_by_claim()
        return {
            "findings": [(finding, forest_plots(finding)) for finding in findings],
            "timeline": timeline(findings),
            "interventions": list(question.interventions.only("slug", "name")),
            "claims": [(claim, appearances.get(claim.pk, [])) for claim in claims],
        }


@method_decorator(cached_public_page, name="dispatch")
class MethodologyView(TemplateView):
    template_name = "public/methodology.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verdicts"] = [(v, VERDICT_RATINGS.get(v)) for v in Review.Verdict]
        context["certainties"] = list(Review.Certainty)
        return context


DATA_FILES = {
    CSV_ARCHIVE: ("Every table as CSV, with the data dictionary (ZIP)", "application/zip"),
    JSON_FILE: ("Every table as one JSON file", "application/json"),
}


@require_GET
def data(request):
    """The dataset's downloads, licence, citation and dictionary. A change to the public
    data since the last export asks for a new one, once (at once without a worker); the
    last export is offered meanwhile."""
    generation = site_generation()
    export = latest_export()
    if export is None or export.generation != generation:
        dataset_export_request(generation)
        export = latest_export()
    files = [
        {"name": name, "label": label, **export.files[name]}
        for name, (label, _) in DATA_FILES.items()
    ] if export else []  # fmt: skip
    meta = about(export.made_at if export else timezone.now())
    context = {
        "export": export,
        "files": files,
        "stale": bool(export) and export.generation != generation,
        "about": meta,
        "tables": TABLES,
        "json_ld": dataset_json_ld(request, meta, files),
    }
    return render(request, "public/data.html", context)


def dataset_json_ld(request, meta: dict, files: list[dict]) -> dict:
    """schema.org Dataset, as dataset search engines read it: what the data is, its
    licence, how to cite it, and each download."""
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": meta["title"],
        "description": meta["description"],
        "url": request.build_absolute_uri(reverse("data")),
        "license": meta["license"],
        "citation": meta["how_to_cite"],
        "version": meta["version"],
        "isAccessibleForFree": True,
        "creator": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri(reverse("home")),
        },
        "distribution": [
            {
                "@type": "DataDownload",
                "name": file["label"],
                "encodingFormat": DATA_FILES[file["name"]][1],
                "contentUrl": request.build_absolute_uri(reverse("data-file", args=[file["name"]])),
                "contentSize": f"{file['size']} B",
            }
            for file in files
        ],
    }


@require_GET
def data_file(request, name: str):
    """One of the latest export's files, as a download, with its checksum as ETag."""
    export = latest_export()
    if name not in DATA_FILES or export is None or name not in export.files:
        raise Http404("No such download.")
    etag = quote_etag(export.files[name]["sha256"])
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    stored = storages["datasets"].open(export.path(name))
    response = FileResponse(
        stored, as_attachment=True, filename=name, content_type=DATA_FILES[name][1]
    )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
    return response


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


# Corrections: readers report errors; the log shows the corrections made -------------------


class ReportForm(forms.Form):
    report = forms.CharField(
        label="What is wrong on this page?",
        min_length=10,
        max_length=REPORT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what is wrong and, if you can, where the right information is (a "
        "study, a label). Please leave out anything about your own health.",
    )
    email = forms.EmailField(
        label="Your e-mail address (optional)",
        required=False,
        help_text="Only if you would like to hear back. We keep it with the report, for "
        "nothing else.",
    )
    # A field people never see (hidden by the style sheet) and programs fill in.
    website = forms.CharField(label="Leave this field empty", required=False)

    @property
    def filled_by_a_program(self) -> bool:
        return bool(self.data.get("website", "").strip())


# The pages an error can be reported on: what the URL names, and its public rows.
REPORTABLE = {
    "claim": lambda key: Claim.objects.public().filter(slug=key),
    "question": lambda key: Question.objects.public().filter(slug=key),
    "study": lambda key: Study.objects.public().filter(pk=key),
}


def _report_page(request, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "public/report_error.html", context, status=status)
    add_never_cache_headers(response)  # it holds a CSRF token, and what the reader typed
    return response


@ratelimit(key=ratelimit_key, rate=lambda group, request: settings.REPORT_RATE, method="POST",
           block=False)  # fmt: skip
def report_error(request, kind: str, key):
    """A reader reports an error on a claim, question or study page. Stored for the
    editors' corrections queue; nothing public changes until they correct the page."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse("Use GET for the form and POST to send it.", status=405,
                            headers={"Allow": "GET, HEAD, POST"})  # fmt: skip
    subject = REPORTABLE[kind](key).first()
    if subject is None:
        raise Http404("No such page.")
    context = {"subject": subject, "kind": kind}
    if request.method != "POST":
        return _report_page(request, {**context, "form": ReportForm()})
    form = ReportForm(request.POST)
    if request.limited:
        response = _report_page(request, {**context, "form": form, "limited": True}, 429)
        response["Retry-After"] = "3600"
        return response
    if form.filled_by_a_program:
        return _report_page(request, {**context, "refused": True}, 400)
    if not form.is_valid():
        return _report_page(request, {**context, "form": form}, 400)
    correction_report(
        subject=subject,
        page_path=subject.get_absolute_url(),
        report=form.cleaned_data["report"],
        email=form.cleaned_data["email"],
    )
    return redirect(reverse("corrections:thanks") + f"?page={subject.get_absolute_url()}")


def report_thanks(request):
    back = request.GET.get("page", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None) or not back.startswith("/"):
        back = ""
    return render(request, "public/report_thanks.html", {"back": back})


@method_decorator(cached_public_page, name="dispatch")
class CorrectionLogView(ListView):
    """Every correction made, latest first, with its date and what changed."""

    template_name = "public/corrections_log.html"
    context_object_name = "corrections"
    paginate_by = 50
    paginator_class = CountedPaginator

    def get_queryset(self):
        return Correction.objects.public_log()

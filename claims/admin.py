from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims.matching import SHOWN_MATCH
from claims.models import Candidate, Claim, Excerpt
from claims.services import (
    IngestResult,
    NearDuplicateError,
    candidate_dismiss,
    candidate_split,
    document_ingest,
)
from config.admin import VersionGuardAdminMixin
from sources.admin_widgets import PreloadedAutocompleteInline
from sources.ingest import MAX_INPUT_BYTES, IngestError, decode
from sources.models import Document, NearDuplicate

REVIEW_PAGE_SIZE = 50  # candidates per review page: about 150 kB of HTML
NO_CLAIM_CHOSEN = "Not filed: choose the claim to file it under, or a new claim."
ANOTHER_CLAIM = "another"  # the filing choice of a claim searched for, not suggested


def quote_in_context(excerpt: Excerpt) -> str:
    """The quote highlighted between its prefix and suffix, every piece escaped."""
    if excerpt.pk is None:
        return "—"
    return format_html(
        '<span class="excerpt-context">…{}<mark>{}</mark>{}…</span>',
        excerpt.prefix,
        excerpt.quote,
        excerpt.suffix,
    )


class ExcerptInline(PreloadedAutocompleteInline):
    model = Excerpt
    fields = ["document", "quote", "start", "end", "in_context"]
    readonly_fields = ["in_context"]
    autocomplete_fields = ["document"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document")

    @admin.display(description="In context")
    def in_context(self, excerpt):
        return quote_in_context(excerpt)


class ClaimAdmin(VersionGuardAdminMixin, SimpleHistoryAdmin):
    """The claim pages; registered by reviews/admin.py, which adds the evidence, reviews
    and assignments and refreshes what an edit changes."""

    list_display = ["statement", "category", "figure", "excerpt_count", "updated_at"]
    list_filter = ["category", "unit"]
    search_fields = ["statement", "slug", "excerpts__quote"]
    prepopulated_fields = {"slug": ["statement"]}
    autocomplete_fields = ["contradicts"]
    readonly_fields = ["rereview_requested_at", "created_at", "updated_at"]
    inlines = [ExcerptInline]

    def get_queryset(self, request):
        # Grouping drops Meta.ordering; the autocomplete view paginates this queryset.
        excerpts = super().get_queryset(request).annotate(excerpt_count=Count("excerpts"))
        return excerpts.order_by("statement", "pk")

    @admin.display(description="Excerpts", ordering="excerpt_count")
    def excerpt_count(self, claim):
        return claim.excerpt_count


class ExcerptAdmin(SimpleHistoryAdmin):
    """Registered by reviews/admin.py, which refreshes the claims and documents an edit
    touches."""

    list_display = ["__str__", "claim", "document", "start", "end"]
    list_filter = ["document", "claim__category"]
    list_select_related = ["claim", "document"]
    search_fields = ["quote", "claim__statement", "document__title"]
    autocomplete_fields = ["claim", "document"]
    readonly_fields = ["in_context", "prefix", "suffix", "created_at"]
    fields = ["claim", "document", "quote", "start", "end", "in_context", "created_at"]

    @admin.display(description="In context")
    def in_context(self, excerpt):
        return quote_in_context(excerpt)


class IngestForm(forms.Form):
    DIFFERENT_PAGE = "different-page"

    upload = forms.FileField(
        required=False, help_text=f"Plain text, Markdown or HTML, up to {MAX_INPUT_BYTES:,} bytes."
    )
    pasted = forms.CharField(
        label="Or paste the text", required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    url = forms.URLField(label="URL", required=False, assume_scheme="https")
    publisher = forms.CharField(required=False, help_text="The clinic or site.")
    title = forms.CharField(required=False, help_text="Leave blank to take the page's own.")
    kind = forms.ChoiceField(choices=Document.Kind.choices, initial=Document.Kind.CLINIC_PAGE)
    # The name of the file whose text was carried over into `pasted` (it tells its format).
    name = forms.CharField(required=False, widget=forms.HiddenInput)
    # "" until a near-duplicate is found; then the pk of the page superseded, or DIFFERENT_PAGE.
    store_as = forms.CharField(label="Store it as", required=False, widget=forms.HiddenInput)

    def clean_store_as(self) -> str | Document:
        value = self.cleaned_data["store_as"]
        if value in ("", self.DIFFERENT_PAGE):
            return value
        document = Document.objects.filter(pk=value).first() if value.isdigit() else None
        if document is None:
            raise ValidationError("Choose one of the pages offered, or a different page.")
        return document

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("upload")) == bool(cleaned.get("pasted", "").strip()):
            raise ValidationError("Upload a file or paste the text (one of the two).")
        upload = cleaned.get("upload")
        if upload and upload.size > MAX_INPUT_BYTES:
            raise ValidationError(f"The file is larger than {MAX_INPUT_BYTES:,} bytes.")
        return cleaned

    def ingest_arguments(self) -> dict:
        """document_ingest's arguments; an upload is read here, once."""
        data = self.cleaned_data
        upload, store_as = data["upload"], data["store_as"]
        return {
            "data": upload.read() if upload else data["pasted"],
            "name": upload.name if upload else data["name"],
            "title": data["title"], "url": data["url"], "publisher": data["publisher"],
            "kind": data["kind"],
            "supersedes": store_as if isinstance(store_as, Document) else None,
            "different_page": store_as == self.DIFFERENT_PAGE,
        }  # fmt: skip

    def asking(self, arguments: dict, near_duplicates: list[NearDuplicate]) -> "IngestForm":
        """This form again, its text kept (an upload's as pasted text), asking what the text
        is: a new version of one of the near-duplicates that has none yet, or another page."""
        data, text = self.data.copy(), arguments["data"]
        data["pasted"] = decode(text) if isinstance(text, bytes) else text
        data["name"], data["store_as"] = arguments["name"], ""
        form = IngestForm(data)
        choices = [
            (near.document.pk, f"A new version of “{near.document}” ({near.document.slug})")
            for near in near_duplicates
            if near.document.newer_version is None
        ]
        choices.append((self.DIFFERENT_PAGE, "A different page"))
        form.fields["store_as"].widget = forms.RadioSelect(choices=choices)
        form.order_fields(["store_as"])  # the question first, under the pages alike
        form.near_duplicates = near_duplicates
        return form


class CandidateAdmin(admin.ModelAdmin):
    """Sentences proposed when a document is ingested, and the pages to decide on them.
    Registered by reviews/admin.py, whose subclass files a candidate (accept())."""

    list_display = ["__str__", "document", "category", "status", "best_match", "review_link"]
    list_filter = ["status", "category", "document"]
    list_select_related = ["document"]
    search_fields = ["quote", "document__title"]
    readonly_fields = [
        "document", "start", "end", "quote", "category", "reasons", "matches", "excerpt",
        "decided_at", "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    @admin.display(description="Best match")
    def best_match(self, candidate):
        if not candidate.matches:
            return "—"
        best = candidate.matches[0]
        return f"{best['claim']} ({best['score']:.2f})"

    @admin.display(description="")
    def review_link(self, candidate):
        url = reverse("admin:claims_candidate_review", args=[candidate.document_id])
        return format_html('<a href="{}">Review this document</a>', url)

    def get_urls(self):
        return [
            path(
                "ingest/",
                self.admin_site.admin_view(self.ingest_view),
                name="claims_candidate_ingest",
            ),
            path(
                "review/<int:document_id>/",
                self.admin_site.admin_view(self.review_view),
                name="claims_candidate_review",
            ),
            *super().get_urls(),
        ]

    def _require(self, request, *permissions: str) -> None:
        if not all(request.user.has_perm(p) for p in permissions):
            raise PermissionDenied

    def ingest_view(self, request):
        self._require(request, "sources.add_document", "claims.add_excerpt")
        form = IngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            arguments = form.ingest_arguments()
            try:
                result = document_ingest(**arguments)
            except NearDuplicateError as error:
                form = form.asking(arguments, error.near_duplicates)
            except (IngestError, ValidationError) as error:
                form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
            else:
                self._report_ingested(request, result)
                return redirect("admin:claims_candidate_review", result.document.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Ingest a page",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/candidate/ingest.html", context)

    def _report_ingested(self, request, result: IngestResult) -> None:
        document = result.document
        if not result.created:
            message = f"This text is already stored as “{document}”."
            self.message_user(request, message, messages.WARNING)
        elif document.supersedes:
            self.message_user(
                request,
                f"Stored “{document}” as a new version of “{document.supersedes}” with "
                f"{len(result.candidates)} candidates.",
            )
        else:
            self.message_user(
                request, f"Stored “{document}” with {len(result.candidates)} candidates."
            )

    def review_view(self, request, document_id):
        self._require(request, "claims.add_excerpt", "claims.add_claim")
        document = get_object_or_404(Document, pk=document_id)
        if request.method == "POST":
            candidate = self._decide(request, document)
            return redirect(self._review_url(candidate))
        candidates = document.candidates.in_review_order()
        page = Paginator(candidates, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        self._annotate(document, page.object_list)
        search = forms.ModelChoiceField(
            Claim.objects.all(),
            widget=AutocompleteSelect(Excerpt._meta.get_field("claim"), self.admin_site),
        ).widget
        for candidate in page.object_list:
            candidate.another_claim = search.render(
                "another", None, {"id": f"another-{candidate.pk}", "aria-label": "Search claims"}
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Candidate claims in “{document}”",
            "document": document,
            "page": page,
            "counts": document.candidates.status_counts(),
            "categories": Claim.Category.choices,
            "media": search.media,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/candidate/review.html", context)

    @staticmethod
    def _annotate(document: Document, candidates) -> None:
        """Give one page's candidates their context and their matches' statements."""
        slugs = {m["claim"] for c in candidates for m in c.matches}
        statements = dict(Claim.objects.filter(slug__in=slugs).values_list("slug", "statement"))
        for candidate in candidates:
            candidate.context_start = max(0, candidate.start - 80)
            candidate.prefix = document.body[candidate.context_start : candidate.start]
            candidate.suffix = document.body[candidate.end : candidate.end + 80]
            for match in candidate.matches:
                match["statement"] = statements.get(match["claim"], "(claim no longer exists)")
            # Only a confident first suggestion is chosen for the editor (SHOWN_MATCH).
            candidate.preselected = next(
                (m["claim"] for m in candidate.matches[:1] if m["score"] >= SHOWN_MATCH), None
            )

    @staticmethod
    def _review_url(candidate: Candidate) -> str:
        """The review page that shows the candidate, at the candidate."""
        url = reverse("admin:claims_candidate_review", args=[candidate.document_id])
        page = candidate.position() // REVIEW_PAGE_SIZE + 1
        return f"{url}?page={page}#candidate-{candidate.pk}"

    def _decide(self, request, document) -> Candidate:
        candidate = get_object_or_404(
            Candidate, pk=request.POST.get("candidate"), document=document
        )
        try:
            if request.POST.get("decision") == "dismiss":
                candidate_dismiss(candidate=candidate)
                self.message_user(request, "Dismissed.")
                return candidate
            if request.POST.get("decision") == "split":
                at = _int_or_none(request.POST.get("split_at"))
                if at is None:
                    raise ValidationError("Give the position to split at.")
                first, _ = candidate_split(candidate=candidate, at=at)
                self.message_user(request, "Split into two candidates.")
                return first
            choice = request.POST.get("claim")
            if choice is None:
                raise ValidationError(NO_CLAIM_CHOSEN)
            if choice == ANOTHER_CLAIM:
                claim = Claim.objects.filter(pk=_int_or_none(request.POST.get("another"))).first()
                if claim is None:
                    raise ValidationError("Not filed: search for the other claim and choose it.")
                choice = claim.slug
            slug = choice.strip()
            claim = Claim.objects.filter(slug=slug).first() if slug else None
            if slug and claim is None:
                raise ValidationError(f"There is no claim “{slug}”.")
            excerpt = self.accept(
                candidate=candidate,
                claim=claim,
                statement=request.POST.get("statement", ""),
                category=request.POST.get("category", ""),
                start=_int_or_none(request.POST.get("start")),
                end=_int_or_none(request.POST.get("end")),
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, f"Filed under “{excerpt.claim}”.")
        return candidate

    def accept(self, **arguments) -> Excerpt:
        """File the candidate as an excerpt (reviews.services.candidate_accept)."""
        raise NotImplementedError


def _int_or_none(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"“{value}” is not a character position (a whole number).") from None

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import URLValidator
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims.matching import SHOWN_MATCH
from claims.models import Candidate, Claim, Excerpt, IngestionItem, IngestionJob
from claims.services import (
    candidate_dismiss,
    candidate_split,
    ingestion_item_decide,
    ingestion_job_create,
)
from claims.tasks import ingestion_job_queue
from config.admin import VersionGuardAdminMixin
from sources.admin_widgets import PreloadedAutocompleteInline
from sources.ingest import MAX_INPUT_BYTES, decode
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


def near_duplicates_of(item: IngestionItem) -> list[NearDuplicate]:
    """The stored pages an item's text was found much like, most alike first."""
    documents = Document.objects.in_bulk([near["pk"] for near in item.near_duplicates])
    return [
        NearDuplicate(documents[near["pk"]], near["similarity"])
        for near in item.near_duplicates
        if near["pk"] in documents
    ]


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
    # The ingestion item that found the near-duplicates, which the answer sends on its way.
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)

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

    def job_item(self) -> dict:
        """The page as an ingestion item (IngestionItem's fields); an upload is read here."""
        data = self.cleaned_data
        upload = data["upload"]
        text = upload.read() if upload else data["pasted"].encode("utf-8")
        return {
            "data": text, "name": upload.name if upload else data["name"],
            "title": data["title"], "url": data["url"], **self.decision(),
        }  # fmt: skip

    def decision(self) -> dict:
        """ingestion_item_decide's answer: the page superseded, or a different page."""
        store_as = self.cleaned_data["store_as"]
        return {
            "supersedes": store_as if isinstance(store_as, Document) else None,
            "different_page": store_as == self.DIFFERENT_PAGE,
        }

    def asking(self, item: IngestionItem) -> "IngestForm":
        """This form again, its text kept (an upload's as pasted text), asking what the text
        is: a new version of one of the near-duplicates that has none yet, or another page."""
        data = self.data.copy()
        data["pasted"] = decode(bytes(item.data or b""))
        data["name"], data["store_as"], data["item"] = item.name, "", item.pk
        near_duplicates = near_duplicates_of(item)
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


MAX_BATCH_PAGES = 50  # addresses and files in one batch


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented way to upload many)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class BatchIngestForm(forms.Form):
    addresses = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One address per line: each page is fetched (robots.txt obeyed, public "
        "addresses only) and ingested.",
    )
    files = MultipleFileField(
        required=False,
        help_text=f"Plain text, Markdown or HTML files, each up to {MAX_INPUT_BYTES:,} bytes.",
    )
    publisher = forms.CharField(required=False, help_text="The clinic or site, for every page.")
    kind = forms.ChoiceField(choices=Document.Kind.choices, initial=Document.Kind.CLINIC_PAGE)

    def clean_addresses(self) -> list[str]:
        field = forms.URLField(
            assume_scheme="https", validators=[URLValidator(schemes=["http", "https"])]
        )
        addresses, errors = [], []
        for number, line in enumerate(self.cleaned_data["addresses"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                addresses.append(field.clean(line.strip()))
            except ValidationError:
                errors.append(f"Line {number} is not a web address: “{line.strip()[:100]}”.")
        if errors:
            raise ValidationError(errors)
        return addresses

    def clean_files(self) -> list:
        files = self.cleaned_data["files"]
        too_big = [f.name for f in files if f.size > MAX_INPUT_BYTES]
        if too_big:
            raise ValidationError(f"Larger than {MAX_INPUT_BYTES:,} bytes: {', '.join(too_big)}.")
        return files

    def clean(self):
        cleaned = super().clean()
        count = len(cleaned.get("addresses") or []) + len(cleaned.get("files") or [])
        if not self.errors and count == 0:
            raise ValidationError("Give at least one address or file.")
        if count > MAX_BATCH_PAGES:
            raise ValidationError(f"At most {MAX_BATCH_PAGES} pages at once ({count} given).")
        return cleaned

    def job_items(self) -> list[dict]:
        """The pages as ingestion items (IngestionItem's fields); files are read here."""
        data = self.cleaned_data
        return [
            *({"url": address, "fetch": True} for address in data["addresses"]),
            *({"data": upload.read(), "name": upload.name} for upload in data["files"]),
        ]


class IngestionDecisionForm(forms.Form):
    """The answer for one page found much like stored ones."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    store_as = forms.CharField()


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
                "ingest/batch/",
                self.admin_site.admin_view(self.batch_view),
                name="claims_candidate_batch",
            ),
            path(
                "ingest/job/<int:job_id>/",
                self.admin_site.admin_view(self.job_view),
                name="claims_candidate_job",
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
        """One page, pasted or uploaded, ingested in the background (claims.tasks). With no
        workers (tasks run at once) or a quick worker, the answer comes here at once, as
        before; otherwise the job's page shows its progress."""
        self._require(request, "sources.add_document", "claims.add_excerpt")
        form = IngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data["item"] and form.cleaned_data["store_as"]:
                item = self._answered_item(request, form)
            else:
                job = ingestion_job_create(
                    by=request.user, items=[form.job_item()],
                    publisher=form.cleaned_data["publisher"], kind=form.cleaned_data["kind"],
                )  # fmt: skip
                ingestion_job_queue(job)
                item = job.items.get()
            if item is not None:
                item.refresh_from_db()
                Status = IngestionItem.Status
                if item.status in (Status.STORED, Status.ALREADY_STORED):
                    self._report_ingested(request, item)
                    return redirect("admin:claims_candidate_review", item.document_id)
                if item.status == Status.NEEDS_DECISION:
                    form = form.asking(item)
                elif item.status == Status.FAILED:
                    form.add_error(None, item.message)
                else:
                    return redirect(item.job.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "title": "Ingest a page",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/candidate/ingest.html", context)

    def batch_view(self, request):
        """Many pages at once, by address or file, ingested in the background."""
        self._require(request, "sources.add_document", "claims.add_excerpt")
        form = BatchIngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = ingestion_job_create(
                by=request.user, items=form.job_items(),
                publisher=form.cleaned_data["publisher"], kind=form.cleaned_data["kind"],
            )  # fmt: skip
            ingestion_job_queue(job)
            return redirect(job.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "title": "Ingest pages in the background",
            "form": form,
            "max_pages": MAX_BATCH_PAGES,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/candidate/batch.html", context)

    def job_view(self, request, job_id):
        """An ingestion job's progress and results; its JSON (?format=json) for the page's
        script, which refreshes the bar without reloading; the answers for pages much like
        stored ones (POST)."""
        self._require(request, "sources.add_document", "claims.add_excerpt")
        job = get_object_or_404(IngestionJob.objects.select_related("created_by"), pk=job_id)
        if request.method == "POST":
            self._decide_item(request, job)
            return redirect(job.get_absolute_url())
        if request.GET.get("format") == "json":
            return JsonResponse(  # never cached: admin_view marks every admin page so
                {"finished": job.finished, "total": job.total, "done": job.is_finished}
            )
        items = list(job.items.select_related("document").defer("data"))
        for item in items:
            if item.status == IngestionItem.Status.NEEDS_DECISION:
                item.alike = near_duplicates_of(item)
        context = {
            **self.admin_site.each_context(request),
            "title": str(job),
            "job": job,
            "items": items,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/candidate/job.html", context)

    def _decide_item(self, request, job: IngestionJob) -> None:
        form = IngestionDecisionForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Choose what the page is.", messages.ERROR)
            return
        item = get_object_or_404(job.items, pk=form.cleaned_data["item"])
        store_as = form.cleaned_data["store_as"]
        if store_as == IngestForm.DIFFERENT_PAGE:
            decision = {"different_page": True}
        else:
            document = Document.objects.filter(pk=store_as).first() if store_as.isdigit() else None
            decision = {"supersedes": document}
        try:
            ingestion_item_decide(item=item, **decision)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        ingestion_job_queue(job)
        self.message_user(request, f"“{item}” is being ingested again as you said.")

    def _answered_item(self, request, form: IngestForm) -> IngestionItem | None:
        """The item the editor has just answered about, sent on its way; None, with the
        form's error, if the answer cannot be taken."""
        item_id = form.cleaned_data["item"]
        item = get_object_or_404(IngestionItem, pk=item_id, job__created_by=request.user)
        try:
            ingestion_item_decide(item=item, **form.decision())
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
            return None
        ingestion_job_queue(item.job)
        return item

    def _report_ingested(self, request, item: IngestionItem) -> None:
        document = item.document
        if item.status == IngestionItem.Status.ALREADY_STORED:
            message = f"This text is already stored as “{document}”."
            self.message_user(request, message, messages.WARNING)
        elif document.supersedes:
            self.message_user(
                request,
                f"Stored “{document}” as a new version of “{document.supersedes}” with "
                f"{item.candidate_count} candidates.",
            )
        else:
            self.message_user(
                request, f"Stored “{document}” with {item.candidate_count} candidates."
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


@admin.register(IngestionJob)
class IngestionJobAdmin(admin.ModelAdmin):
    """Ingestion jobs, newest first; each opens its page of progress and results."""

    list_display = ["__str__", "created_by", "progress", "finished_at"]
    list_select_related = ["created_by"]
    list_display_links = None

    def has_add_permission(self, request):
        return False  # "Ingest a page" and "Ingest pages in the background" make jobs

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Progress")
    def progress(self, job):
        return format_html(
            '<a href="{}">{} of {} done</a>', job.get_absolute_url(), job.finished, job.total
        )

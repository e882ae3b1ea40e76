import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import F, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from config.derived import DerivedFieldsMixin
from sources.fingerprints import NEAR_DUPLICATE, fingerprint, similarity
from sources.identifiers import (
    DOI_PATTERN,
    PMCID_PATTERN,
    PMID_PATTERN,
    REGISTRY_ID_PATTERN,
    DOIField,
    PMIDField,
    validate_source_lines,
)
from sources.textsearch import contains_condition, prefix_tsquery


def body_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


DOCUMENT_LIST_FIELDS = (
    "title", "slug", "publisher", "kind", "excerpt_count", "claim_count", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class NearDuplicate:
    document: "Document"
    similarity: float  # estimated share of five-word shingles in common, 0-1


class DocumentStatus(models.TextChoices):
    PUBLISHED = "published", "In the collection"
    PROPOSED = "proposed", "Sent by a reader"


class DocumentQuerySet(models.QuerySet):
    def public(self) -> "DocumentQuerySet":
        """Every document a reader may see: those in the collection, not the pages readers
        have sent that no editor has taken in yet."""
        return self.filter(status=DocumentStatus.PUBLISHED)

    def for_list(self) -> "DocumentQuerySet":
        """What a row of a document list shows, by title."""
        return self.only(*DOCUMENT_LIST_FIELDS).order_by("title", "pk")

    def newest(self) -> "DocumentQuerySet":
        return self.for_list().order_by("-created_at", "-pk")

    def for_detail(self) -> "DocumentQuerySet":
        """A document's page: its text, without the fingerprint kept for matching."""
        return self.defer("fingerprint")

    def near_duplicates(
        self, signature: list[int], *, threshold: float = NEAR_DUPLICATE
    ) -> list[NearDuplicate]:
        """The documents whose wording is at least `threshold` alike, most alike first, each
        with its newer version (if any) prefetched. Reads the stored fingerprints only."""
        alike = {}
        for pk, stored in self.values_list("pk", "fingerprint").iterator(chunk_size=2_000):
            if (score := similarity(signature, stored)) >= threshold:
                alike[pk] = score
        newer = Prefetch("newer_versions", queryset=Document.objects.defer("body", "fingerprint"))
        found = self.filter(pk__in=alike).defer("body", "fingerprint").prefetch_related(newer)
        near = [NearDuplicate(document, alike[document.pk]) for document in found]
        return sorted(near, key=lambda n: (-n.similarity, n.document.pk))


class Document(DerivedFieldsMixin, models.Model):
    """A marketing text that makes claims, stored verbatim so excerpts can point into it."""

    Status = DocumentStatus

    # Written by claims.services.documents_refresh_counts() alone (see DerivedFieldsMixin).
    derived_fields = ("excerpt_count", "claim_count")

    class Kind(models.TextChoices):
        CLINIC_PAGE = "clinic_page", "Clinic page"
        BLOG_POST = "blog_post", "Blog post"
        ARTICLE = "article", "Article"
        ADVERTISEMENT = "advertisement", "Advertisement"
        OTHER = "other", "Other"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, unique=True)
    url = models.URLField("URL", max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True, help_text="The clinic or site.")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CLINIC_PAGE)
    status = models.CharField(
        max_length=20,
        choices=DocumentStatus,
        default=DocumentStatus.PUBLISHED,
        help_text="A page a reader sent from the page check is public only once an editor "
        "takes it in (or files a quote from it).",
    )
    published_on = models.DateField(null=True, blank=True)
    retrieved_on = models.DateField(null=True, blank=True)
    body = models.TextField(help_text="The full text, verbatim. Fixed once excerpts point into it.")
    sha256 = models.CharField("SHA-256 of body", max_length=64, unique=True, editable=False)
    # MinHash signature of the body's wording (sources.fingerprints), kept by save().
    fingerprint = models.JSONField(default=list, editable=False)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newer_versions",
        db_index=False,  # sources_document_one_newer_version indexes it
        help_text="The stored page this text is a newer version of. Each keeps its own text "
        "and excerpts.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # How many excerpts the document has and how many claims they quote, kept by
    # claims.services.documents_refresh_counts() whenever its excerpts change.
    excerpt_count = models.PositiveIntegerField(default=0, editable=False)
    claim_count = models.PositiveIntegerField(default=0, editable=False)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["body", "fingerprint", "excerpt_count", "claim_count"]
    )

    class Meta:
        ordering = ["title"]
        indexes = [
            # The document list, by title; the home page's newest documents.
            models.Index(fields=["title", "id"], name="sources_document_title_order"),
            models.Index(fields=["created_at", "id"], name="sources_document_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="sources_document_body_not_empty"),
            # A page's versions form a line: each has at most one newer version. Its index
            # serves newer_versions, the lookup of a page's newer version.
            models.UniqueConstraint(
                fields=["supersedes"], name="sources_document_one_newer_version"
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("pk")), name="sources_document_not_its_own_version"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.body_is_locked():
            raise ValidationError(self.BODY_LOCKED_MESSAGE)
        sha256 = body_sha256(self.body)
        if sha256 != self.sha256 or not self.fingerprint:
            self.sha256, self.fingerprint = sha256, fingerprint(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("sources:detail", args=[self.slug])

    BODY_LOCKED_MESSAGE = (
        "The text cannot be changed: excerpts point into it by character offset. "
        "Store the new version as a new document."
    )

    def clean(self):
        if not self.body.strip():
            raise ValidationError({"body": "The document has no text."})
        if self.body_is_locked():
            raise ValidationError({"body": self.BODY_LOCKED_MESSAGE})
        twin = Document.objects.filter(sha256=body_sha256(self.body)).exclude(pk=self.pk).first()
        if twin:
            raise ValidationError({"body": f"The same text is already stored as “{twin}”."})
        if message := self.supersedes_error():
            raise ValidationError({"supersedes": message})

    def body_is_locked(self) -> bool:
        """True when this unsaved body differs from the stored one and excerpts use it."""
        if self.pk is None:
            return False
        stored = Document.objects.filter(pk=self.pk).values_list("sha256", flat=True).first()
        return stored not in (None, body_sha256(self.body)) and self.excerpts.exists()

    def supersedes_error(self) -> str:
        """Why the older version named cannot be this one's, or "" if it can."""
        older, seen = self.supersedes, set()
        while older is not None and older.pk not in seen:  # along the line of older versions
            if older.pk == self.pk:
                return "A page cannot be an older version of itself."
            seen.add(older.pk)
            older = older.supersedes
        newer = self.supersedes and self.supersedes.newer_versions.exclude(pk=self.pk).first()
        if newer:
            return f"“{self.supersedes}” already has a newer version, “{newer}” ({newer.slug})."
        return ""

    @property
    def newer_version(self) -> "Document | None":
        return next(iter(self.newer_versions.all()), None)

    VERSION_FIELDS = ("title", "slug", "status", "retrieved_on", "created_at", "supersedes_id")

    def version_line(self) -> list["Document"]:
        """Every public version of this page, oldest first, this one included (one query per
        other version: a page has a handful)."""
        older, newer = [], []
        step = self
        while step.supersedes_id is not None and len(older) < 100:
            step = Document.objects.only(*self.VERSION_FIELDS).get(pk=step.supersedes_id)
            older.append(step)
        step = self
        while len(newer) < 100:
            step = Document.objects.only(*self.VERSION_FIELDS).filter(supersedes=step).first()
            if step is None:
                break
            newer.append(step)
        if not (older or newer):
            return [self]
        line = [*reversed(older), self, *newer]
        public = Document.objects.public().filter(pk__in=[version.pk for version in line])
        shown = set(public.values_list("pk", flat=True))
        return [version for version in line if version.pk in shown or version is self]


class StudyQuerySet(models.QuerySet):
    def public(self) -> "StudyQuerySet":
        """Every study a reader may see: all of them, cited or not."""
        return self.all()

    def matching(self, concepts: list[tuple[str, ...]], *, every: bool = False) -> "StudyQuerySet":
        """Studies whose title, authors, population, intervention or finding hold, for any
        concept (or every), a word starting with one of its keys (see claims.search).
        PostgreSQL reads them through the GIN expression index sources_study_search_gin
        (migration 0013), whose expression STUDY_SEARCH_VECTOR repeats; elsewhere the
        columns are scanned."""
        if not concepts:
            return self.none()
        if connection.vendor == "postgresql":
            query = SearchQuery(
                prefix_tsquery(concepts, every=every), search_type="raw", config="english"
            )
            vector = RawSQL(STUDY_SEARCH_VECTOR, [], output_field=SearchVectorField())
            return self.alias(search=vector).filter(search=query)
        return self.filter(contains_condition(STUDY_SEARCH_FIELDS, concepts, every=every))

    def for_list(self) -> "StudyQuerySet":
        """Newest first, with what a row of the study list shows."""
        shown = ("slug", "title", "authors", "year", "journal", "design", "sample_size")
        return self.only(*shown, "is_retracted", "claim_count").order_by("-year", "title", "pk")


# What a search of the studies reads, and the expression its PostgreSQL index is built on
# (the query must repeat the index's expression exactly for the index to serve it).
STUDY_SEARCH_FIELDS = ("title", "authors", "population", "intervention", "main_finding")
STUDY_SEARCH_VECTOR = (
    "to_tsvector('english'::regconfig, "
    + " || ' ' || ".join(
        f'coalesce("sources_study"."{name}", \'\')' for name in STUDY_SEARCH_FIELDS
    )
    + ")"
)


class Study(DerivedFieldsMixin, models.Model):
    """A piece of evidence: a trial, review, label, guideline or statistic."""

    # Written by reviews.services.studies_refresh_counts() alone (see DerivedFieldsMixin).
    derived_fields = ("claim_count",)

    class Design(models.TextChoices):
        META_ANALYSIS = "meta_analysis", "Meta-analysis"
        SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
        RANDOMIZED_TRIAL = "randomized_trial", "Randomized trial"
        CROSSOVER_TRIAL = "crossover_trial", "Crossover trial"
        OPEN_LABEL_TRIAL = "open_label_trial", "Open-label trial"
        OBSERVATIONAL = "observational", "Observational study"
        CASE_SERIES = "case_series", "Case series"
        PRECLINICAL = "preclinical", "Preclinical / animal study"
        REGULATORY = "regulatory", "Regulatory document"
        MANUFACTURER = "manufacturer", "Manufacturer information"
        SECONDARY = "secondary", "Secondary summary (news, drug information)"
        COVERAGE_POLICY = "coverage_policy", "Insurer coverage policy"
        CLINIC_PAGE = "clinic_page", "Clinic's own page (prices, services)"
        GUIDELINE = "guideline", "Guideline"
        EPIDEMIOLOGICAL = "epidemiological", "Epidemiological statistic"
        NARRATIVE_REVIEW = "narrative_review", "Narrative review"
        UNCLASSIFIED = "unclassified", "Not yet classified"

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=500)
    authors = models.CharField(max_length=1000, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    journal = models.CharField(max_length=300, blank=True, help_text="Or the issuing body.")
    doi = DOIField("DOI", max_length=200, blank=True)
    pmid = PMIDField("PMID", max_length=9, blank=True)
    pmcid = models.CharField(
        "PMCID",
        max_length=12,
        blank=True,
        validators=[RegexValidator(PMCID_PATTERN, "A PMCID is PMC followed by digits.")],
        help_text="The PubMed Central record, where the article has one.",
    )
    registry_id = models.CharField(
        "trial registration",
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(REGISTRY_ID_PATTERN, "Give a registry number such as NCT02493868.")
        ],
        help_text="The trial's registry number, e.g. ClinicalTrials.gov NCT02493868.",
    )
    label_version = models.CharField(
        max_length=20, blank=True, help_text="For a drug label: the version number read."
    )
    label_effective_date = models.DateField(
        null=True, blank=True, help_text="For a drug label: the date that version took effect."
    )
    url = models.URLField("URL", max_length=500, blank=True)
    verified_from = models.TextField(
        blank=True,
        validators=[validate_source_lines],
        help_text="The pages the citation details were checked against: one URL per line, "
        "optionally followed by what that page confirmed (a working note: the public page "
        "lists the pages alone).",
    )
    unverified = models.TextField(
        blank=True,
        help_text="A working note for editors, never shown on the public site: which fields "
        "could not be verified from a primary source, and why.",
    )
    design = models.CharField(max_length=20, choices=Design)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    population = models.TextField(blank=True)
    intervention = models.TextField(blank=True, help_text="Route, dose, schedule.")
    comparator = models.TextField(blank=True)
    main_finding = models.TextField(blank=True)
    is_retracted = models.BooleanField("retracted", default=False)
    retraction_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # How many claims with a published review it bears on, kept by
    # reviews.services.studies_refresh_counts() as links and reviews change.
    claim_count = models.PositiveIntegerField(default=0, editable=False)

    objects = StudyQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["claim_count"])

    class Meta:
        ordering = ["-year", "title"]
        verbose_name_plural = "studies"
        indexes = [
            # The study list, newest first.
            models.Index(fields=["-year", "title", "id"], name="sources_study_list_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["doi"], condition=~Q(doi=""), name="sources_study_doi_unique"
            ),
            models.UniqueConstraint(
                fields=["pmid"], condition=~Q(pmid=""), name="sources_study_pmid_unique"
            ),
            models.CheckConstraint(
                condition=Q(doi="") | (Q(doi__regex=DOI_PATTERN) & Q(doi=Lower("doi"))),
                name="sources_study_doi_format",
            ),
            models.CheckConstraint(
                condition=Q(pmid="") | Q(pmid__regex=PMID_PATTERN),
                name="sources_study_pmid_format",
            ),
            models.CheckConstraint(
                condition=Q(is_retracted=True) | Q(retraction_note=""),
                name="sources_study_retraction_note_only_if_retracted",
            ),
        ]

    def __str__(self):
        first_author = self.authors.split(",")[0].strip()
        lead = f"{first_author} {self.year}" if first_author and self.year else self.slug
        return f"{lead}: {self.title}"

    def get_absolute_url(self):
        return reverse("studies:detail", args=[self.pk])

    @property
    def short_citation(self) -> str:
        """How a table cites it: the first author's surname and the year ("Glue 2017"), or,
        for a label or a page with no author, its title cut short."""
        surname = self.authors.split(",")[0].strip().split(" ")[0]
        if surname:
            return f"{surname} {self.year}" if self.year else surname
        return self.title if len(self.title) <= 60 else self.title[:59] + "…"

    def clean(self):
        if self.retraction_note and not self.is_retracted:
            raise ValidationError(
                {"retraction_note": "A retraction note needs the study marked retracted."}
            )

    @property
    def verification_sources(self) -> list[tuple[str, str]]:
        """(url, what it confirmed) for each line of verified_from."""
        sources = []
        for line in self.verified_from.splitlines():
            if line.strip():
                url, _, note = line.strip().partition(" ")
                sources.append((url, note.strip()))
        return sources

    @property
    def checked_against(self) -> list[tuple[str, str]]:
        """(url, site) for each page the details were checked against: what a reader is
        shown. What each page confirmed, and `unverified`, are working notes for editors."""
        return [(url, urlsplit(url).hostname or url) for url, _ in self.verification_sources]

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def pmc_url(self) -> str:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/" if self.pmcid else ""

    @property
    def registry_url(self) -> str:
        """ClinicalTrials.gov's page for an NCT number; other registries are not linked."""
        if self.registry_id.startswith("NCT"):
            return f"https://clinicaltrials.gov/study/{self.registry_id}"
        return ""

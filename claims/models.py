from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramSimilarity,
)
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Case, Count, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Length, StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from rapidfuzz import fuzz, process
from simple_history.models import HistoricalRecords

from claims.search import words
from config.derived import DerivedFieldsMixin
from sources.models import Document
from sources.textsearch import contains_condition, prefix_tsquery

CONTEXT_CHARS = 48
SEARCH_CONFIG = "english"
SEARCH_CANDIDATES = 1000
# The longest search a reader can make. Claims run to a sentence or two, well within both;
# each word is a condition of its own (SQLite refuses a search of some hundreds).
SEARCH_MAX_WORDS = 32
SEARCH_MAX_LENGTH = 300
# The columns a claim list row needs; the long search columns stay in the database.
LIST_FIELDS = (
    "statement", "slug", "category", "verdict", "certainty", "published_at", "document_count",
)  # fmt: skip


def validate_search_query(query: str) -> None:
    """A search of at most SEARCH_MAX_WORDS words and SEARCH_MAX_LENGTH characters."""
    words = len(query.split())
    if words > SEARCH_MAX_WORDS:
        raise ValidationError(
            f"Search for at most {SEARCH_MAX_WORDS} words (this search has {words}).",
            code="search_too_long",
        )
    if len(query) > SEARCH_MAX_LENGTH:
        raise ValidationError(
            f"Search for at most {SEARCH_MAX_LENGTH} characters (this search has {len(query)}).",
            code="search_too_long",
        )


def reviewed_condition(through: str = "") -> Q:
    """The rule of ClaimQuerySet.reviewed(), for a query that reaches claims through a
    relation (`through="claim__"`) as a join rather than a subquery. A published review's
    verdict and date are stored on the claim together; the date is the test, since
    claims_claim_published_order answers it (newest reviews first) without reading the
    unreviewed claims."""
    return Q(**{f"{through}published_at__isnull": False})


class ClaimQuerySet(models.QuerySet):
    def public(self) -> "ClaimQuerySet":
        """Every claim a reader may see: all of them, each shown "Not yet reviewed" until a
        review of it is published. Every public page, feed, sitemap and count starts here."""
        return self.all()

    def reviewed(self) -> "ClaimQuerySet":
        """Public claims with a published review."""
        return self.public().filter(reviewed_condition())

    def for_list(self) -> "ClaimQuerySet":
        """What a row of a claim list shows, in the list's default order."""
        return self.only(*LIST_FIELDS).order_by("category", "statement", "pk")

    def for_detail(self) -> "ClaimQuerySet":
        """A claim's page: everything but the long columns kept for search."""
        return self.select_related("carried_by").defer(
            "search_text", "search_vector", "carried_by__search_text", "carried_by__search_vector"
        )

    def latest_reviewed(self) -> "ClaimQuerySet":
        return self.reviewed().only(*LIST_FIELDS).order_by("-published_at", "-id")

    def tally(self, field: str) -> dict[str, int]:
        """How many claims have each value of `field` (verdict, category...)."""
        return dict(self.order_by().values_list(field).annotate(n=Count("pk")))

    def search(self, query: str) -> "ClaimQuerySet":
        """Claims matching the query in their statement, quotes or published review,
        annotated with `rank`: claims containing the query verbatim rank first.

        PostgreSQL: full-text search (websearch syntax) on the stored, GIN-indexed vector.
        Elsewhere: every word must occur in the stored search text. Ranking every match of
        a word nearly every claim contains would cost a second per query: rank through
        ranked_matches(), which ranks a bounded set.

        A longer query than validate_search_query() allows raises ValidationError.
        """
        query = query.strip()
        validate_search_query(query)
        if not query:
            return self
        if connection.vendor == "postgresql":
            # The query's words as a phrase rank above its stems scattered through the text;
            # both tests read the stored vector, never the long text itself.
            search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
            phrase = SearchQuery(query, search_type="phrase", config=SEARCH_CONFIG)
            bonus = _verbatim_bonus(query, elsewhere=Q(search_vector=phrase))
            matches = Q(search_vector=search_query)
            rank = SearchRank(F("search_vector"), search_query) + bonus
        else:
            matches = Q()
            for word in query.split():
                matches &= Q(search_text__icontains=word)
            rank = _verbatim_bonus(query, elsewhere=Q(search_text__icontains=query))
        return self.filter(matches).annotate(rank=rank)

    def matching(self, concepts: list[tuple[str, ...]], *, every: bool) -> "ClaimQuerySet":
        """Claims whose search text holds, for every concept (or for any), a word starting
        with one of its keys (see claims.search). PostgreSQL reads the GIN-indexed vector
        with prefix queries; elsewhere the stored text is scanned."""
        if not concepts:
            return self.none()
        if connection.vendor == "postgresql":
            query = prefix_tsquery(concepts, every=every)
            return self.filter(
                search_vector=SearchQuery(query, search_type="raw", config=SEARCH_CONFIG)
            )
        return self.filter(contains_condition(("search_text",), concepts, every=every))

    def ranked_matches(self, limit: int | None = None) -> list[tuple[float, int]]:
        """(rank, pk) of at most `limit` of these searched claims, best first (ties: newest
        pk first). One pass over the first `limit` matches the index finds, ranked as they
        are read, so a word nearly every claim contains costs what a rare one does."""
        return best_first(list(self.candidates(limit)))

    def candidates(self, limit: int | None = None) -> "ClaimQuerySet":
        """The (rank, pk) rows ranked_matches() sorts."""
        return self.order_by().values_list("rank", "pk")[: limit or SEARCH_CANDIDATES]


def best_first(ranking: list[tuple[float, int]]) -> list[tuple[float, int]]:
    ranking.sort(reverse=True)
    return ranking


def _verbatim_bonus(query: str, *, elsewhere: Q) -> Case:
    """2 when the statement contains the query verbatim, 1 when the rest of the claim does.
    (A position test, not a LIKE pattern: the query's own characters are never wildcards,
    and the query stays one parameter.)"""
    in_statement = GreaterThan(StrIndex(Upper("statement"), Upper(Value(query))), 0)
    return Case(
        When(in_statement, then=Value(2.0)),
        When(elsewhere, then=Value(1.0)),
        default=Value(0.0),
        output_field=models.FloatField(),
    )


class Claim(DerivedFieldsMixin, models.Model):
    """One canonical, checkable statement that may appear in many documents."""

    # Written by reviews.services.claims_refresh_derived() alone (see DerivedFieldsMixin).
    derived_fields = (
        "verdict", "certainty", "published_at", "document_count", "search_text", "search_vector",
        "texts_changed_at",
    )  # fmt: skip

    class Category(models.TextChoices):
        ONSET = "onset", "Onset"
        EFFICACY = "efficacy", "Efficacy"
        DOSING = "dosing", "Dosing and schedule"
        ADMINISTRATION = "administration", "Administration"
        SAFETY = "safety", "Safety"
        MECHANISM = "mechanism", "Mechanism"
        REGULATORY = "regulatory", "Regulatory status"
        COST = "cost", "Cost and access"
        COMPARISON = "comparison", "Comparison"
        PREVALENCE = "prevalence", "Prevalence"
        OTHER = "other", "Other"

    class Unit(models.TextChoices):
        MINUTES = "minutes", "minutes"
        HOURS = "hours", "hours"
        DAYS = "days", "days"
        WEEKS = "weeks", "weeks"
        MONTHS = "months", "months"
        YEARS = "years", "years"
        PERCENT = "percent", "%"
        SESSIONS = "sessions", "sessions"
        MG_PER_KG = "mg_per_kg", "mg/kg"
        PEOPLE = "people", "people"
        FOLD = "fold", "-fold"
        NEURONS = "neurons", "neurons"

    statement = models.TextField(help_text="Neutral and checkable: what would have to be true.")
    slug = models.SlugField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=Category)
    value_low = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    value_high = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=20, choices=Unit, blank=True)
    carried_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fragments",
        help_text="When this claim's quote is cut from a sentence that claims more: the claim "
        "graded on the whole sentence. This claim's verdict may not be better than that one's.",
    )
    contradicts = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text="Claims from other documents that say the opposite.",
    )
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Statement, quotes and published review, kept for search.",
    )
    search_vector = SearchVectorField(null=True, editable=False)
    # When the statement or the quotes were last refreshed (by claims_refresh_derived): the
    # page check's claim index (claims.claim_index) recomputes the claim's rows when it moves.
    texts_changed_at = models.DateTimeField(null=True, editable=False, db_index=True)
    # The published review's verdict and certainty, and how many documents make the claim,
    # kept by reviews.services.claims_refresh_derived() so lists filter and sort on indexes.
    verdict = models.CharField(max_length=20, blank=True, editable=False)
    certainty = models.CharField(max_length=20, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    document_count = models.PositiveIntegerField(default=0, editable=False)
    rereview_reason = models.TextField(
        "needs re-review because",
        blank=True,
        help_text="Set when a study it relies on is retracted or an editor asks for a "
        "re-review; cleared when a new review is published.",
    )
    rereview_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "search_text", "search_vector", "version", "texts_changed_at",
            "verdict", "certainty", "published_at", "document_count",
        ]
    )  # fmt: skip

    class Meta:
        ordering = ["statement"]
        indexes = [
            # Claim.objects.search() on PostgreSQL (created only there: see migration 0002).
            GinIndex(fields=["search_vector"], name="claims_claim_search_gin"),
            # The claim list in its default order, and its pages after a cursor.
            models.Index(fields=["category", "statement", "id"], name="claims_claim_list_order"),
            # The claim list sorted by statement.
            models.Index(fields=["statement", "id"], name="claims_claim_statement_order"),
            # The claim list sorted by newest review; the home page's verdict tally.
            models.Index(fields=["published_at", "id"], name="claims_claim_published_order"),
            # The list filtered by verdict (and category) in its default order; the tally.
            models.Index(
                fields=["verdict", "category", "statement", "id"], name="claims_claim_verdict_list"
            ),
            # The claim list sorted by how many documents make the claim.
            models.Index(fields=["document_count", "id"], name="claims_claim_document_order"),
            # A document page's excerpts show their claims' links, verdicts and statements:
            # read from this index alone, not from hundreds of the table's wide rows.
            # Covering indexes are PostgreSQL's (see migration 0008; models.W040 is
            # silenced for SQLite, which goes without).
            models.Index(
                fields=["id"],
                include=["slug", "verdict", "statement"],
                name="claims_claim_shown_by_id",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_low__isnull=True)
                | Q(value_high__isnull=True)
                | Q(value_low__lte=F("value_high")),
                name="claims_claim_value_range_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(value_low__isnull=True) & Q(value_high__isnull=True)) | ~Q(unit=""),
                name="claims_claim_value_has_unit",
            ),
        ]

    def __str__(self):
        return self.statement

    def get_absolute_url(self):
        return reverse("claims:detail", args=[self.slug])

    def clean(self):
        has_value = self.value_low is not None or self.value_high is not None
        if has_value and not self.unit:
            raise ValidationError({"unit": "A claimed figure needs a unit."})
        if self.value_low is not None and self.value_high is not None:
            if self.value_low > self.value_high:
                raise ValidationError({"value_high": "The high value is below the low value."})
        if self.carried_by_id is not None:
            if self.carried_by_id == self.pk:
                raise ValidationError({"carried_by": "A claim cannot carry its own sentence."})
            if self.carried_by.carried_by_id is not None:
                raise ValidationError(
                    {
                        "carried_by": "That claim is itself part of a longer sentence: choose the "
                        "claim graded on the whole sentence."
                    }
                )
            if self.pk and self.fragments.exists():
                raise ValidationError(
                    {
                        "carried_by": "Other claims are cut from this one's sentence: it carries "
                        "a whole sentence itself."
                    }
                )

    @property
    def needs_rereview(self) -> bool:
        return bool(self.rereview_reason)

    @property
    def figure(self) -> str:
        """The claimed figure as text: '40–60 minutes', '83%', or ''."""
        values = [v for v in (self.value_low, self.value_high) if v is not None]
        if not values:
            return ""
        shown = [f"{v.normalize():f}" for v in values]
        number = shown[0] if len(set(shown)) == 1 else f"{shown[0]}–{shown[1]}"
        unit = Claim.Unit(self.unit)
        if unit in (Claim.Unit.PERCENT, Claim.Unit.FOLD):
            return f"{number}{unit.label}"
        return f"{number} {unit.label}"


class AnchorState(models.TextChoices):
    """What became of a quote in a newer version of its page (claims.reanchoring)."""

    UNCHANGED = "unchanged", "Unchanged"
    MOVED = "moved", "Moved"
    CHANGED = "changed", "Changed: an editor must confirm"
    GONE = "gone", "Gone"


class ExcerptQuerySet(models.QuerySet):
    def in_document_order(self) -> "ExcerptQuerySet":
        return self.order_by("document", "start", "end")

    def spans(self):
        """Each excerpt's place in its document and the claim it quotes, as plain rows (a
        long document page highlights hundreds): pk, start, end, claim__slug,
        claim__statement and claim__verdict."""
        return self.order_by("start", "end").values_list(
            "pk", "start", "end", "claim__slug", "claim__statement", "claim__verdict", named=True
        )

    def current(self) -> "ExcerptQuerySet":
        """Quotes not carried into a newer version of their page: a page's newest version's,
        and the quotes an older version holds that its newer version changed or removed."""
        return self.filter(carried_to__isnull=True)

    def for_claim_page(self) -> "ExcerptQuerySet":
        """Each current quote in context, with the document it comes from and what became of
        it in a newer version of the page, by document title."""
        return (
            self.current()
            .select_related("document", "carried_from")
            .only(
                "quote", "start", "end", "prefix", "suffix", "claim_id",
                "anchor_state", "anchor_text", "anchored_at",
                "carried_from__quote", "carried_from__anchor_state", "carried_from__anchored_at",
                "document__title", "document__slug", "document__url", "document__publisher",
                "document__published_on",
            )
            .order_by("document__title", "start", "pk")
        )  # fmt: skip

    def documents_by_claim(self, *fields: str) -> dict[int, list[Document]]:
        """The documents quoting each claim (by claim pk), each once, by title: where the
        claims appear, in one query. Each document has its slug, title and publisher, and
        any other of its `fields`."""
        shown = ("slug", "title", "publisher", *fields)
        rows = self.current().select_related("document").only(
            "claim_id", *(f"document__{name}" for name in shown)
        ).order_by("document__title", "document_id")  # fmt: skip
        found: dict[int, dict[int, Document]] = {}
        for excerpt in rows:
            found.setdefault(excerpt.claim_id, {}).setdefault(excerpt.document_id, excerpt.document)
        return {claim: list(documents.values()) for claim, documents in found.items()}


class Excerpt(models.Model):
    """Where a claim appears: a verbatim quote at character offsets in a document body.

    The pair (quote, prefix/suffix) is a W3C Web Annotation text-quote selector and
    (start, end) a text-position selector.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="excerpts")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="excerpts")
    quote = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True, editable=False)
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True, editable=False)
    # What became of the quote in the page's newer version (claims.reanchoring), written by
    # reviews.services.document_version_follow(): blank until a newer version is stored.
    anchor_state = models.CharField(
        "in the newer version", max_length=20, choices=AnchorState, blank=True, editable=False
    )
    anchor_text = models.TextField(
        "newer wording", blank=True, editable=False, help_text="What the page says instead."
    )
    anchored_at = models.DateTimeField(null=True, blank=True, editable=False)
    carried_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_from",
        help_text="The same quote in the page's newer version, when it is there verbatim.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExcerptQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "start", "end"]
        indexes = [
            # Counts a document's excerpts and distinct claims from the index alone.
            models.Index(fields=["document", "claim"], name="claims_excerpt_document_claim"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "start", "end"], name="claims_excerpt_unique_span"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="claims_excerpt_span_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")),
                name="claims_excerpt_span_matches_quote_length",
            ),
        ]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 80 else self.quote[:77] + "…"
        return f"“{quote}”"

    def save(self, *args, **kwargs):
        self.fill_context()
        super().save(*args, **kwargs)

    def clean(self):
        if self.document_id is None or self.start is None or self.end is None:
            return
        body = self.document.body
        found = body[self.start : self.end]
        if found == self.quote:
            return
        hint = ""
        elsewhere = body.find(self.quote)
        if self.quote and elsewhere >= 0:
            hint = f" The quote occurs at {elsewhere}–{elsewhere + len(self.quote)}."
        raise ValidationError(
            {
                "quote": f"The quote is not the document's text at {self.start}–{self.end}, "
                f"which reads “{found}”.{hint}"
            }
        )

    def fill_context(self) -> None:
        body = self.document.body
        self.prefix = body[max(0, self.start - CONTEXT_CHARS) : self.start]
        self.suffix = body[self.end : self.end + CONTEXT_CHARS]

    @classmethod
    def locate(cls, *, document: Document, quote: str, occurrence: int = 1) -> "Excerpt":
        """An unsaved excerpt for the n-th occurrence of `quote` in the document."""
        position = -1
        for _ in range(occurrence):
            position = document.body.find(quote, position + 1)
            if position < 0:
                raise ValidationError(f"“{quote}” does not occur {occurrence}× in “{document}”.")
        return cls(document=document, quote=quote, start=position, end=position + len(quote))


class CandidateQuerySet(models.QuerySet):
    def in_review_order(self) -> "CandidateQuerySet":
        """In the order the sentences come in their document, with what a review page shows."""
        return self.select_related("excerpt__claim").order_by("start", "end")

    def status_counts(self) -> dict[str, int]:
        """How many candidates there are of each status, every status present (0 if none)."""
        counts = dict(self.order_by().values_list("status").annotate(n=Count("pk")))
        return {status: counts.get(status, 0) for status in Candidate.Status}


class Candidate(models.Model):
    """A sentence of an ingested document that may be a claim, awaiting an editor's decision."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="candidates")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    category = models.CharField(max_length=20, choices=Claim.Category)
    reasons = models.JSONField(default=list)
    matches = models.JSONField(default=list, help_text="[{claim: slug, score: 0-1}], best first.")
    status = models.CharField(max_length=20, choices=Status, default=Status.PROPOSED)
    excerpt = models.OneToOneField(
        Excerpt, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidate"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["document", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "start", "end"], name="claims_candidate_unique_span"
            ),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")),
                name="claims_candidate_span_matches_quote_length",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.quote[:80]}"

    def position(self) -> int:
        """How many of its document's candidates come before it in review order."""
        before = Q(start__lt=self.start) | Q(start=self.start, end__lt=self.end)
        return Candidate.objects.filter(before, document_id=self.document_id).count()


class SearchWordQuerySet(models.QuerySet):
    def add_from(self, texts: Iterable[str]) -> None:
        """Remember every word of these texts (a word already known is left alone)."""
        found = {word for text in texts for word in words(text) if len(word) >= 3}
        if found:
            self.bulk_create(
                [SearchWord(word=word) for word in sorted(found)],
                ignore_conflicts=True,
                batch_size=1_000,
            )

    def known(self, candidates: list[str]) -> list[str]:
        """Which of these words some text of the site uses."""
        return list(self.filter(word__in=candidates).values_list("word", flat=True))

    def closest(self, word: str) -> str:
        """The known word most like a misspelt one ("anxeity" → "anxiety"), or "" if none
        is alike enough. PostgreSQL: pg_trgm's trigram similarity on the GIN-indexed
        words. Elsewhere: rapidfuzz over the words, kept in memory until one is added."""
        if connection.vendor == "postgresql":
            best = (
                self.filter(word__trigram_similar=word)
                .annotate(similarity=TrigramSimilarity("word", word))
                .order_by("-similarity", "word")
                .values_list("word", flat=True)
                .first()
            )
            return best or ""
        vocabulary = _vocabulary(self)
        best = process.extractOne(
            word, vocabulary, scorer=fuzz.ratio, score_cutoff=SIMILAR_WORD_RATIO
        )
        return best[0] if best else ""


# rapidfuzz's ratio (0-100) at which a known word is taken for a misspelt one: about what
# pg_trgm's default similarity threshold (0.3) accepts for words of six to ten letters.
SIMILAR_WORD_RATIO = 75
_vocabulary_cache: dict[str, object] = {"version": None, "words": []}


def _vocabulary(words_queryset) -> list[str]:
    """Every known word, read again only when the words have changed, as told by their
    count, highest key, total length and first and last words (one aggregate query: a
    rolled-back transaction can leave the same count and keys with other words)."""
    version = tuple(
        words_queryset.aggregate(
            count=Count("pk"),
            last=Max("pk"),
            letters=Sum(Length("word")),
            first_word=Min("word"),
            last_word=Max("word"),
        ).values()
    )
    if version != _vocabulary_cache["version"]:
        _vocabulary_cache["words"] = list(words_queryset.values_list("word", flat=True))
        _vocabulary_cache["version"] = version
    return _vocabulary_cache["words"]


class SearchWord(models.Model):
    """A word some public text of the site uses: the vocabulary misspellings are corrected
    against. Written by the services that write search texts (SearchWord.objects.add_from)."""

    word = models.CharField(max_length=40, unique=True)

    objects = SearchWordQuerySet.as_manager()

    class Meta:
        indexes = [
            # SearchWord.objects.closest() on PostgreSQL: trigram similarity (pg_trgm).
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="claims_searchword_trgm"),
        ]

    def __str__(self):
        return self.word


class IngestionJob(models.Model):
    """Pages an editor asked to take in, one or a batch (addresses to fetch, files, or a
    pasted text), ingested in the background (claims.tasks), one item each."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    publisher = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Document.Kind, default=Document.Kind.CLINIC_PAGE)
    # Counts kept by claims.services as items finish (or wait for an editor again).
    total = models.PositiveIntegerField(default=0, editable=False)
    finished = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished__lte=F("total")), name="claims_ingestionjob_finished_le_total"
            )
        ]

    def __str__(self):
        pages = f"{self.total} page" + ("" if self.total == 1 else "s")
        return f"Ingestion of {pages}, {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("admin:claims_candidate_job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.finished / self.total)


class IngestionItem(models.Model):
    """One page of an ingestion job: where it comes from, and what came of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        STORED = "stored", "Stored"
        ALREADY_STORED = "already_stored", "Already stored"
        NEEDS_DECISION = "needs_decision", "Much like a stored page: an editor decides"
        FAILED = "failed", "Failed"

    job = models.ForeignKey(IngestionJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    url = models.URLField("address", max_length=500, blank=True)
    fetch = models.BooleanField(default=False, help_text="Fetch the page from its address.")
    name = models.CharField(max_length=255, blank=True, help_text="The file's name, its format.")
    title = models.CharField(max_length=300, blank=True)
    data = models.BinaryField(
        null=True, blank=True, editable=False
    )  # the text given, if not fetched
    # The editor's answer once the text was found much like a stored page.
    supersedes = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    different_page = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.QUEUED)
    message = models.TextField(blank=True)
    near_duplicates = models.JSONField(default=list, blank=True)  # [{pk, title, slug, similarity}]
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "position"], name="claims_ingestionitem_position"
            ),
        ]

    def __str__(self):
        return self.url or self.name or f"Pasted text {self.position}"

"""What the public pages read on every request, as prepared queries (config/prepared.py):
compiled once per process and, on PostgreSQL, planned once per connection. Each is a
queryset from the models' own querysets; the page cache aside, these are most of what a
page costs."""

from functools import cache

from claims.models import LIST_FIELDS, SEARCH_CANDIDATES, Claim, Excerpt, best_first
from config.prepared import PreparedQuery
from public.filters import ClaimFilter, claim_list_queryset
from public.pagination import Ordering, PageReader, page_query
from reviews.models import EvidenceLink, Review
from sources.models import Document, Study

HOME_REVIEW_COUNT = 8
HOME_DOCUMENT_COUNT = 10

# Home page
latest_reviewed_claims = PreparedQuery(lambda: Claim.objects.latest_reviewed()[:HOME_REVIEW_COUNT])
newest_documents = PreparedQuery(
    lambda: Document.objects.for_list().order_by("-created_at", "-pk")[:HOME_DOCUMENT_COUNT]
)

# Claim page: the claim with every review of it ever published, then what it quotes and
# what bears on it.
claim_review_history = PreparedQuery(
    lambda slug: (
        Review.objects.history()
        .filter(claim__slug=slug)
        .select_related("claim")
        .defer("claim__search_text", "claim__search_vector")
    ),
    slug=str,
)
claim_excerpts = PreparedQuery(
    lambda claim: Excerpt.objects.filter(claim=claim).for_claim_page(), claim=int
)
claim_evidence = PreparedQuery(
    lambda claim: EvidenceLink.objects.filter(claim=claim).for_claim_page(), claim=int
)
claim_contradictions = PreparedQuery(
    lambda claim: (
        Claim.objects.filter(contradicts=claim).only(*LIST_FIELDS).order_by("statement", "pk")
    ),
    claim=int,
)

# Document page: the document, and each excerpt's span with the claim it quotes.
DOCUMENT_PAGE_FIELDS = (
    "title", "slug", "url", "publisher", "kind", "published_on", "retrieved_on", "body",
)  # fmt: skip
document_by_slug = PreparedQuery(
    lambda slug: Document.objects.filter(slug=slug).only(*DOCUMENT_PAGE_FIELDS), slug=str
)
document_spans = PreparedQuery(
    lambda document: (
        Excerpt.objects.filter(document=document)
        .order_by("start", "end")
        .values_list("pk", "start", "end", "claim__slug", "claim__statement", "claim__verdict")
    ),
    document=int,
)

# Study list: a numbered page of every study, or of one design's.
study_list_page = PreparedQuery(lambda: Study.objects.for_list(), sliced=True)
study_list_page_of_design = PreparedQuery(
    lambda design: Study.objects.for_list().filter(design=design), sliced=True, design=str
)

# Study page
study_by_pk = PreparedQuery(lambda pk: Study.objects.filter(pk=pk), pk=int)
study_evidence = PreparedQuery(
    lambda study: EvidenceLink.objects.filter(study=study).for_study_page(), study=int
)


# Claim list: the page query for each shape a request takes (which facets it sets, its
# order, whether it follows a cursor, and which way), prepared when first asked for. A
# search has a shape of its own: see search_ranking().
PREPARED_FACETS = ("category", "verdict", "certainty", "document", "design")


def claim_list_reader(filterset: ClaimFilter) -> PageReader | None:
    """Reads the claim list's pages for this request through prepared queries; None when
    the request is invalid (the list is empty) or searches (see search_ranking())."""
    chosen = _chosen_facets(filterset)
    if chosen is None or filterset.search_terms():
        return None

    def read(ordering: Ordering, bound: list | None, backwards: bool, limit: int) -> list:
        cursor_types = tuple(type(value) for value in bound) if bound is not None else None
        query = _claim_list_page(tuple(sorted(chosen)), ordering, backwards, cursor_types, limit)
        cursor = {f"cursor_{i}": value for i, value in enumerate(bound or ())}
        return query(**chosen, **cursor)

    return read


def _faceted_claims(facets: tuple[str, ...], values: dict):
    """The claim list's queryset with these facets applied, by the claim filter's own
    filters, to these values."""
    claims = claim_list_queryset()
    filters = ClaimFilter(queryset=claims).filters
    for name in facets:
        claims = filters[name].filter(claims, values[name])
    return claims


def _chosen_facets(filterset: ClaimFilter) -> dict[str, str] | None:
    """The facets the request sets, by name; None for an invalid request."""
    if not filterset.is_bound:
        return {}
    if not filterset.is_valid():
        return None
    cleaned = filterset.form.cleaned_data
    return {name: cleaned[name] for name in PREPARED_FACETS if cleaned.get(name)}


@cache
def _claim_list_page(facets, ordering, backwards, cursor_types, limit) -> PreparedQuery:
    def build(**values):
        claims = _faceted_claims(facets, values)
        bound = None
        if cursor_types is not None:
            bound = [values[f"cursor_{i}"] for i in range(len(cursor_types))]
        return page_query(claims, ordering, bound, backwards, limit)

    return PreparedQuery(
        build,
        **dict.fromkeys(facets, str),
        **{f"cursor_{i}": kind for i, kind in enumerate(cursor_types or ())},
    )


# A search's page: the claims of the best-ranked keys, by primary key, in one shape for any
# page of up to CLAIMS_PER_PAGE (the keys left over are 0, which no claim has).
CLAIMS_PER_PAGE = 25
_claims_by_pks = PreparedQuery(
    lambda **pks: Claim.objects.for_list().filter(pk__in=list(pks.values())),
    **{f"pk_{i}": int for i in range(CLAIMS_PER_PAGE)},
)


def claims_in_order(pks: list[int]) -> list[Claim]:
    """The claims with these primary keys, in this order (one page's worth at most)."""
    if len(pks) > CLAIMS_PER_PAGE:
        raise ValueError(f"At most {CLAIMS_PER_PAGE} claims at a time.")
    padded = [*pks, *[0] * (CLAIMS_PER_PAGE - len(pks))]
    found = {
        claim.pk: claim
        for claim in _claims_by_pks(**{f"pk_{i}": pk for i, pk in enumerate(padded)})
    }
    return [found[pk] for pk in pks if pk in found]


# A search: its bounded set of ranked matches, for each set of facets it comes with.


def search_ranking(filterset: ClaimFilter) -> list[tuple[float, int]]:
    """Claim.objects.search(...).ranked_matches() for this valid, searching request."""
    chosen, terms = _chosen_facets(filterset), filterset.search_terms()
    if chosen is None or not terms:
        raise ValueError("Only a valid search has a ranking.")
    query = _search_candidates_query(tuple(sorted(chosen)), SEARCH_CANDIDATES)
    return best_first(query(terms=terms, **chosen))


@cache
def _search_candidates_query(facets: tuple[str, ...], limit: int) -> PreparedQuery:
    def build(terms: str, **values):
        return _faceted_claims(facets, values).search(terms).candidates(limit)

    return PreparedQuery(build, terms=str, **dict.fromkeys(facets, str))

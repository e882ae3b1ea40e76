from datetime import timedelta
from itertools import combinations

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim
from public import queries
from public.filters import ClaimFilter, ClaimSort, claim_list_queryset
from public.pagination import paginate
from reviews.models import Review
from reviews.services import claims_refresh_derived
from sources.models import Study
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_review,
    make_study,
)

pytestmark = pytest.mark.django_db

PAGE = 4


@pytest.fixture
def listed_claims():
    """Claims that differ in every key the list sorts and filters on, with ties."""
    document = make_document(body=" ".join(f"Promise number {n}." for n in range(15)))
    meta = make_study(design=Study.Design.META_ANALYSIS)
    categories = [Claim.Category.ONSET, Claim.Category.SAFETY, Claim.Category.EFFICACY]
    verdicts = [Review.Verdict.FALSE, Review.Verdict.MISLEADING, None]
    now = timezone.now()
    claims = []
    for n in range(15):
        claim = make_claim(statement=f"Claim {n % 5} about ketamine", category=categories[n % 3])
        if verdicts[n % 3]:
            make_review(
                claim=claim,
                verdict=verdicts[n % 3],
                status=Review.Status.PUBLISHED,
                published_at=now - timedelta(days=n % 4),
            )
        if n % 2:
            make_excerpt(document=document, claim=claim, quote=f"Promise number {n}.")
        if n % 4 == 0:
            make_evidence_link(claim=claim, study=meta)
        claims.append(claim)
    claims_refresh_derived(claim_ids=[c.pk for c in claims])
    return document


def every_page(query: str, *, prepared: bool) -> list[list[int]]:
    """The pks of every page, forwards to the end and then backwards to the start."""
    filterset = ClaimFilter(QueryDict(query), queryset=claim_list_queryset())
    assert filterset.is_valid()
    claims, ordering = filterset.qs, filterset.ordering()

    def page(**cursor):
        read = queries.claim_list_reader(filterset) if prepared else None
        return paginate(claims, ordering, size=PAGE, read=read, **cursor)

    pages, current = [], page()
    pages.append([c.pk for c in current.rows])
    while current.next_cursor:
        current = page(after=current.next_cursor)
        pages.append([c.pk for c in current.rows])
    while current.previous_cursor:
        current = page(before=current.previous_cursor)
        pages.append([c.pk for c in current.rows])
    return pages


FACET_VALUES = {
    "category": "onset",
    "verdict": "misleading",
    "certainty": "low",
    "design": "meta_analysis",
}


@pytest.mark.parametrize("sort", ["", *ClaimSort.values])
@pytest.mark.parametrize(
    "facets", [(), *combinations(FACET_VALUES, 1), ("category", "verdict"), ("document",)]
)
def test_prepared_pages_are_the_querysets_pages(listed_claims, sort, facets):
    values = {**FACET_VALUES, "document": listed_claims.slug}
    query = "&".join([f"{name}={values[name]}" for name in facets] + [f"sort={sort}"])
    expected = every_page(query, prepared=False)
    assert every_page(query, prepared=True) == expected
    assert sum(map(len, expected)) > 0 or facets


def test_the_reader_leaves_searches_and_invalid_requests_to_the_orm():
    def reader(query):
        filterset = ClaimFilter(QueryDict(query) if query else None, queryset=Claim.objects.all())
        return queries.claim_list_reader(filterset)

    assert reader("q=ketamine") is None
    assert reader("verdict=bogus") is None
    assert reader("") is not None
    assert reader("verdict=false&sort=statement") is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")
def test_on_postgresql_the_list_page_executes_a_prepared_statement(client, listed_claims):
    client.get("/claims/?category=onset")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/claims/?category=safety")
    assert response.status_code == 200
    assert any(q["sql"].startswith("EXECUTE prepared_query_") for q in captured.captured_queries)


def test_claims_in_order_keeps_the_order_and_skips_what_is_gone():
    claims = [make_claim() for _ in range(5)]
    wanted = [claims[3].pk, claims[0].pk, 999_999, claims[4].pk]
    assert [c.pk for c in queries.claims_in_order(wanted)] == wanted[:2] + wanted[3:]
    assert queries.claims_in_order([]) == []


def test_claims_in_order_takes_one_page_at_most():
    with pytest.raises(ValueError):
        queries.claims_in_order(list(range(1, queries.CLAIMS_PER_PAGE + 2)))


@pytest.mark.parametrize("facets", ["", "category=onset", "verdict=false&certainty=low"])
@pytest.mark.parametrize("terms", ["ketamine", "claim 3", "promise", "nothing-matches-this"])
def test_a_search_ranking_is_the_querysets(listed_claims, facets, terms):
    filterset = ClaimFilter(QueryDict(f"q={terms}&{facets}"), queryset=claim_list_queryset())
    expected = filterset.qs.ranked_matches()
    assert queries.search_ranking(filterset) == expected
    assert expected or terms == "nothing-matches-this" or facets


def test_only_a_valid_search_has_a_ranking():
    for query in ("", "verdict=bogus&q=ketamine"):
        with pytest.raises(ValueError):
            queries.search_ranking(ClaimFilter(QueryDict(query), queryset=Claim.objects.all()))

import pytest
from django.http import QueryDict

from claims.models import Claim
from public.filters import RELEVANCE, ClaimFilter, ClaimSort

pytestmark = pytest.mark.django_db


def claim_filter(query: str) -> ClaimFilter:
    return ClaimFilter(QueryDict(query), queryset=Claim.objects.all())


def test_each_request_gets_its_own_form():
    bad, good = claim_filter("verdict=not-a-verdict"), claim_filter("verdict=misleading")
    assert bad.form is not good.form
    assert not bad.is_valid() and "verdict" in bad.errors
    assert good.is_valid() and good.form.cleaned_data["verdict"] == "misleading"


def test_each_request_binds_its_own_filters():
    first, second = claim_filter("q=ketamine"), claim_filter("q=esketamine")
    assert first.filters["q"] is not second.filters["q"]
    assert first.filters["q"].parent is first and second.filters["q"].parent is second


def test_a_filter_with_a_method_calls_its_own_requests_filter_set():
    first, second = claim_filter("q=ketamine"), claim_filter("document=some-page")
    for filter_set in (first, second):
        for name in ("q", "document", "design", "sort"):
            assert filter_set.filters[name].filter.method.__self__ is filter_set
    assert not hasattr(ClaimFilter.base_filters["q"], "parent")


def test_the_filtered_queryset_is_each_requests_own():
    onset = Claim.objects.create(statement="Fast", slug="fast", category=Claim.Category.ONSET)
    Claim.objects.create(statement="Safe", slug="safe", category=Claim.Category.SAFETY)
    assert list(claim_filter("category=onset").qs) == [onset]
    assert claim_filter("category=safety").qs.get().slug == "safe"
    assert claim_filter("").qs.count() == 2


def test_forms_keep_their_own_data_and_errors():
    bad, good = claim_filter("category=bogus"), claim_filter("category=onset")
    assert not bad.is_valid() and good.is_valid()
    assert "category" in bad.form.errors and not good.form.errors
    assert bad.form["category"].value() == "bogus" and good.form["category"].value() == "onset"


def test_labels_have_no_colon():
    assert claim_filter("").form["verdict"].label_tag() == (
        '<label for="id_verdict">Verdict</label>'
    )


def test_a_search_orders_by_relevance_unless_a_sort_is_chosen():
    assert claim_filter("q=ketamine").ordering() is RELEVANCE
    assert claim_filter("q=ketamine&sort=statement").ordering() == ClaimSort.STATEMENT.ordering
    assert claim_filter("").ordering() == ClaimSort.CATEGORY.ordering
    assert claim_filter("sort=nonsense").ordering() == ClaimSort.CATEGORY.ordering


def test_search_terms_are_the_cleaned_query_or_nothing_when_invalid():
    assert claim_filter("q=within+an+hour").search_terms() == "within an hour"
    assert claim_filter("q=ketamine&verdict=bogus").search_terms() == ""

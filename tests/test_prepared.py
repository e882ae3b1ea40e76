from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F, FloatField
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim, Excerpt
from config.prepared import PLACEHOLDERS, PreparedQuery
from tests.factories import make_claim, make_document, make_excerpt

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's (CI runs both)"
)
elsewhere = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL prepares (CI runs both)"
)

excerpts_of_claim = PreparedQuery(
    lambda claim: (
        Excerpt.objects.filter(claim=claim)
        .select_related("document", "claim")
        .only("quote", "start", "claim_id", "document__title", "claim__slug")
        .annotate(publisher=F("document__publisher"))
        .order_by("start", "pk")
    ),
    claim=int,
)
claim_slugs_by_category = PreparedQuery(
    lambda category, slug: (
        Claim.objects.filter(category=category)
        .exclude(slug=slug)
        .order_by("slug")
        .values_list("pk", "slug")
    ),
    category=str,
    slug=str,
)


def prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def quoted_claims():
    document = make_document(
        publisher="Clinic & Co", body="Relief within hours. Six infusions. Few side effects."
    )
    first, second = make_claim(), make_claim()
    make_excerpt(document=document, claim=first, quote="Six infusions")
    make_excerpt(document=document, claim=first, quote="Relief within hours")
    make_excerpt(document=document, claim=second, quote="Few side effects")
    return first, second


def test_rows_are_the_querysets_own_with_related_objects_and_annotations(quoted_claims):
    for claim in quoted_claims:
        expected = list(excerpts_of_claim.queryset(claim=claim.pk))
        got = excerpts_of_claim(claim=claim.pk)
        assert [e.pk for e in got] == [e.pk for e in expected] and got
        for mine, theirs in zip(got, expected, strict=True):
            assert (mine.quote, mine.start, mine.claim_id) == (
                theirs.quote,
                theirs.start,
                theirs.claim_id,
            )
            assert mine.document.title == theirs.document.title
            assert mine.claim.slug == claim.slug
            assert mine.publisher == "Clinic & Co"
            assert mine.get_deferred_fields() == theirs.get_deferred_fields()


def test_related_objects_come_with_the_rows_not_one_query_each(quoted_claims):
    first, _ = quoted_claims
    with CaptureQueriesContext(connection) as captured:
        rows = excerpts_of_claim(claim=first.pk)
        titles = [excerpt.document.title for excerpt in rows]
    assert len(titles) == 2
    assert len(captured.captured_queries) == 1


def test_tuples_for_values_list_and_each_value_where_it_belongs():
    onset = [make_claim(category=Claim.Category.ONSET) for _ in range(3)]
    make_claim(category=Claim.Category.SAFETY)
    kept = sorted((c.pk, c.slug) for c in onset[1:])
    rows = claim_slugs_by_category(category=Claim.Category.ONSET, slug=onset[0].slug)
    assert sorted(rows) == kept
    assert all(type(row) is tuple for row in rows)
    assert claim_slugs_by_category(category="no-such-category", slug="x") == []


def test_values_are_converted_as_the_querysets_own_are(quoted_claims):
    # The database answers with a numeric (a Decimal from the driver); the expression's
    # output field makes it a float.
    half = RawSQL("CAST(1.5 AS NUMERIC)", (), output_field=FloatField())
    claims_with_half = PreparedQuery(
        lambda pk: Claim.objects.filter(pk=pk).annotate(half=half), pk=int
    )
    halves = PreparedQuery(
        lambda pk: Claim.objects.filter(pk=pk).annotate(half=half).values_list("pk", "half"), pk=int
    )
    first, _ = quoted_claims
    [claim] = claims_with_half(pk=first.pk)
    assert claim.half == 1.5 and type(claim.half) is float
    assert halves(pk=first.pk) == [(first.pk, 1.5)]
    assert type(halves(pk=first.pk)[0][1]) is float


def test_no_rows_is_an_empty_list():
    assert excerpts_of_claim(claim=987654) == []


def test_values_are_sent_as_parameters_not_spliced_into_the_sql():
    hostile = "x'); DROP TABLE claims_claim; --"
    assert claim_slugs_by_category(category=hostile, slug=hostile) == []
    assert Claim.objects.count() == 0


def test_a_literal_percent_sign_in_the_sql_survives():
    claim = make_claim()
    percent = PreparedQuery(
        lambda pk: Claim.objects.filter(pk=pk).annotate(label=RawSQL("'100%%'", ())),
        pk=int,
    )
    [row] = percent(pk=claim.pk)
    assert row.label == "100%"


@on_postgresql
def test_a_lookup_that_rewrites_its_value_cannot_be_prepared():
    contains = PreparedQuery(lambda text: Claim.objects.filter(statement__icontains=text), text=str)
    with pytest.raises(ImproperlyConfigured, match="icontains"):
        contains(text="hours")


def test_values_must_be_the_declared_ones():
    with pytest.raises(TypeError):
        excerpts_of_claim(pk=1)
    with pytest.raises(TypeError):
        excerpts_of_claim()


def test_only_ints_strings_and_datetimes_have_placeholders():
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(lambda rank: Claim.objects.filter(document_count__gt=rank), rank=float)
    assert set(PLACEHOLDERS) == {int, str, datetime}


def test_a_datetime_value():
    now = timezone.now()
    earlier, later = make_claim(), make_claim()
    Claim.objects.filter(pk=earlier.pk).update(published_at=now - timedelta(days=2))
    Claim.objects.filter(pk=later.pk).update(published_at=now)
    published_before = PreparedQuery(
        lambda when: Claim.objects.filter(published_at__lt=when).values_list("pk"), when=datetime
    )
    assert published_before(when=now - timedelta(days=1)) == [(earlier.pk,)]


@on_postgresql
def test_on_postgresql_the_statement_is_prepared_once_per_session(quoted_claims):
    first, second = quoted_claims
    with CaptureQueriesContext(connection) as captured:
        excerpts_of_claim(claim=first.pk)
        excerpts_of_claim(claim=second.pk)
    assert excerpts_of_claim.statement in prepared_statements()
    sqls = [query["sql"] for query in captured.captured_queries]
    assert all(sql.startswith(f"EXECUTE {excerpts_of_claim.statement}(") for sql in sqls)
    assert len(sqls) == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_new_session_prepares_again(quoted_claims):
    first, _ = quoted_claims
    excerpts_of_claim(claim=first.pk)
    # A reconnect (after a database restart, say) starts a session with nothing prepared.
    connection.close()
    assert len(excerpts_of_claim(claim=first.pk)) == 2
    assert excerpts_of_claim.statement in prepared_statements()


def assert_runs_plain_sql(claim):
    with CaptureQueriesContext(connection) as captured:
        rows = excerpts_of_claim(claim=claim.pk)
    assert len(rows) == 2
    [query] = captured.captured_queries
    assert query["sql"].startswith("SELECT")


@elsewhere
def test_elsewhere_the_queryset_runs_as_it_is(quoted_claims):
    assert_runs_plain_sql(quoted_claims[0])


@on_postgresql
def test_with_prepared_statements_off_the_compiled_sql_runs_as_it_is(settings, quoted_claims):
    settings.PREPARED_STATEMENTS = False
    assert_runs_plain_sql(quoted_claims[0])


claims_by_slug_page = PreparedQuery(
    lambda: Claim.objects.order_by("slug").values_list("slug", flat=False), sliced=True
)


def test_a_sliced_query_takes_an_offset_and_a_limit():
    slugs = sorted(make_claim().slug for _ in range(7))
    assert claims_by_slug_page(offset=0, limit=3) == [(s,) for s in slugs[:3]]
    assert claims_by_slug_page(offset=5, limit=3) == [(s,) for s in slugs[5:]]
    assert claims_by_slug_page(offset=7, limit=3) == []
    assert claims_by_slug_page(offset=2, limit=0) == []
    with pytest.raises(TypeError):
        claims_by_slug_page()


@on_postgresql
def test_a_query_that_slices_itself_cannot_be_sliced_again():
    twice = PreparedQuery(lambda: Claim.objects.order_by("pk")[:5], sliced=True)
    with pytest.raises(ImproperlyConfigured):
        twice(offset=0, limit=1)

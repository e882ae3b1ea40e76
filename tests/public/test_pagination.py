import base64
import json

import pytest

from public.filters import ClaimSort, claim_list_queryset
from public.pagination import InvalidCursor, paginate, paginate_ranked
from tests.factories import make_claim

# A ranking as Claim.objects.ranked_matches() gives it: best first, ties by newest pk.
RANKED = sorted(((float(n % 4), n) for n in range(1, 24)), reverse=True)


def pages_forward(size: int) -> list[list[tuple[float, int]]]:
    pages, after = [], ""
    while True:
        page = paginate_ranked(RANKED, size=size, after=after)
        pages.append(page.rows)
        if not page.next_cursor:
            return pages
        after = page.next_cursor


def test_forward_pages_cover_the_ranking_once_in_order():
    pages = pages_forward(5)
    assert [len(rows) for rows in pages] == [5, 5, 5, 5, 3]
    assert [key for rows in pages for key in rows] == RANKED


def test_the_first_page_has_no_previous_link_and_later_ones_do():
    first = paginate_ranked(RANKED, size=5)
    assert first.previous_cursor is None and first.next_cursor
    second = paginate_ranked(RANKED, size=5, after=first.next_cursor)
    assert second.previous_cursor


def test_going_back_gives_the_page_before():
    first = paginate_ranked(RANKED, size=5)
    second = paginate_ranked(RANKED, size=5, after=first.next_cursor)
    back = paginate_ranked(RANKED, size=5, before=second.previous_cursor)
    assert back.rows == first.rows
    assert back.previous_cursor is None  # nothing before the first page
    assert back.next_cursor == first.next_cursor


def test_a_ranking_that_fits_one_page_has_no_links():
    page = paginate_ranked(RANKED[:3], size=5)
    assert page.rows == RANKED[:3]
    assert not page.has_other_pages


def test_an_empty_ranking_is_an_empty_page():
    page = paginate_ranked([], size=5)
    assert page.rows == [] and not page.has_other_pages


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "WzEsMl0x",  # not base64 of JSON
        "WyJhIiwgMV0",  # ["a", 1]: a rank that is not a number
        "WzEuMCwgIngiXQ",  # [1.0, "x"]: a pk that is not an integer
        "WzEuMF0",  # [1.0]: one value, not two
        "W3RydWUsIDFd",  # [true, 1]
    ],
)
def test_a_tampered_cursor_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        paginate_ranked(RANKED, size=5, after=cursor)
    with pytest.raises(InvalidCursor):
        paginate_ranked(RANKED, size=5, before=cursor)


# Cursors on the claim list's orders ---------------------------------------------------


def cursor_of(json_text: str) -> str:
    """A page link's cursor for this JSON, as a tampered link would carry it."""
    return base64.urlsafe_b64encode(json_text.encode()).decode().rstrip("=")


HOSTILE_CURSORS = {
    "nested too deep to parse": "[" * 100_000 + "]" * 100_000,
    "a key beyond bigint": json.dumps(["a", 10**30]),
    "a key below bigint": json.dumps(["a", -(10**30)]),
    "Infinity": '["a", Infinity]',
    "NaN": '["a", NaN]',
    "a number too large for a float": '["a", 1e999]',
    "a string with a NUL byte": json.dumps(["a\x00b", 1]),
    "a lone surrogate": '["\\ud800", 1]',
    "a float for an integer key": json.dumps(["a", 1.5]),
    "a boolean for an integer key": json.dumps(["a", True]),
    "a number for a string key": json.dumps([1, 1]),
    "a list for a string key": json.dumps([["a"], 1]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("json_text", HOSTILE_CURSORS.values(), ids=HOSTILE_CURSORS.keys())
def test_a_cursor_is_checked_against_its_order_before_any_query(
    json_text, django_assert_num_queries
):
    make_claim()
    ordering = ClaimSort.STATEMENT.ordering
    for direction in ("after", "before"):
        with django_assert_num_queries(0), pytest.raises(InvalidCursor):
            paginate(claim_list_queryset(), ordering, size=5, **{direction: cursor_of(json_text)})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort, values",
    [
        (ClaimSort.CATEGORY, ["no-such-category", "a", 1]),  # not one of the choices
        (ClaimSort.CATEGORY, ["onset", "", 1]),  # a claim's statement is never blank
        (ClaimSort.MOST_DOCUMENTS, [-1, 1]),  # a count is never negative
        (ClaimSort.MOST_DOCUMENTS, [1, 2**63]),  # beyond the id column
        (ClaimSort.NEWEST_REVIEW, ["2024-05-01T10:00:00", 1]),  # no time zone
        (ClaimSort.NEWEST_REVIEW, ["0001-01-01T00:00:00+14:00", 1]),  # before year 1 in UTC
        (ClaimSort.NEWEST_REVIEW, ["9999-12-31T23:59:59-14:00", 1]),  # after year 9999
        (ClaimSort.NEWEST_REVIEW, ["2024-13-01T00:00:00+00:00", 1]),  # no such month
    ],
)
def test_a_cursor_value_out_of_its_fields_range_is_refused(sort, values):
    with pytest.raises(InvalidCursor):
        paginate(claim_list_queryset(), sort.ordering, size=5, after=cursor_of(json.dumps(values)))


@pytest.mark.django_db
def test_a_cursor_with_another_time_zone_pages_from_the_same_instant():
    claims = [make_claim(statement=f"Claim {n}.") for n in range(3)]
    ordering = ClaimSort.NEWEST_REVIEW.ordering
    utc = paginate(
        claim_list_queryset(), ordering, size=5,
        after=cursor_of(json.dumps(["1970-01-01T00:00:00+00:00", claims[2].pk])),
    )  # fmt: skip
    shifted = paginate(
        claim_list_queryset(), ordering, size=5,
        after=cursor_of(json.dumps(["1970-01-01T02:00:00+02:00", claims[2].pk])),
    )  # fmt: skip
    assert [c.pk for c in shifted.rows] == [c.pk for c in utc.rows] == [claims[1].pk, claims[0].pk]


@pytest.mark.parametrize(
    "json_text",
    [
        "[" * 100_000 + "]" * 100_000,
        "[Infinity, 1]",
        "[NaN, 1]",
        "[1e999, 1]",
        f"[1{'0' * 400}, 1]",
    ],
    ids=["nested too deep", "Infinity", "NaN", "overflowing float", "overflowing integer"],
)
def test_a_ranked_cursor_needs_a_finite_rank(json_text):
    for direction in ("after", "before"):
        with pytest.raises(InvalidCursor):
            paginate_ranked(RANKED, size=5, **{direction: cursor_of(json_text)})

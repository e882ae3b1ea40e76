import pytest

from reviews.pagination import InvalidCursor, paginate_ranked

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

"""Every public page, driven with hostile query parameters and path values: whatever a
reader's browser or a crawler sends, the site answers a page, a 400 or a 404 on its own
error page, never a 5xx. The routes are read from the URLconf, so a new public page is
driven as soon as it has a route."""

import base64
import json
import re
from urllib.parse import quote

import pytest
from django.urls import URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from claims.models import SEARCH_MAX_WORDS, Claim
from public.filters import RELEVANCE, ClaimFilter, ClaimSort, claim_list_queryset
from public.pagination import Ordering
from public.views import PAGE_PARAMETERS
from reviews.models import Certainty, EvidenceLink, Review, Verdict
from sources.models import Study
from tests.factories import make_evidence_link, make_excerpt, make_review
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_errors(settings):
    """Errors as production shows them: the site's 400 and 404 pages, never a traceback."""
    settings.DEBUG = False


CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
LIST = reverse("claims:list")


def public_routes(patterns=None, prefix: str = "") -> list[str]:
    """The route of every URL pattern outside the admin, as written: "claims/<rowslug:slug>/"."""
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                routes += public_routes(entry.url_patterns, prefix + str(entry.pattern))
        else:
            routes.append(prefix + str(entry.pattern))
    return routes


ROUTES = public_routes()
# Addresses that take a POST alone: a GET is answered 405, with what to do in its body.
POST_ONLY = {"check/send/", "api/v1/check"}


def encoded(json_text: str) -> str:
    return base64.urlsafe_b64encode(json_text.encode()).decode().rstrip("=")


HUGE_NUMBERS = [2**31, 2**63 - 1, 2**63, 10**19, 10**30, -(10**30), 10**400]
numbers = st.one_of(
    st.integers().map(str),
    st.sampled_from(HUGE_NUMBERS).map(str),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e309", "-0", "0x10", "1_000", "1.5"]),
    st.floats().map(repr),
    st.just("9" * 5000),
)
texts = st.one_of(
    st.text(max_size=40),
    st.text(max_size=10).map(lambda text: f"{text}\x00{text}"),
    st.sampled_from(["\u202e", "\ufeff", "\U0001f600", "é", "<script>", "%00", "../", " "]),
    st.just("k" * 5000),
)
searches = st.one_of(
    st.sampled_from(["ketamine", "within hours", '"within hours" -anxiety', "or", "!", "&|"]),
    st.sampled_from([SEARCH_MAX_WORDS, SEARCH_MAX_WORDS + 1, 1000, 2000]).map(
        lambda n: " ".join(["ketamine"] * n)
    ),
    st.integers(0, 200).map(lambda n: " ".join(["ketamine"] * n)),
)
# A cursor's values: each one a sort key's plausible value or a hostile one, so that a
# cursor of the right length for the list's order carries the hostile value into it.
key_values = st.one_of(
    st.sampled_from(
        [*HUGE_NUMBERS, float("inf"), float("-inf"), float("nan"), 1e300, 1.5, True, None]
        + ["a\x00b", "\ud800", "", "0001-01-01", "9999-12-31T23:59:59-14:00", "no-such"]
    ),
    st.sampled_from(["a", "onset", "Ketamine", "2024-05-01T10:00:00+00:00", 0, 1, 2.0]),
    st.integers(),
    st.text(max_size=10),
)
json_values = st.recursive(
    key_values,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children)
    ),
    max_leaves=6,
)
cursors = st.one_of(
    st.lists(key_values, min_size=2, max_size=3).map(json.dumps).map(encoded),
    st.sampled_from([10, 1000, 100_000]).map(lambda depth: encoded("[" * depth + "]" * depth)),
    json_values.map(json.dumps).map(encoded),
    st.text(max_size=30),  # not base64
    st.binary(max_size=30).map(lambda raw: base64.urlsafe_b64encode(raw).decode()),
)
choices = st.sampled_from(
    [*Claim.Category.values, *Verdict.values, *Certainty.values, *Study.Design.values]
    + [*ClaimSort.values, "last", "1", "2"]
)
anything = st.one_of(choices, numbers, texts, cursors)
# The query parameters the public pages read, each with the values it expects and any
# other: the claim list's facets and page links, the numbered lists' "page", the
# sitemap's "p"; and one no page reads.
PARAMETERS = {
    **dict.fromkeys(ClaimFilter.base_filters, choices | anything),
    **dict.fromkeys(PAGE_PARAMETERS, numbers | anything),
    "after": cursors,
    "before": cursors,
    "q": searches | texts | anything,
    "p": numbers | anything,
    "unknown": anything,
}


@st.composite
def queries(draw) -> str:
    """A query string: some of the parameters, with any values, one of them perhaps sent
    as raw bytes that need not be UTF-8."""
    chosen = draw(st.fixed_dictionaries({}, optional=PARAMETERS))
    query = [
        f"{quote(name)}={quote(value, errors='surrogatepass')}" for name, value in chosen.items()
    ]
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(PARAMETERS)))
        query.append(f"{name}={quote(draw(st.binary(max_size=12)))}")
    return "&".join(query)


@pytest.fixture
def published() -> EvidenceLink:
    """A reviewed claim quoted by a document and citing a study: its pages, and the lists,
    have rows to render."""
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED)
    return make_evidence_link(claim=excerpt.claim)


def addresses(link: EvidenceLink) -> list[str]:
    """The path values of the published rows' own pages: claim, document, study."""
    return [link.claim.slug, link.claim.excerpts.get().document.slug, str(link.study.pk)]


def page_of(route: str, link: EvidenceLink) -> str:
    """The route's path with the published row's value for it (by its first segment)."""
    claim, document, study = addresses(link)
    value = {"claims": claim, "sources": document, "studies": study}.get(route.split("/")[0], "")
    return CONVERTER.sub(value, route)


def path_values(known: list[str]):
    return st.one_of(
        st.sampled_from(known),
        numbers,
        st.text(max_size=30),
        st.sampled_from(["..", "%2F", "a" * 5000, "\x00", "claim\x00", "-", "_"]),
    )


def test_every_public_page_is_driven():
    assert {"", "claims/", "claims/<rowslug:slug>/", "studies/<key:pk>/", "sitemap.xml"} <= set(
        ROUTES
    )
    assert not any(route.startswith("admin/") for route in ROUTES)


@pytest.mark.parametrize("route", ROUTES)
@hypothesis_settings(
    max_examples=examples(40),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_public_page_answers_a_server_error(client, published, route, data):
    values = path_values(addresses(published))
    path = CONVERTER.sub(lambda _: quote(data.draw(values), safe="", errors="surrogatepass"), route)
    url = f"/{path}?{data.draw(queries())}"
    response = client.get(url)
    assert response.status_code < 500, url
    if route in POST_ONLY:
        assert response.status_code == 405, url
    elif response.status_code in (400, 404) and response["Content-Type"] == "application/json":
        assert route.startswith("api/") and response.json()["error"], url  # the API's error
    elif response.status_code in (400, 404):
        assert "Ketamine claims, checked" in response.content.decode(), url  # the site's page


# The claim list's orders, as a request picks them, and a cursor for each: the published
# claim's key in that order, as its page links carry it.
LIST_ORDERS = [
    ({}, ClaimSort.CATEGORY.ordering),
    *(({"sort": sort.value}, sort.ordering) for sort in ClaimSort),
    ({"q": "ketamine"}, RELEVANCE),
    ({"q": "ketamine", "sort": ClaimSort.NEWEST_REVIEW.value}, ClaimSort.NEWEST_REVIEW.ordering),
]


def page_key(claim: Claim, ordering: Ordering) -> list:
    if ordering is RELEVANCE:
        return [1.0, claim.pk]
    row = claim_list_queryset().get(pk=claim.pk)
    values = [getattr(row, key) for key in ordering.keys]
    return [value.isoformat() if hasattr(value, "isoformat") else value for value in values]


@st.composite
def tampered(draw, key: list) -> str:
    """A page link's cursor with one or two of its values replaced, or one cut or added."""
    values = list(key)
    for _ in range(draw(st.integers(1, 2))):
        values[draw(st.integers(0, len(values) - 1))] = draw(key_values)
    resize = draw(st.sampled_from(["keep", "keep", "keep", "cut", "add"]))
    if resize == "cut":
        values.pop()
    elif resize == "add":
        values.append(draw(key_values))
    return encoded(json.dumps(values))


@hypothesis_settings(
    max_examples=examples(150),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.sampled_from(LIST_ORDERS),
    direction=st.sampled_from(["after", "before"]),
    data=st.data(),
)
def test_no_page_link_answers_a_server_error(client, published, order, direction, data):
    """The claim list's page links, altered: each of its orders, forwards and back."""
    params, ordering = order
    cursor = data.draw(tampered(page_key(published.claim, ordering)) | cursors)
    query = "&".join(f"{name}={quote(value)}" for name, value in params.items())
    url = f"{LIST}?{query}&{direction}={quote(cursor, errors='surrogatepass')}"
    response = client.get(url)
    assert response.status_code in (200, 404), url


@pytest.mark.parametrize("route", [*ROUTES, "no-such-page/"])
def test_a_query_of_too_many_fields_is_a_bad_request_on_the_sites_page(
    client, settings, published, route
):
    fields = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.get(f"/{page_of(route, published)}?{fields}")
    if route in POST_ONLY and response.status_code == 405:
        assert response["Allow"].startswith("POST"), route
        return
    assert response.status_code in (200, 400, 404), route  # pages that never read the query
    if response.status_code != 200:
        assert "Ketamine claims, checked" in response.content.decode(), route

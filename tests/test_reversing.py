import pytest
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix

from config.reversing import key_url, slug_url, slug_urls, url


@pytest.fixture
def script_prefix():
    """Set a script prefix for one test, as a site mounted below / has, and put it back."""
    original = get_script_prefix()
    try:
        yield set_script_prefix
    finally:
        set_script_prefix(original)


@pytest.mark.parametrize("name", ["home", "claims:list", "sources:list", "studies:list"])
def test_url_is_what_reverse_gives(name):
    assert url(name) == reverse(name)


def test_url_of_an_unknown_route_raises_no_reverse_match():
    with pytest.raises(NoReverseMatch):
        url("claims:nowhere")


@pytest.mark.parametrize("name", ["claims:detail", "sources:detail"])
@pytest.mark.parametrize("slug", ["ketamine-works", "a", "under_score-9", "UPPER-123"])
def test_slug_url_is_what_reverse_gives(name, slug):
    assert slug_url(name, slug) == reverse(name, args=[slug])


def test_slug_url_gives_each_slug_its_own_url():
    assert slug_url("claims:detail", "first") == "/claims/first/"
    assert slug_url("claims:detail", "second") == "/claims/second/"


@pytest.mark.parametrize("slug", ["with space", "café", "é", "a/b", "", "slug\n", "?q=1"])
def test_slug_url_of_a_value_the_route_refuses_raises_as_reverse_does(slug):
    with pytest.raises(NoReverseMatch):
        reverse("claims:detail", args=[slug])
    with pytest.raises(NoReverseMatch):
        slug_url("claims:detail", slug)


@pytest.mark.parametrize("key", [0, 1, 42, 10**12])
def test_key_url_is_what_reverse_gives(key):
    assert key_url("studies:detail", key) == reverse("studies:detail", args=[key])


def test_key_url_does_not_leave_the_placeholder_in_the_url():
    assert key_url("studies:detail", 7) == "/studies/7/"


@pytest.mark.parametrize("key", [-1, -42, "abc", "1.5", 1.5, None])
def test_key_url_of_a_value_the_route_refuses_raises_as_reverse_does(key):
    with pytest.raises(NoReverseMatch):
        reverse("studies:detail", args=[key])
    with pytest.raises(NoReverseMatch):
        key_url("studies:detail", key)


def test_key_url_of_a_digit_string_goes_through_reverse():
    assert key_url("studies:detail", "12") == reverse("studies:detail", args=["12"])


def test_key_url_of_a_bool_raises_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        key_url("studies:detail", True)


def test_urls_follow_a_change_of_script_prefix(script_prefix):
    # Warm the caches under the default prefix first, so a cache not keyed by the prefix
    # would hand back the old URLs below.
    assert url("home") == "/"
    assert slug_url("claims:detail", "ketamine") == "/claims/ketamine/"
    assert key_url("studies:detail", 3) == "/studies/3/"

    script_prefix("/mounted/")

    assert url("home") == reverse("home") == "/mounted/"
    assert url("claims:list") == reverse("claims:list") == "/mounted/claims/"
    assert slug_url("claims:detail", "ketamine") == "/mounted/claims/ketamine/"
    assert slug_url("sources:detail", "page") == reverse("sources:detail", args=["page"])
    assert key_url("studies:detail", 3) == "/mounted/studies/3/"


def test_urls_return_to_the_root_prefix_after_a_mounted_one(script_prefix):
    script_prefix("/mounted/")
    assert slug_url("claims:detail", "ketamine") == "/mounted/claims/ketamine/"

    script_prefix("/")

    assert url("claims:list") == "/claims/"
    assert slug_url("claims:detail", "ketamine") == "/claims/ketamine/"
    assert key_url("studies:detail", 3) == "/studies/3/"


@pytest.mark.parametrize("slug", ["ketamine-works", "a_b-9", "café", "with space"])
def test_slug_urls_gives_what_slug_url_gives(slug):
    url_of = slug_urls("claims:detail")
    try:
        expected = slug_url("claims:detail", slug)
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            url_of(slug)
    else:
        assert url_of(slug) == expected

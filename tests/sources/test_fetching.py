import socket

import pytest

from sources.fetching import FetchRefused, fetch_page

PAGE = "<html><head><title>Clinic</title></head><body><p>Relief within hours.</p></body></html>"


def resolving(monkeypatch, answers):
    """Make DNS answer `answers[host]` (a list: one address per lookup, the last repeated)."""
    real = socket.getaddrinfo
    asked: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        n = asked[host] = asked.get(host, 0) + 1
        address = answers[host][min(n, len(answers[host])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_page_is_fetched_after_its_robots_txt_by_a_fetcher_that_names_itself(
    page_server, settings
):
    url = page_server.serve("/ketamine", PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    page = fetch_page(url)
    assert (page.url, page.content_type, page.body) == (url, "text/html", PAGE.encode())
    assert page_server.paths_requested() == ["/robots.txt", "/ketamine"]
    assert {headers["User-Agent"] for _, headers in page_server.requests} == {
        settings.FETCH_USER_AGENT
    }


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://192.168.1.1/admin",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
        "http://[fe80::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0/",
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped IPv6
    ],
)
def test_private_and_link_local_addresses_are_refused_even_in_tests(page_server, url):
    with pytest.raises(FetchRefused, match="not a public address"):
        fetch_page(url)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_without_the_tests_setting(settings, host):
    settings.FETCH_ALLOW_LOOPBACK = False
    with pytest.raises(FetchRefused, match="not a public address"):
        fetch_page(f"http://{host}:9/")


def test_the_loopback_test_server_is_refused_once_the_setting_is_off(page_server, settings):
    url = page_server.serve("/ketamine", PAGE)
    settings.FETCH_ALLOW_LOOPBACK = False
    with pytest.raises(FetchRefused, match="not a public address"):
        fetch_page(url)
    assert page_server.requests == []


def test_a_name_that_resolves_to_a_private_address_is_refused(page_server, monkeypatch):
    resolving(monkeypatch, {"clinic.example": ["10.1.2.3"]})
    with pytest.raises(FetchRefused, match="clinic.example resolves to 10.1.2.3"):
        fetch_page("http://clinic.example/ketamine")


def test_a_dns_answer_that_changes_between_requests_is_checked_again(page_server, monkeypatch):
    port = page_server.origin.rsplit(":", 1)[1]
    # robots.txt is fetched from the allowed address; then the name rebinds to a private one.
    asked = resolving(monkeypatch, {"clinic.example": ["127.0.0.1", "10.9.9.9"]})
    with pytest.raises(FetchRefused, match="resolves to 10.9.9.9"):
        fetch_page(f"http://clinic.example:{port}/ketamine")
    assert asked["clinic.example"] == 2
    assert page_server.paths_requested() == ["/robots.txt"]  # the page was never asked for


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "file:///etc/passwd"]
)
def test_a_redirect_into_a_private_address_is_refused(page_server, target):
    url = page_server.serve("/moved", status=302, headers={"Location": target})
    with pytest.raises(FetchRefused, match="not a public address|Only http and https"):
        fetch_page(url)


def test_redirects_are_followed_up_to_the_bound(page_server, settings):
    settings.FETCH_MAX_REDIRECTS = 2
    page_server.serve("/a", status=301, headers={"Location": "/b"})
    page_server.serve("/b", status=302, headers={"Location": page_server.url("/c")})
    final = page_server.serve("/c", PAGE)
    assert fetch_page(page_server.url("/a")).url == final
    page_server.serve("/c", status=307, headers={"Location": "/d"})
    page_server.serve("/d", PAGE)
    with pytest.raises(FetchRefused, match="More than 2 redirects"):
        fetch_page(page_server.url("/a"))


EVERYONE = "User-agent: *\nDisallow: /private/\n"
NAMED = EVERYONE + "\nUser-agent: KetamineClaimsChecker\nDisallow: /not-for-checkers\n"


@pytest.mark.parametrize(
    "robots, path, allowed",
    [
        (EVERYONE, "/ketamine", True),
        (EVERYONE, "/private/page", False),
        (NAMED, "/not-for-checkers", False),
        # A group naming the fetcher is the only one it obeys (RFC 9309, 2.2.1).
        (NAMED, "/private/page", True),
    ],
)
def test_robots_txt_is_obeyed(page_server, robots, path, allowed):
    page_server.serve("/robots.txt", robots, headers={"Content-Type": "text/plain"})
    url = page_server.serve(path, PAGE)
    if allowed:
        assert fetch_page(url).body == PAGE.encode()
    else:
        with pytest.raises(FetchRefused, match="robots.txt does not allow"):
            fetch_page(url)
        assert page_server.paths_requested() == ["/robots.txt"]


@pytest.mark.parametrize("status, allowed", [(404, True), (410, True), (500, False), (503, False)])
def test_a_missing_robots_txt_allows_and_an_unreachable_one_forbids(page_server, status, allowed):
    page_server.serve("/robots.txt", "", status=status)
    url = page_server.serve("/ketamine", PAGE)
    if allowed:
        fetch_page(url)
    else:
        with pytest.raises(FetchRefused, match="robots.txt"):
            fetch_page(url)


def test_a_redirected_robots_txt_is_followed(page_server):
    page_server.serve("/robots.txt", status=301, headers={"Location": "/real-robots.txt"})
    page_server.serve("/real-robots.txt", "User-agent: *\nDisallow: /\n")
    with pytest.raises(FetchRefused, match="robots.txt does not allow"):
        fetch_page(page_server.serve("/ketamine", PAGE))


@pytest.mark.parametrize("length", [True, False])
def test_a_page_larger_than_the_cap_is_refused(page_server, settings, length):
    settings.FETCH_MAX_BYTES = 1000
    url = page_server.serve("/big", "x" * 5000, length=length)
    with pytest.raises(FetchRefused, match="1,000"):
        fetch_page(url)


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json", ""])
def test_only_pages_and_texts_are_taken(page_server, content_type):
    url = page_server.serve("/file", b"%PDF-1.7", headers={"Content-Type": content_type})
    with pytest.raises(FetchRefused, match="not a web page or a text"):
        fetch_page(url)


@pytest.mark.parametrize("content_type", ["text/plain", "text/markdown", "application/xhtml+xml"])
def test_texts_are_taken_as_pages_are(page_server, content_type):
    url = page_server.serve("/page", "Relief within hours.", headers={"Content-Type": content_type})
    assert fetch_page(url).content_type == content_type


def test_an_error_status_is_refused_with_it(page_server):
    with pytest.raises(FetchRefused, match="HTTP 404"):
        fetch_page(page_server.url("/nowhere"))


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://clinic.example/page", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("http:///page", "names no host"),
        ("http://user:secret@clinic.example/", "user name or password"),
    ],
)
def test_addresses_that_are_not_web_pages_are_refused(url, reason):
    with pytest.raises(FetchRefused, match=reason):
        fetch_page(url)


def test_a_server_that_does_not_answer_in_time_is_given_up(page_server, settings):
    settings.FETCH_READ_TIMEOUT = 1
    url = page_server.serve("/slow", PAGE, delay=2.5)
    with pytest.raises(FetchRefused, match="did not answer in time"):
        fetch_page(url)


def test_proxies_from_the_environment_are_not_used(page_server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.0.0.1:3128")
    monkeypatch.setenv("http_proxy", "http://10.0.0.1:3128")
    assert fetch_page(page_server.serve("/ketamine", PAGE)).body == PAGE.encode()

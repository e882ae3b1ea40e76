"""Fetch a clinic page from its address, safely, for the pages the site watches.

The site fetches addresses that editors type, so it must not be usable to reach its own
network. Each connection, the first and every redirect's, goes through requests-hardened,
which resolves the host once, refuses the address if it is private, loopback, link-local
or otherwise not public, and connects to that very address (a DNS answer that changes
between the check and the connection cannot slip through). Proxies from the environment
are ignored: through a proxy only the proxy's address would be checked.

Beyond that the fetcher behaves as a polite crawler: it names itself (FETCH_USER_AGENT),
obeys the site's robots.txt (RFC 9309: a missing robots.txt allows everything, an
unreachable one forbids everything), gives up after its timeouts, reads no more than
FETCH_MAX_BYTES, follows at most FETCH_MAX_REDIRECTS redirects (each checked as the first
address is) and takes only HTML, XHTML, plain text and Markdown.
"""

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
from django.conf import settings
from requests_hardened import Config, Manager
from requests_hardened.ip_filter import InvalidIPAddress

ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB of it
REDIRECTS = (301, 302, 303, 307, 308)


# The file name that tells sources.ingest how to read each kind of page fetched.
FILE_NAME_BY_TYPE = {
    "text/html": "page.html",
    "application/xhtml+xml": "page.xhtml",
    "text/plain": "page.txt",
    "text/markdown": "page.md",
}
PAGE_TYPES = tuple(FILE_NAME_BY_TYPE)


class FetchRefused(Exception):
    """A page that was not fetched; the message says why, for the editor."""


class AddressRefused(FetchRefused):
    """The host resolves to an address that is not public."""


@dataclass(frozen=True)
class FetchedPage:
    url: str  # the address the page was found at, after redirects
    content_type: str
    body: bytes

    @property
    def file_name(self) -> str:
        """A name whose ending tells sources.ingest.extract the page's format."""
        return FILE_NAME_BY_TYPE[self.content_type]


def fetch_page(url: str) -> FetchedPage:
    """The page at `url`, or FetchRefused saying why it was not fetched."""
    deadline = time.monotonic() + settings.FETCH_TOTAL_TIMEOUT
    with _session() as session:
        for _ in range(settings.FETCH_MAX_REDIRECTS + 1):
            _check_address(url)
            if not _robots_allow(session, url, deadline):
                raise FetchRefused(f"The site's robots.txt does not allow fetching {url}.")
            response = _get(session, url, accept=", ".join(PAGE_TYPES))
            with response:
                if response.status_code in REDIRECTS and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status_code != 200:
                    raise FetchRefused(f"The site answered HTTP {response.status_code} for {url}.")
                content_type = _media_type(response)
                if content_type not in PAGE_TYPES:
                    raise FetchRefused(
                        f"The address gives {content_type or 'no content type'}, not a web "
                        "page or a text (HTML, XHTML, plain text or Markdown)."
                    )
                body = _read(response, settings.FETCH_MAX_BYTES, deadline)
            return FetchedPage(url=url, content_type=content_type, body=body)
    raise FetchRefused(f"More than {settings.FETCH_MAX_REDIRECTS} redirects; gave up at {url}.")


def _session() -> requests.Session:
    manager = Manager(
        Config(
            ip_filter_enable=True,
            ip_filter_allow_loopback_ips=settings.FETCH_ALLOW_LOOPBACK,
            never_redirect=True,  # followed here, one checked hop at a time
            default_timeout=(settings.FETCH_CONNECT_TIMEOUT, settings.FETCH_READ_TIMEOUT),
            user_agent_override=settings.FETCH_USER_AGENT,
        )
    )
    session = manager.get_session()
    session.trust_env = False  # no proxies, .netrc or CA bundles from the environment
    return session


def _check_address(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"Only http and https addresses are fetched, not “{url}”.")
    if not parts.hostname:
        raise FetchRefused(f"“{url}” names no host.")
    if parts.username or parts.password:
        raise FetchRefused("An address with a user name or password is not fetched.")


def _get(session: requests.Session, url: str, *, accept: str) -> requests.Response:
    try:
        return session.get(url, stream=True, allow_redirects=False, headers={"Accept": accept})
    except InvalidIPAddress as error:
        raise AddressRefused(
            f"{urlsplit(url).hostname} resolves to {error}, which is not a public address: "
            "the site fetches only public pages."
        ) from error
    except requests.Timeout as error:
        raise FetchRefused(f"{urlsplit(url).hostname} did not answer in time.") from error
    except requests.RequestException as error:
        raise FetchRefused(f"Could not reach {urlsplit(url).hostname}: {error}") from error


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _read(response: requests.Response, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchRefused(f"The page is {int(declared):,} bytes; at most {limit:,} are read.")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > limit:
                raise FetchRefused(f"The page is larger than {limit:,} bytes, the most read.")
            if time.monotonic() > deadline:
                raise FetchRefused(
                    f"The page took longer than {settings.FETCH_TOTAL_TIMEOUT} s to download."
                )
            chunks.append(chunk)
    except requests.RequestException as error:
        raise FetchRefused(f"The download broke off: {error}") from error
    return b"".join(chunks)


def _robots_allow(session: requests.Session, url: str, deadline: float) -> bool:
    """Whether the site's robots.txt lets this fetcher read `url` (RFC 9309)."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    for _ in range(settings.FETCH_MAX_REDIRECTS + 1):
        _check_address(robots_url)
        try:
            response = _get(session, robots_url, accept="text/plain")
        except AddressRefused:
            raise
        except FetchRefused:
            return False  # unreachable: assume everything is forbidden
        with response:
            status = response.status_code
            if status in REDIRECTS and response.headers.get("Location"):
                robots_url = urljoin(robots_url, response.headers["Location"])
                continue
            if 400 <= status < 500:
                return True  # unavailable (missing or gone): no rules apply
            if status != 200:
                return False  # a server error: assume everything is forbidden
            try:
                text = _read(response, ROBOTS_MAX_BYTES, deadline).decode("utf-8", "replace")
            except FetchRefused:
                return False
        rules = RobotFileParser()
        rules.parse(text.splitlines())
        return rules.can_fetch(settings.FETCH_USER_AGENT, url)
    return True  # redirected too often: treated as unavailable (RFC 9309, 2.3.1.2)

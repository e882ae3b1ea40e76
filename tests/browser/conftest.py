"""Real-browser tests: Playwright driving Debian's Chromium against a live server.

Without /usr/bin/chromium these tests are skipped with a message saying so; CI installs
Chromium and sets REQUIRE_BROWSER=1, which turns a missing browser into a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium); browser tests not run"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed; browser tests not run"
    return None


def pytest_collection_modifyitems(config, items):
    reason = browser_missing_reason()
    if reason is None:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {reason}")
    config.issue_config_time_warning(pytest.PytestWarning(f"SKIPPING BROWSER TESTS: {reason}"), 2)
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=f"SKIPPED BROWSER TESTS: {reason}"))


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are ordinary synchronous ones.
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


# A desktop window and a phone held upright (390 x 844 CSS pixels).
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SCREENS))
def screen(request, browser):
    """A page in each of the two screens the site is made for."""
    context = browser.new_context(
        viewport=SCREENS[request.param], is_mobile=request.param == "phone"
    )
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def corpus(transactional_db):
    """The shipped corpus, committed so the live server's thread sees it."""
    from django.conf import settings

    from questions.corpus import corpus_load

    corpus_load(directory=settings.CORPUS_DIR)

import json

import pytest

from claims.models import Claim
from sources.models import Document, Study

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_clinician_searches_filters_and_opens_a_claim(live_server, page, corpus):
    page.goto(live_server.url + "/claims/")
    page.get_by_label("Search claims", exact=True).fill("within an hour")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(lambda url: "/claims/?" in url and "q=within+an+hour" in url)
    first = page.locator(".claim-row .statement").first
    assert "within an hour" in first.inner_text()

    page.get_by_label("Verdict").select_option("misleading")
    page.get_by_role("button", name="Apply").click()
    assert "verdict=misleading" in page.url and "q=within+an+hour" in page.url
    rows = page.locator(".claim-row")
    assert rows.count() >= 1
    for index in range(rows.count()):
        assert "Misleading" in rows.nth(index).locator(".badge").first.inner_text()

    rows.first.locator(".statement").click()
    assert (
        page.locator("h1").inner_text()
        == Claim.objects.get(slug=page.url.rstrip("/").split("/")[-1]).statement
    )
    assert page.get_by_role("heading", name="What the evidence says").is_visible()


def test_a_highlight_leads_from_the_document_to_its_claim(live_server, page, corpus):
    document = Document.objects.get(slug="ketamine-for-anxiety-ptsd-article")
    page.goto(live_server.url + document.get_absolute_url())
    highlight = page.locator(".document-text a.hl", has_text="83% of people").first
    href = highlight.get_attribute("href")
    highlight.click()
    page.wait_for_url(f"**{href}")
    assert "83%" in page.locator("h1").inner_text()
    back = page.locator(".excerpts a", has_text=document.title).first
    back.click()
    target = page.url.split("#")[1]
    assert page.locator(f"#{target}").count() == 1


def test_claim_pages_carry_parseable_claimreview_json_ld(live_server, page, corpus):
    claim = Claim.objects.get(slug="study-2017-83-percent-gad-sad-improved")
    page.goto(live_server.url + claim.get_absolute_url())
    raw = page.locator('script[type="application/ld+json"]').text_content()
    data = json.loads(raw)
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == claim.statement
    assert data["reviewRating"]["alternateName"] == "Misleading"
    assert data["itemReviewed"]["appearance"]


def page_types():
    claim = Claim.objects.get(slug="ketamine-blocks-glutamate")
    return {
        "home": "/",
        "claim list": "/claims/?q=ketamine&sort=statement",
        "claim detail": claim.get_absolute_url(),
        "claim with what its pages leave out": "/claims/ketamine-side-effects-mild-and-temporary/",
        "document": Document.objects.get(slug="stubborn-anxiety-try-ketamine").get_absolute_url(),
        "study list": "/studies/",
        "study detail": Study.objects.get(slug="glue-2017-dose-related-anxiety").get_absolute_url(),
        "methodology": "/methodology/",
        "question list": "/questions/",
        "question": "/questions/does-ketamine-work-within-hours/",
        "question with harms": "/questions/is-ketamine-addictive/",
        "search": "/search/?q=is+ketamin+addictive",
        "safety profiles": "/safety/",
        "safety profile": "/safety/racemic-ketamine-iv/",
        "not found": "/claims/no-such-claim/",
    }


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_every_page_type_has_no_serious_accessibility_violation(
    live_server, browser, corpus, width
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    failures = []
    for name, path in page_types().items():
        page.goto(live_server.url + path)
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                failures.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        if overflow:
            failures.append(f"{name}: page is wider than a {width}px screen")
    context.close()
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/claims/study-2017-83-percent-gad-sad-improved/",
        "/questions/does-ketamine-work-within-hours/",
    ],
)
def test_claim_and_question_pages_print_without_the_sites_furniture(
    live_server, page, corpus, path
):
    page.goto(live_server.url + path)
    assert page.locator("h1").count() == 1
    assert page.locator(".site-search").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator(".site-search").is_visible()
    assert page.locator(".site-footer .notice").is_visible()
    assert page.locator("h1").is_visible()
    # A link's address is written out after it, as paper cannot be clicked.
    link = page.locator("main a[href^='/']").first
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert link.get_attribute("href") in after

"""A clinician checks a clinic's page, at desktop and phone widths: pastes it, reads the
marks, follows one to its claim, and sends the page to the editors."""

import pytest

from sources.models import Document

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = (
    "Ketamine for anxiety at Calm Clinic\n"
    "Ketamine relieves anxiety symptoms within hours of a treatment session. "
    "It is a miracle cure with no side effects.\n"
    "Most patients complete a series of six infusions over two to three weeks.\n"
    "Our infusions are given in a relaxing private suite."
)
MARK_STYLES = """() => Object.fromEntries(
  ["s-warns", "s-reviewed", "s-unreviewed", "s-flagged", "s-known"].map(name => {
    const mark = document.querySelector(`mark.${name}`);
    return [name, mark ? getComputedStyle(mark).borderBottomStyle
      + " " + getComputedStyle(mark).borderBottomWidth : null];
  }))"""


def check(page, url: str) -> None:
    page.goto(url + "/")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Check a page").click()
    page.wait_for_url("**/check/")
    page.get_by_label("Paste the page's text or HTML").fill(PAGE)
    page.get_by_role("button", name="Check this page").click()
    page.get_by_role("heading", name="What we found").wait_for()


def test_a_page_is_checked_followed_to_a_claim_and_sent(live_server, screen, corpus):
    page = screen
    check(page, live_server.url)
    assert page.get_by_role("heading", name="What the page leaves out").is_visible()
    assert page.locator(".left-out-topics li", has_text="Abuse, misuse").first.is_visible()
    assert page.locator("mark").count() >= 3
    flag = page.locator("mark em.flag", has_text="miracle")
    assert flag.is_visible()
    assert page.locator(".red-flag", has_text="Red flag: “miracle”").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    hours = page.locator("mark", has_text="within hours of a treatment session")
    note_link = page.locator(f"a.note-ref[href='#note-{hours.get_attribute('id')[2:]}']")
    note_link.click()
    note = page.locator(":target")
    assert "Ketamine relieves anxiety symptoms within hours" in note.inner_text()
    assert note.locator(".badge").first.is_visible()
    with page.context.expect_page() as opened:  # the result stays where it is
        note.get_by_role("link", name="Ketamine relieves anxiety symptoms within hours").click()
    claim_page = opened.value
    claim_page.wait_for_load_state()
    assert claim_page.url.endswith("/claims/ketamine-relieves-anxiety-within-hours/")
    claim_page.close()

    page.get_by_label("Where the page is (optional)").fill("https://calm.example/anxiety")
    page.get_by_role("button", name="Send this page to the editors").click()
    page.wait_for_url("**/check/sent/")
    assert page.get_by_role("heading", name="Thank you").is_visible()
    sent = Document.objects.get(url="https://calm.example/anxiety")
    assert sent.status == Document.Status.PROPOSED and sent.candidates.exists()


def test_the_marks_differ_by_symbol_and_line_not_colour_alone(live_server, page, corpus):
    check(page, live_server.url)
    styles = page.evaluate(MARK_STYLES)
    shown = {name: style for name, style in styles.items() if style}
    assert {"s-warns", "s-unreviewed", "s-flagged"} <= set(shown) or len(shown) >= 3, styles
    assert len(set(shown.values())) == len(shown), styles  # each status its own line
    symbols = {
        status: page.locator(f".check-legend .check-mark.{status}").inner_text()
        for status in ("s-warns", "s-reviewed", "s-known", "s-unreviewed", "s-flagged")
    }
    assert len(set(symbols.values())) == 5, symbols


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_check_has_no_serious_accessibility_violation(live_server, browser, corpus, width):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    failures = []
    page.goto(live_server.url + "/check/")
    for name in ("form", "result"):
        if name == "result":
            page.get_by_label("Paste the page's text or HTML").fill(PAGE)
            page.get_by_role("button", name="Check this page").click()
            page.get_by_role("heading", name="What we found").wait_for()
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                failures.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            failures.append(f"{name}: wider than a {width}px screen")
    context.close()
    assert failures == []

"""A clinician's path to an answer, at desktop and phone widths."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Every word on the page laid out on one line: a word broken inside itself has a rect on
# each line it spans. A line may end after a hyphen ("midazolam-" / "controlled"), as in
# print; addresses and other long tokens may break; words may not.
WORDS_BROKEN_INSIDE = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("svg, script, .visually-hidden, thead")) continue;
    for (const match of node.textContent.matchAll(/[A-Za-z\\u00C0-\\u024F'’]{2,25}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const tops = new Set(rects.map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def test_a_question_is_answered_from_the_home_page_in_three_clicks(live_server, screen, corpus):
    page, clicks = screen, 0
    page.goto(live_server.url + "/")
    page.get_by_label("Ask a question, or search").first.fill("is ketamine addictive")
    page.get_by_label("Ask a question, or search").first.press("Enter")
    clicks += 1
    page.wait_for_url("**/search/?q=is+ketamine+addictive")
    answer = page.locator(".answer-card .question-link").first
    assert answer.inner_text() == "Is ketamine addictive?"
    answer.click()
    clicks += 1
    page.wait_for_url("**/questions/is-ketamine-addictive/")
    assert page.get_by_role("heading", name="Bottom line for clinicians").is_visible()
    assert page.get_by_role("heading", name="Summary of findings").count() == 1
    assert clicks <= 3


def test_a_question_on_the_home_page_is_one_click_away(live_server, screen, corpus):
    screen.goto(live_server.url + "/")
    link = screen.locator(".home-questions a", has_text="within hours").first
    link.click()
    screen.wait_for_url("**/questions/does-ketamine-work-within-hours/")
    assert screen.locator(".bottom-line").first.is_visible()


@pytest.mark.parametrize("path", ["/search/?q=how+many+infusions", "/claims/?q=within+an+hour"])
def test_on_a_phone_the_first_results_are_above_the_fold(live_server, browser, corpus, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    first = page.locator(".answer-card, .claim-row").first
    box = first.bounding_box()
    assert box is not None and box["y"] + 24 < 844, box
    context.close()


def test_on_a_phone_findings_are_cards_with_every_field_and_no_word_broken(
    live_server, browser, corpus
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/questions/does-ketamine-work-within-hours/")
    first_row = page.locator("table.findings tbody tr").first
    cells = first_row.locator("th, td")
    for index in range(cells.count()):
        cell = cells.nth(index)
        assert cell.evaluate("c => getComputedStyle(c).display") == "block"
        label = cell.evaluate("c => getComputedStyle(c, '::before').content")
        assert label.strip('"') == cell.get_attribute("data-label")
        assert cell.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.evaluate(WORDS_BROKEN_INSIDE) == []
    page.goto(live_server.url + "/claims/ketamine-relieves-anxiety-within-hours/")
    assert page.evaluate(WORDS_BROKEN_INSIDE) == []
    context.close()


def test_the_pictures_are_drawn_without_javascript(live_server, browser, corpus):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/questions/does-ketamine-work-within-hours/")
    plots = page.locator("svg.plot")
    assert plots.count() >= 1
    assert page.locator("svg.plot-timeline").count() == 1
    assert plots.first.bounding_box()["height"] > 40
    context.close()

"""Filing a candidate in a real browser: a span set by selecting text, a claim found by
search."""

import pytest

from claims.models import Candidate, Excerpt
from tests.browser.test_content_security_policy import listen_for_violations, sign_in
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db(transaction=True)

# The telephone is outside the Basic Multilingual Plane: one character to the server, two
# UTF-16 units to the browser. The positions set must be the server's.
BODY = "Call us 📞 today. Ketamine works within hours, and it is not addictive. Thank you."

SELECT_IN_MARK = """([text]) => {
    const mark = document.querySelector(".candidate-context mark");
    const node = mark.firstChild;
    const start = node.data.indexOf(text);
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + text.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    mark.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
}"""


def test_an_editor_selects_the_span_and_searches_for_the_claim(
    live_server, page, django_user_model
):
    django_user_model.objects.create_superuser(username="root", password="pw-root-1")
    make_claim(slug="works-fast", statement="Ketamine works within hours.")
    addictive = make_claim(slug="not-addictive", statement="Ketamine is not addictive.")
    document = make_document(body=BODY)
    start = BODY.index("Ketamine")
    quote = BODY[start : BODY.index("Thank") - 1]
    Candidate.objects.create(
        document=document, start=start, end=start + len(quote), quote=quote,
        category="safety", reasons=["addiction"], matches=[],
    )  # fmt: skip
    violations = listen_for_violations(page)
    sign_in(page, live_server.url, "root", "pw-root-1")
    page.goto(f"{live_server.url}/admin/claims/candidate/review/{document.pk}/")

    page.evaluate(SELECT_IN_MARK, [" it is not addictive."])  # the space is left out
    wanted = BODY.index("it is not")
    assert page.locator("input[name=start]").input_value() == str(wanted)
    assert page.locator("input[name=end]").input_value() == str(BODY.index(" Thank"))
    # It runs to the candidate's end: a split would fall where it begins.
    assert page.locator("input[name=split_at]").input_value() == str(wanted)

    page.locator(".another-claim .select2-selection").click()
    page.locator(".select2-dropdown .select2-search__field").fill("addictive")
    page.locator(".select2-results__option", has_text="not addictive").click()
    assert page.locator("input[type=radio][value=another]").is_checked()
    page.get_by_role("button", name="File as an excerpt").click()
    page.get_by_text("Filed under").first.wait_for()

    excerpt = Excerpt.objects.get()
    assert (excerpt.claim, excerpt.quote) == (addictive, "it is not addictive.")
    assert violations == []

"""The editors' desk in a real browser, in a 1,280-pixel window: two reviewers grade a claim
with the form's buttons, they disagree, an editor adjudicates and publishes, a reader
reports an error and the editor corrects it. Every admin page on the way fits the window,
with its title visible."""

import pytest
from django.contrib.auth.models import Group

from corrections.models import Correction
from reviews.models import Assignment, Review
from reviews.roles import EDITOR, REVIEWER
from tests.browser.test_content_security_policy import listen_for_violations
from tests.factories import make_evidence_link, make_excerpt

pytestmark = pytest.mark.django_db(transaction=True)

FITS = """() => {
  const title = document.querySelector("#content h1, #content h2");
  const box = title ? title.getBoundingClientRect() : null;
  const onTop = box ? document.elementFromPoint(box.left + 2, box.top + box.height / 2) : null;
  return {
    width: document.documentElement.scrollWidth,
    title: title ? title.textContent.trim() : null,
    titleVisible: !!(onTop && title.contains(onTop)),
  };
}"""

GRADING = {
    "evidence_design": "randomized",
    "risk_of_bias": "serious",
    "inconsistency": "not_serious",
    "indirectness": "not_serious",
    "imprecision": "serious",
    "publication_bias": "not_serious",
}


def person(django_user_model, username: str, role: str):
    user = django_user_model.objects.create_user(
        username=username, password=f"pw-{username}-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def sign_in_as(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/admin/")


def assert_fits(page) -> None:
    found = page.evaluate(FITS)
    assert found["width"] <= 1280, (page.url, found)
    assert found["titleVisible"], (page.url, found)


def grade(page, verdict: str) -> None:
    """A reviewer opens their assignment from My work and grades it with the form."""
    page.locator(".my-work").get_by_role("link", name="CLAIM UNDER REVIEW").click()
    page.wait_for_url("**/reviews/review/add/**")
    assert_fits(page)
    page.locator("#id_verdict").select_option(verdict)
    for field, value in GRADING.items():
        page.locator(f"#id_{field}").select_option(value)
        page.locator(f"#id_{field.replace('evidence_', '')}_reason").fill(f"Reason for {field}.")
    # The GRADE path follows the choices before anything is saved.
    page.locator("#grade-path", has_text="Certainty: Low").wait_for()
    page.locator("#id_rationale").fill("Two small trials.")
    page.locator("#id_summary").fill("Not shown yet.")
    page.get_by_role("button", name="Save draft").click()
    page.locator(".messagelist").wait_for()
    assert_fits(page)
    page.get_by_role("button", name="Submit (hand in; it can no longer change)").click()
    page.locator(".messagelist", has_text="Submitted").wait_for()


def test_reviewers_grade_an_editor_adjudicates_and_a_reported_error_is_corrected(
    live_server, page, django_user_model
):
    rita = person(django_user_model, "rita", REVIEWER)
    oscar = person(django_user_model, "oscar", REVIEWER)
    eve = person(django_user_model, "eve", EDITOR)
    excerpt = make_excerpt(quote="within hours")
    claim = excerpt.claim
    claim.statement = "CLAIM UNDER REVIEW: ketamine relieves anxiety within hours."
    claim.save()
    make_evidence_link(claim=claim)
    violations = listen_for_violations(page)

    sign_in_as(page, live_server.url, "eve")  # assigns the claim to both reviewers
    for reviewer in ("rita", "oscar"):
        page.goto(f"{live_server.url}/admin/reviews/assignment/add/")
        assert_fits(page)
        page.locator(".field-claim .select2-selection").click()
        page.locator(".select2-dropdown .select2-search__field").fill("under review")
        page.locator(".select2-results__option", has_text="CLAIM UNDER REVIEW").click()
        page.locator("#id_reviewer").select_option(label=reviewer)
        page.get_by_role("button", name="Save", exact=True).click()
        page.locator(".messagelist", has_text="was added successfully").wait_for()
    assert {a.reviewer for a in Assignment.objects.filter(claim=claim)} == {rita, oscar}

    sign_in_as(page, live_server.url, "rita")
    assert_fits(page)
    grade(page, "unsupported")
    sign_in_as(page, live_server.url, "oscar")
    grade(page, "false")

    sign_in_as(page, live_server.url, "eve")
    work = page.locator(".my-work")
    assert (
        work.locator(".work-item", has_text="Conflicts to adjudicate")
        .locator(".work-count")
        .inner_text()
        == "1"
    )
    for address in ("/admin/claims/claim/", f"/admin/claims/claim/{claim.pk}/change/",
                    "/admin/reviews/review/"):  # fmt: skip
        page.goto(live_server.url + address)
        assert_fits(page)
    for column in ("verdict", "status", "certainty", "reviewer"):  # the review list's key columns
        box = page.locator(f"th.column-{column}").bounding_box()
        assert box and box["x"] + box["width"] <= 1280, (column, box)
    page.goto(f"{live_server.url}/admin/")
    work.get_by_role("link", name="CLAIM UNDER REVIEW").click()
    page.wait_for_url("**/adjudicate/**")
    assert_fits(page)
    page.locator("#id_verdict").select_option("unsupported")
    for field, value in GRADING.items():
        page.locator(f"#id_{field}").select_option(value)
        page.locator(f"#id_{field.replace('evidence_', '')}_reason").fill(f"Agreed: {field}.")
    page.locator("#id_rationale").fill("Both reviewers' trials.")
    page.locator("#id_summary").fill("The evidence does not support relief within hours.")
    page.locator("#id_adjudication").fill("Unsupported rather than false: two small trials.")
    page.get_by_role("button", name="Publish consensus review").click()
    page.locator(".messagelist", has_text="Published the consensus review").wait_for()
    published = Review.objects.published().get(claim=claim)
    assert set(published.contributors.all()) == {rita, oscar} and published.reviewer == eve

    page.context.clear_cookies()
    page.goto(live_server.url + claim.get_absolute_url())
    assert page.locator(".rating").first.inner_text().count("Unsupported")
    page.get_by_role("link", name="Report an error on this page").click()
    page.get_by_label("What is wrong on this page?").fill("The second trial had 40 people.")
    page.get_by_role("button", name="Send the report").click()
    page.get_by_role("heading", name="Thank you").wait_for()

    sign_in_as(page, live_server.url, "eve")
    page.locator(".my-work").get_by_role("link", name="The second trial had 40 people.").click()
    page.wait_for_url("**/corrections/correction/*/change/")
    assert_fits(page)
    page.locator("#id_status").select_option("corrected")
    page.locator("#id_what_changed").fill("The second trial's size now reads 40.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".messagelist").wait_for()
    assert Correction.objects.get().status == Correction.Status.CORRECTED
    page.goto(f"{live_server.url}/corrections/")
    assert page.get_by_text("The second trial's size now reads 40.").is_visible()
    assert violations == []

"""The editorial workflow in the admin: who may do what, blinding, and lost-update refusal."""

from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from config.admin import VersionGuardForm
from reviews.models import Assignment, Review
from reviews.roles import REVIEWER
from reviews.services import claims_flag_for_rereview, review_publish, review_submit
from tests.admin_pages import change_form_data, login
from tests.factories import make_claim, make_document, make_evidence_link, make_excerpt, make_review
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

S = Review.Status


@pytest.fixture
def personas(client, reviewer, other_reviewer, editor, superuser, django_user_model):
    outsider = django_user_model.objects.create_user(
        username="staffer", password="pw-staffer-1", is_staff=True
    )
    return {
        "anonymous": None,
        "outsider": outsider,
        "reviewer": reviewer,
        "other reviewer": other_reviewer,
        "editor": editor,
        "superuser": superuser,
    }


@pytest.fixture
def world(reviewer, other_reviewer, editor, superuser):
    """A claim assigned to two reviewers: rita's draft and oscar's submitted review."""
    excerpt = make_excerpt()
    claim = excerpt.claim
    for person in (reviewer, other_reviewer):
        Assignment.objects.create(claim=claim, reviewer=person, assigned_by=editor)
    draft = make_review(claim=claim, reviewer=reviewer, rationale="RITA DRAFT RATIONALE")
    submitted = make_review(
        claim=claim,
        reviewer=other_reviewer,
        status=S.SUBMITTED,
        verdict=Review.Verdict.FALSE,
        rationale="OSCAR SUBMITTED RATIONALE",
    )
    link = make_evidence_link(claim=claim)
    return {
        "claim": claim,
        "excerpt": excerpt,
        "draft": draft,
        "submitted": submitted,
        "link": link,
        "superuser": superuser,
    }


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


# Who reaches what ------------------------------------------------------------------------

OK, LOGIN, DENIED = 200, 302, 403
EVERYONE = ["anonymous", "outsider", "reviewer", "editor", "superuser"]
MATRIX = {
    # page: expected status for anonymous, outsider (staff, no role), reviewer, editor, superuser
    "index": [LOGIN, LOGIN, OK, OK, OK],
    "sources_document_changelist": [LOGIN, LOGIN, OK, OK, OK],
    "sources_document_add": [LOGIN, LOGIN, DENIED, OK, OK],
    "sources_study_changelist": [LOGIN, LOGIN, OK, OK, OK],
    "sources_study_add": [LOGIN, LOGIN, OK, OK, OK],
    "claims_claim_changelist": [LOGIN, LOGIN, OK, OK, OK],
    "claims_claim_add": [LOGIN, LOGIN, DENIED, OK, OK],
    "claims_excerpt_changelist": [LOGIN, LOGIN, OK, OK, OK],
    "claims_excerpt_add": [LOGIN, LOGIN, DENIED, OK, OK],
    "reviews_evidencelink_changelist": [LOGIN, LOGIN, OK, OK, OK],
    "reviews_evidencelink_add": [LOGIN, LOGIN, OK, OK, OK],
    "reviews_review_changelist": [LOGIN, LOGIN, OK, OK, OK],
    "reviews_review_add": [LOGIN, LOGIN, OK, OK, OK],
    "reviews_assignment_changelist": [LOGIN, LOGIN, OK, OK, OK],
    "reviews_assignment_add": [LOGIN, LOGIN, DENIED, OK, OK],
    "reviews_review_agreement": [LOGIN, LOGIN, DENIED, OK, OK],
    "auth_user_changelist": [LOGIN, LOGIN, DENIED, OK, OK],
    "claims_candidate_changelist": [LOGIN, LOGIN, DENIED, OK, OK],
    "claims_candidate_ingest": [LOGIN, LOGIN, DENIED, OK, OK],
    "auth_user_add": [LOGIN, LOGIN, DENIED, DENIED, OK],
    "auth_group_changelist": [LOGIN, LOGIN, DENIED, DENIED, OK],
    "corrections_correction_changelist": [LOGIN, LOGIN, DENIED, OK, OK],
    "corrections_correction_add": [LOGIN, LOGIN, DENIED, DENIED, DENIED],
    "claims_candidate_batch": [LOGIN, LOGIN, DENIED, OK, OK],
    "claims_ingestionjob_changelist": [LOGIN, LOGIN, DENIED, OK, OK],
    "claims_ingestionjob_add": [LOGIN, LOGIN, DENIED, DENIED, DENIED],
    "watching_watch_changelist": [LOGIN, LOGIN, DENIED, OK, OK],
    "watching_watch_add": [LOGIN, LOGIN, DENIED, OK, OK],
}


@pytest.mark.parametrize("page", list(MATRIX))
def test_permission_matrix_for_admin_pages(client, personas, world, page):
    expectations = dict(zip(EVERYONE, MATRIX[page], strict=True))
    expectations["other reviewer"] = expectations["reviewer"]
    for persona, expected in expectations.items():
        response = login(client, personas[persona]).get(url(page))
        assert response.status_code == expected, (page, persona, response.status_code)
        if expected == LOGIN:
            assert "/admin/login/" in response["Location"]


ACTIONS = {
    # changelist: actions offered to a reviewer, to an editor, to a superuser
    "claims_claim_changelist": (
        {"export_csv"},
        {"export_csv", "flag_for_rereview", "delete_selected"},
        {"export_csv", "flag_for_rereview", "delete_selected"},
    ),
    "reviews_review_changelist": (
        {"submit"},
        {"submit", "publish", "unpublish"},
        {"submit", "publish", "unpublish", "delete_selected"},
    ),
    "sources_study_changelist": (
        set(),
        {"flag_dependent_claims", "delete_selected"},
        {"flag_dependent_claims", "delete_selected"},
    ),
    "sources_document_changelist": (
        set(),
        {"take_into_the_collection"},
        {"take_into_the_collection", "delete_selected"},
    ),
    "reviews_evidencelink_changelist": (set(), {"delete_selected"}, {"delete_selected"}),
    "reviews_assignment_changelist": (set(), {"delete_selected"}, {"delete_selected"}),
}


@pytest.mark.parametrize("changelist", list(ACTIONS))
def test_permission_matrix_for_admin_actions(client, personas, world, changelist):
    personas_in_order = ("reviewer", "editor", "superuser")
    for persona, expected in zip(personas_in_order, ACTIONS[changelist], strict=True):
        response = login(client, personas[persona]).get(url(changelist))
        form = response.context["action_form"]
        offered = {value for value, _ in form.fields["action"].choices if value} if form else set()
        assert offered == expected, (changelist, persona)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", LOGIN), ("reviewer", DENIED), ("editor", OK), ("superuser", OK)],
)
def test_only_editors_adjudicate(client, personas, world, persona, expected):
    response = login(client, personas[persona]).get(
        url("reviews_review_adjudicate", world["claim"].pk)
    )
    assert response.status_code == expected


def post_action(client, changelist, action, pks):
    return client.post(url(changelist), {"action": action, "_selected_action": pks}, follow=True)


def test_a_reviewer_can_never_publish(client, reviewer, world):
    login(client, reviewer)
    response = post_action(client, "reviews_review_changelist", "publish", [world["submitted"].pk])
    assert "No action selected" in response.content.decode() or response.status_code == 200
    world["submitted"].refresh_from_db()
    assert world["submitted"].status == S.SUBMITTED
    actions = client.get(url("reviews_review_changelist")).context["action_form"]
    assert "publish" not in dict(actions.fields["action"].choices)


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_an_editor_publishes_a_submitted_review(client, editor, world):
    login(client, editor)
    response = post_action(client, "reviews_review_changelist", "publish", [world["submitted"].pk])
    assert "Published:" in response.content.decode()
    world["submitted"].refresh_from_db()
    assert (world["submitted"].status, world["submitted"].published_by) == (S.PUBLISHED, editor)


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_an_editor_cannot_publish_a_draft_and_is_told_why(client, editor, world):
    login(client, editor)
    response = post_action(client, "reviews_review_changelist", "publish", [world["draft"].pk])
    assert "A draft review cannot become published." in response.content.decode()
    world["draft"].refresh_from_db()
    assert world["draft"].status == S.DRAFT


def test_a_reviewer_edits_and_submits_only_their_own_draft(client, reviewer, other_reviewer, world):
    draft = world["draft"]
    login(client, reviewer)
    page = client.get(url("reviews_review_change", draft.pk))
    assert page.status_code == 200 and page.context["has_change_permission"]
    response = post_action(client, "reviews_review_changelist", "submit", [draft.pk])
    assert "Submitted:" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    # Now submitted, it is frozen even for its author.
    assert not client.get(url("reviews_review_change", draft.pk)).context["has_change_permission"]
    # Oscar sees Rita's submitted review (he has submitted his own) but cannot edit it.
    login(client, other_reviewer)
    page = client.get(url("reviews_review_change", draft.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    response = client.post(url("reviews_review_change", draft.pk), {"verdict": "false"})
    assert response.status_code == 403


def test_an_editor_cannot_edit_a_reviewers_draft(client, editor, world):
    login(client, editor)
    response = client.post(url("reviews_review_change", world["draft"].pk), {"verdict": "false"})
    assert response.status_code == 403


def review_form(claim, **changes):
    data = {
        "claim": claim.pk,
        "verdict": "unsupported",
        "evidence_design": "randomized",
        "design_reason": "Two small placebo-controlled trials.",
        "risk_of_bias": "serious",
        "risk_of_bias_reason": "Blinding broken by dissociation.",
        "inconsistency": "not_serious",
        "inconsistency_reason": "Both trials point the same way.",
        "indirectness": "not_serious",
        "indirectness_reason": "The population, route and outcome the claim names.",
        "imprecision": "serious",
        "imprecision_reason": "Forty patients in all.",
        "publication_bias": "not_serious",
        "publication_bias_reason": "Registered trials, both reported.",
        "rationale": "Two small placebo-controlled trials.",
        "summary": "Not shown.",
    }
    return {**data, **changes}


def test_the_admin_computes_certainty_from_the_grade_and_asks_for_what_is_missing(client, editor):
    login(client, editor)
    claim = make_claim()
    stated = review_form(claim, certainty="high")  # not a field: GRADE computes it
    assert client.post(url("reviews_review_add"), stated).status_code == 302
    assert Review.objects.get(claim=claim).certainty == "low"  # high, −1, −1
    other = make_claim()
    response = client.post(url("reviews_review_add"), review_form(other, imprecision_reason=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["imprecision_reason"] == [
        "Give the reason for the judgment of imprecision."
    ]
    assert not Review.objects.filter(claim=other).exists()


def test_new_reviews_belong_to_their_author_as_drafts(client, reviewer, editor):
    login(client, reviewer)
    claim = make_claim()
    Assignment.objects.create(claim=claim, reviewer=reviewer, assigned_by=editor)
    response = client.post(url("reviews_review_add"), review_form(claim))
    assert response.status_code == 302
    review = Review.objects.get(claim=claim)
    assert (review.reviewer, review.status) == (reviewer, S.DRAFT)


def test_a_bad_review_form_shows_field_errors_and_saves_nothing(client, reviewer):
    login(client, reviewer)
    claim = make_claim()
    Assignment.objects.create(claim=claim, reviewer=reviewer)
    response = client.post(url("reviews_review_add"), {"claim": claim.pk, "verdict": "false"})
    assert response.status_code == 200
    assert "Say what design of evidence the verdict rests on." in response.content.decode()
    assert not Review.objects.filter(claim=claim).exists()


def test_editors_manage_roles_but_not_superusers(client, editor, reviewer, superuser):
    login(client, editor)
    assert client.get(url("auth_user_change", superuser.pk)).status_code == 302  # not found
    response = client.post(
        url("auth_user_change", reviewer.pk),
        {
            "username": reviewer.username,
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="Editor").pk],
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert list(reviewer.groups.values_list("name", flat=True)) == ["Editor"]
    assert not reviewer.is_superuser


# Blinding ---------------------------------------------------------------------------------


def test_blinding_hides_others_reviews_until_every_assigned_reviewer_submits(
    client, reviewer, world
):
    secret = "OSCAR SUBMITTED RATIONALE"
    claim = world["claim"]
    login(client, reviewer)
    pages = {
        "review list": client.get(url("reviews_review_changelist")),
        "review list filtered": client.get(url("reviews_review_changelist"), {"verdict": "false"}),
        "review search": client.get(url("reviews_review_changelist"), {"q": "OSCAR"}),
        "claim page": client.get(url("claims_claim_change", claim.pk)),
        "claim list": client.get(url("claims_claim_changelist")),
        "conflict filter": client.get(url("claims_claim_changelist"), {"workflow": "in_conflict"}),
        "agreement": client.get(url("reviews_review_agreement")),
    }
    for name, response in pages.items():
        assert secret not in response.content.decode(), name
        assert "verdict-false" not in response.content.decode(), name
    review_list = pages["review list"].context["cl"].result_list
    assert world["submitted"] not in review_list
    direct = client.get(url("reviews_review_change", world["submitted"].pk))
    assert direct.status_code == 302  # treated as missing
    history = client.get(url("reviews_review_history", world["submitted"].pk))
    assert history.status_code == 404
    version = world["submitted"].history.first().history_id
    past = client.get(url("reviews_review_simple_history", world["submitted"].pk, version))
    assert past.status_code == 404
    export = post_action(client, "claims_claim_changelist", "export_csv", [claim.pk])
    assert secret not in export.content.decode()

    # Once Rita submits hers, both assigned reviewers have: Oscar's is hers to see.
    world["draft"].status = S.SUBMITTED
    world["draft"].save()
    after = client.get(url("reviews_review_changelist"))
    assert world["submitted"] in after.context["cl"].result_list
    assert (
        secret in client.get(url("reviews_review_change", world["submitted"].pk)).content.decode()
    )


def test_editors_see_every_review(client, editor, world):
    login(client, editor)
    listed = client.get(url("reviews_review_changelist")).context["cl"].result_list
    assert {world["draft"], world["submitted"]} <= set(listed)


SECRETS = ("RITA DRAFT RATIONALE", "OSCAR SUBMITTED RATIONALE")


def inline_reviews(claim_page) -> set[Review]:
    """The reviews listed in the claim page's reviews inline."""
    return {
        form.instance
        for inline in claim_page.context["inline_admin_formsets"]
        if inline.formset.model is Review
        for form in inline.formset.forms
    }


def reviews_seen(client, user, claim) -> set[Review]:
    """What `user` is shown of `claim`'s reviews: the review list and the claim page agree."""
    login(client, user)
    listed = set(client.get(url("reviews_review_changelist")).context["cl"].result_list)
    inline = inline_reviews(client.get(url("claims_claim_change", claim.pk)))
    assert {r for r in listed if r.claim_id == claim.pk} == inline
    return inline


def test_an_unassigned_reviewer_cannot_review_a_claim_to_read_its_reviews(
    client, third_reviewer, world
):
    claim = world["claim"]
    login(client, third_reviewer)
    added = client.post(url("reviews_review_add"), review_form(claim))
    assert added.status_code == 200
    assert "This claim is not assigned to you" in added.content.decode()
    assert "claim" in added.context["adminform"].form.errors
    assert not Review.objects.filter(reviewer=third_reviewer).exists()
    pages = [
        client.get(url("reviews_review_changelist")),
        client.get(url("claims_claim_change", claim.pk)),
        client.get(url("reviews_review_change", world["draft"].pk), follow=True),
        client.get(url("reviews_review_change", world["submitted"].pk), follow=True),
    ]
    for page in pages:
        assert not any(secret in page.content.decode() for secret in SECRETS)


def test_an_editor_reviews_any_claim(client, editor):
    claim = make_claim()
    login(client, editor)
    assert client.post(url("reviews_review_add"), review_form(claim)).status_code == 302
    assert Review.objects.get(claim=claim).reviewer == editor


def test_the_review_forms_claim_autocomplete_offers_a_reviewer_their_assigned_claims(
    client, reviewer, editor, world
):
    other = make_claim()

    def offered(user, model_name):
        login(client, user)
        query = {"app_label": "reviews", "model_name": model_name, "field_name": "claim"}
        response = client.get(url("autocomplete"), {**query, "term": "Ketamine"})
        return {int(row["id"]) for row in response.json()["results"]}

    assert offered(reviewer, "review") == {world["claim"].pk}
    assert offered(reviewer, "evidencelink") == {world["claim"].pk, other.pk}
    assert offered(editor, "review") == {world["claim"].pk, other.pk}


def test_a_reviewer_cannot_submit_a_draft_of_a_claim_no_longer_assigned_to_them(
    client, reviewer, world
):
    Assignment.objects.filter(claim=world["claim"], reviewer=reviewer).delete()
    login(client, reviewer)
    response = post_action(client, "reviews_review_changelist", "submit", [world["draft"].pk])
    assert "This claim is not assigned to rita" in response.content.decode()
    world["draft"].refresh_from_db()
    assert world["draft"].status == S.DRAFT


def test_others_reviews_open_only_once_every_assigned_reviewer_has_submitted(
    client, reviewer, other_reviewer, third_reviewer, editor, world
):
    claim, draft, submitted = world["claim"], world["draft"], world["submitted"]
    Assignment.objects.create(claim=claim, reviewer=third_reviewer, assigned_by=editor)
    # Oscar has submitted, Rita and Uma have not: he sees his own review, not Rita's draft.
    assert reviews_seen(client, other_reviewer, claim) == {submitted}
    login(client, other_reviewer)
    assert client.get(url("reviews_review_change", draft.pk)).status_code == 302  # missing
    assert client.get(url("reviews_review_history", draft.pk)).status_code == 404

    review_submit(review=draft, by=reviewer)  # Uma still has not
    assert reviews_seen(client, reviewer, claim) == {draft}
    assert reviews_seen(client, other_reviewer, claim) == {submitted}

    last = make_review(claim=claim, reviewer=third_reviewer, status=S.SUBMITTED)
    everyone = {draft, submitted, last}
    for person in (reviewer, other_reviewer, third_reviewer):
        assert reviews_seen(client, person, claim) == everyone
    page = client.get(url("reviews_review_change", draft.pk)).content.decode()
    assert "RITA DRAFT RATIONALE" in page

    # A draft stays its author's alone, even then.
    correction = make_review(claim=claim, reviewer=other_reviewer)
    assert reviews_seen(client, reviewer, claim) == everyone
    assert reviews_seen(client, other_reviewer, claim) == everyone | {correction}


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_stray_review_of_a_claim_opens_none_of_its_other_reviews(
    client, editor, third_reviewer, world
):
    """As when an editor withdraws an assignment after its review was handed in."""
    claim, draft, submitted = world["claim"], world["draft"], world["submitted"]
    stray = make_review(claim=claim, reviewer=third_reviewer, status=S.SUBMITTED)
    draft.status = S.SUBMITTED  # every assigned reviewer has submitted
    draft.save()
    assert reviews_seen(client, third_reviewer, claim) == {stray}
    for review in (draft, submitted):
        assert client.get(url("reviews_review_change", review.pk)).status_code == 302
        assert client.get(url("reviews_review_history", review.pk)).status_code == 404
    search = client.get(url("reviews_review_changelist"), {"q": "RATIONALE"})
    assert list(search.context["cl"].result_list) == []
    filtered = client.get(url("reviews_review_changelist"), {"status__exact": "submitted"})
    assert list(filtered.context["cl"].result_list) == [stray]
    export = post_action(client, "claims_claim_changelist", "export_csv", [claim.pk])
    assert not any(secret in export.content.decode() for secret in SECRETS)

    review_publish(review=submitted, by=editor)  # published reviews are everyone's to read
    assert reviews_seen(client, third_reviewer, claim) == {stray, submitted}


def test_a_reviewers_review_pages_take_the_same_queries_with_more_rows(
    client, reviewer, other_reviewer
):
    def double_reviewed_claim():
        claim = make_excerpt().claim
        for person in (reviewer, other_reviewer):
            Assignment.objects.create(claim=claim, reviewer=person)
            make_review(claim=claim, reviewer=person, status=S.SUBMITTED)
        return claim

    claim = double_reviewed_claim()
    login(client, reviewer)
    pages = [url("reviews_review_changelist"), url("claims_claim_change", claim.pk)]
    few = [count_queries(client, page) for page in pages]
    for _ in range(3):
        double_reviewed_claim()
    make_review(claim=claim, reviewer=reviewer)
    make_review(claim=claim, reviewer=other_reviewer)
    assert [count_queries(client, page) for page in pages] == few


# Adjudication ------------------------------------------------------------------------------


def test_conflicts_are_listed_and_adjudicated_by_publishing_one_review(client, editor, world):
    world["draft"].status = S.SUBMITTED  # supported vs false: a conflict
    world["draft"].save()
    login(client, editor)
    listed = client.get(url("claims_claim_changelist"), {"workflow": "in_conflict"})
    assert world["claim"] in listed.context["cl"].result_list
    page = client.get(url("reviews_review_adjudicate", world["claim"].pk)).content.decode()
    assert "In conflict" in page
    assert "RITA DRAFT RATIONALE" in page and "OSCAR SUBMITTED RATIONALE" in page
    client.post(url("reviews_review_adjudicate", world["claim"].pk), {"publish": world["draft"].pk})
    world["draft"].refresh_from_db()
    assert world["draft"].status == S.PUBLISHED


def test_an_editor_publishes_a_consensus_review_crediting_both(client, editor, world):
    world["draft"].status = S.SUBMITTED
    world["draft"].save()
    login(client, editor)
    response = client.post(
        url("reviews_review_adjudicate", world["claim"].pk),
        {
            "consensus": "1",
            **review_form(world["claim"], verdict="misleading", inconsistency="serious"),
            "rationale": "Consensus of both.",
            "summary": "Agreed wording.",
        },
    )
    assert response.status_code == 302
    consensus = Review.objects.published().get(claim=world["claim"])
    assert consensus.certainty == "very_low"  # randomized, three domains serious
    assert consensus.reviewer == editor
    assert set(consensus.contributors.all()) == {
        world["draft"].reviewer,
        world["submitted"].reviewer,
    }


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_consensus_that_would_grade_a_fragment_above_its_sentence_is_a_form_error(
    client, editor, world
):
    from tests.factories import make_claim

    sentence = make_claim(statement="83% felt relief within an hour.")
    make_review(claim=sentence, status=S.PUBLISHED, verdict="false")
    world["claim"].carried_by = sentence
    world["claim"].save()
    login(client, editor)
    response = client.post(
        url("reviews_review_adjudicate", world["claim"].pk),
        {
            "consensus": "1",
            **review_form(world["claim"], verdict="misleading", inconsistency="serious"),
            "rationale": "Consensus of both.",
            "summary": "Agreed wording.",
            "adjudication": "A said misleading, B false.",
        },
    )
    assert response.status_code == 200
    assert "may not be better than the sentence" in response.content.decode()
    assert "Consensus of both." in response.content.decode()  # nothing typed is lost
    assert not Review.objects.published().filter(claim=world["claim"]).exists()


# No lost updates ----------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused(client, editor, superuser, world):
    claim = world["claim"]
    change = url("claims_claim_change", claim.pk)
    first = login(client, editor).get(change)
    second_client = type(client)()
    second_client.force_login(superuser)
    second = second_client.get(change)

    saved = client.post(change, change_form_data(first, statement="Edith's wording."))
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    refused = second_client.post(change, change_form_data(second, statement="Root's wording."))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Not saved: this claim was changed by edith" in html
    assert "Root&#x27;s wording." in html  # the loser's edits are still in the form
    claim.refresh_from_db()
    assert claim.statement == "Edith's wording."
    assert claim.version == 2


def test_a_save_from_a_page_opened_before_a_rereview_flag_is_refused(client, editor, world):
    claim = world["claim"]
    change = url("claims_claim_change", claim.pk)
    opened = login(client, editor).get(change)
    claims_flag_for_rereview(claims=[claim], reason="A study it relies on was retracted.")

    refused = client.post(change, change_form_data(opened, statement="Edith's wording."))

    assert refused.status_code == 200
    assert "Not saved: this claim was changed by" in refused.content.decode()
    claim.refresh_from_db()
    assert claim.rereview_reason == "A study it relies on was retracted."
    reopened = client.get(change)
    saved = client.post(change, change_form_data(reopened, statement="Edith's wording."))
    assert saved.status_code == 302
    claim.refresh_from_db()
    assert (claim.statement, claim.rereview_reason) == (
        "Edith's wording.",
        "A study it relies on was retracted.",
    )


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_save_from_a_page_opened_before_a_publication_is_refused(client, editor, world):
    """Publishing clears the claim's re-review flag; the page opened before still shows it."""
    claim = world["claim"]
    claims_flag_for_rereview(claims=[claim], reason="An editor asked for a re-review.")
    change = url("claims_claim_change", claim.pk)
    opened = login(client, editor).get(change)
    review_publish(review=world["submitted"], by=editor)

    refused = client.post(change, change_form_data(opened, statement="Edith's wording."))

    assert refused.status_code == 200
    claim.refresh_from_db()
    assert claim.rereview_reason == ""


def test_a_draft_saved_from_a_tab_opened_before_it_was_submitted_keeps_the_text(
    client, reviewer, world
):
    draft = world["draft"]
    change = url("reviews_review_change", draft.pk)
    opened = login(client, reviewer).get(change)
    review_submit(review=draft, by=reviewer)  # from another tab

    refused = client.post(change, change_form_data(opened, rationale="Rita's second thoughts."))

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Not saved: this review was submitted after you opened it" in html
    assert "Rita&#x27;s second thoughts." in html
    stored = Review.objects.get(pk=draft.pk)
    assert (stored.status, stored.rationale) == (S.SUBMITTED, "RITA DRAFT RATIONALE")


def test_a_submitted_review_refuses_a_post_that_claims_its_current_version(client, reviewer, world):
    draft = world["draft"]
    change = url("reviews_review_change", draft.pk)
    opened = change_form_data(login(client, reviewer).get(change), rationale="Rewritten.")
    review_submit(review=draft, by=reviewer)
    opened["seen_version"] = Review.objects.get(pk=draft.pk).version

    refused = client.post(change, opened)

    assert refused.status_code == 200
    assert "a submitted review no longer changes" in refused.content.decode()
    assert Review.objects.get(pk=draft.pk).rationale == "RITA DRAFT RATIONALE"


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_a_claim_save_keeps_the_verdict_published_while_it_was_being_saved(client, editor, world):
    """A review published between the admin reading the claim and saving it: the save
    writes back the stored verdict it read, and its own refresh of the claim's stored
    verdict, counts and search text, in the same transaction, puts the new one back."""
    claim = world["claim"]
    change = url("claims_claim_change", claim.pk)
    opened = login(client, editor).get(change)
    check = VersionGuardForm.clean

    def published_meanwhile(form):
        review_publish(review=world["submitted"], by=editor)
        return check(form)

    with mock.patch.object(VersionGuardForm, "clean", published_meanwhile):
        saved = client.post(change, change_form_data(opened, statement="Edith's wording."))

    assert saved.status_code == 302
    claim.refresh_from_db()
    assert (claim.statement, claim.verdict) == ("Edith's wording.", Review.Verdict.FALSE)
    assert claim.published_at is not None
    assert "OSCAR SUBMITTED RATIONALE" in claim.search_text


def test_claim_changelist_filters_and_export(client, editor, world):
    login(client, editor)
    other = make_claim(rereview_reason="A study was retracted.")
    make_excerpt(claim=other, document=make_document())
    flagged = client.get(url("claims_claim_changelist"), {"workflow": "rereview"})
    assert list(flagged.context["cl"].result_list) == [other]
    mine = client.get(url("claims_claim_changelist"), {"workflow": "mine"})
    assert list(mine.context["cl"].result_list) == []
    unreviewed = client.get(url("claims_claim_changelist"), {"verdict": "none"})
    assert set(unreviewed.context["cl"].result_list) == {world["claim"], other}
    export = post_action(client, "claims_claim_changelist", "export_csv", [other.pk])
    assert export["Content-Type"].startswith("text/csv")
    assert "A study was retracted." in export.content.decode()


def test_reviewers_see_their_assignments(client, reviewer, world):
    login(client, reviewer)
    mine = client.get(url("claims_claim_changelist"), {"workflow": "mine"})
    assert list(mine.context["cl"].result_list) == [world["claim"]]
    assert REVIEWER in reviewer.groups.values_list("name", flat=True)


# The two-reviewer rule -------------------------------------------------------------------


def test_an_editor_publishes_only_once_both_assigned_reviewers_agree(client, editor, world):
    login(client, editor)
    response = post_action(client, "reviews_review_changelist", "publish", [world["submitted"].pk])
    assert "2 assigned reviewers must hand in their reviews of this claim first (1 so far)" in (
        response.content.decode()
    )
    world["submitted"].refresh_from_db()
    assert world["submitted"].status == S.SUBMITTED
    draft = world["draft"]
    draft.verdict, draft.certainty = world["submitted"].verdict, world["submitted"].certainty
    draft.save()
    review_submit(review=draft, by=draft.reviewer)
    response = post_action(client, "reviews_review_changelist", "publish", [world["submitted"].pk])
    assert "Published:" in response.content.decode()
    world["submitted"].refresh_from_db()
    assert world["submitted"].status == S.PUBLISHED


def test_a_superuser_cannot_publish_their_own_review_alone(client, superuser):
    claim = make_claim()
    own = make_review(claim=claim, reviewer=superuser, status=S.SUBMITTED)
    login(client, superuser)
    response = post_action(client, "reviews_review_changelist", "publish", [own.pk])
    assert "must hand in their reviews" in response.content.decode()
    own.refresh_from_db()
    assert own.status == S.SUBMITTED


def test_a_conflict_is_published_only_through_the_adjudicate_page(client, editor, world):
    world["draft"].status = S.SUBMITTED  # supported vs false: a conflict
    world["draft"].save()
    login(client, editor)
    response = post_action(client, "reviews_review_changelist", "publish", [world["draft"].pk])
    assert "its reviewers disagree. An editor adjudicates it" in response.content.decode()
    world["draft"].refresh_from_db()
    assert world["draft"].status == S.SUBMITTED


def test_an_override_needs_a_written_reason_and_readers_see_it(client, editor, world):
    login(client, editor)
    adjudicate = url("reviews_review_adjudicate", world["claim"].pk)
    page = client.get(adjudicate).content.decode()
    assert "Publish alone, overriding the rule" in page
    response = client.post(
        adjudicate, {"override": "1", "review": world["submitted"].pk, "override_reason": " "}
    )
    assert response.status_code == 200
    assert "override_reason" in response.context["override"].errors
    world["submitted"].refresh_from_db()
    assert world["submitted"].status == S.SUBMITTED

    reason = "The second reviewer is on leave; the clinic's claim is spreading now."
    response = client.post(
        adjudicate, {"override": "1", "review": world["submitted"].pk, "override_reason": reason}
    )
    assert response.status_code == 302
    world["submitted"].refresh_from_db()
    assert (world["submitted"].status, world["submitted"].override_reason) == (S.PUBLISHED, reason)
    client.logout()
    claim_page = client.get(world["claim"].get_absolute_url()).content.decode()
    assert claim_page.count(reason.replace("'", "&#x27;")) == 2  # beside the review, in its history


def test_a_reviewer_never_sees_the_override(client, reviewer, world):
    login(client, reviewer)
    response = client.post(
        url("reviews_review_adjudicate", world["claim"].pk),
        {"override": "1", "review": world["submitted"].pk, "override_reason": "Because."},
    )
    assert response.status_code == 403
    world["submitted"].refresh_from_db()
    assert world["submitted"].status == S.SUBMITTED


# The review form as a workspace ------------------------------------------------------------


def change_page(client, review) -> str:
    return client.get(url("reviews_review_change", review.pk)).content.decode()


def buttons(page: str) -> set[str]:
    found = {
        "save draft": 'value="Save draft"' in page,
        "submit": 'name="_submit"' in page,
        "publish": "/move/publish/" in page,
        "withdraw": "/move/withdraw/" in page,
    }
    return {name for name, shown in found.items() if shown}


def test_each_button_of_the_review_form_is_shown_only_to_whom_it_is_allowed(
    client, reviewer, other_reviewer, editor, world
):
    draft, submitted = world["draft"], world["submitted"]
    assert buttons(change_page(login(client, reviewer), draft)) == {"save draft", "submit"}
    assert buttons(change_page(client, submitted)) == set()  # blinded: not theirs to read
    assert buttons(change_page(login(client, other_reviewer), submitted)) == set()
    page = change_page(login(client, editor), submitted)
    assert buttons(page) == set()  # the two-reviewer rule: rita has not handed in
    assert "Not yet publishable." in page and "(1 so far)" in page
    assert buttons(change_page(client, draft)) == set()  # another's draft: read only
    draft.verdict, draft.certainty = submitted.verdict, submitted.certainty
    draft.save()
    review_submit(review=draft, by=reviewer)
    assert buttons(change_page(client, submitted)) == {"publish"}
    review_publish(review=submitted, by=editor)
    assert buttons(change_page(client, submitted)) == {"withdraw"}
    assert buttons(change_page(login(client, other_reviewer), submitted)) == set()


def test_a_reviewer_saves_and_submits_from_the_form(client, reviewer, world):
    login(client, reviewer)
    draft = world["draft"]
    data = {**review_form(world["claim"], rationale="HANDED IN"), "seen_version": draft.version}
    response = client.post(url("reviews_review_change", draft.pk), {**data, "_submit": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.rationale) == (S.SUBMITTED, "HANDED IN")


def test_publish_and_withdraw_post_to_their_own_address_and_check_who_asks(
    client, reviewer, editor, world
):
    submitted = world["submitted"]
    publish = url("reviews_review_move", submitted.pk, "publish")
    login(client, reviewer)
    assert client.post(publish).status_code in (403, 404)
    login(client, editor)
    assert client.get(publish).status_code == 405
    response = client.post(publish, follow=True)
    assert "must hand in their reviews" in response.content.decode()  # the rule, told
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert client.post(url("reviews_review_move", submitted.pk, "withdraw")).status_code == 403
    assert client.post(url("reviews_review_move", submitted.pk, "nonsense")).status_code == 403


def test_the_form_shows_the_claims_quotes_questions_evidence_and_grade_path(client, editor, world):
    from tests.factories import make_question

    question = make_question()
    question.claims.add(world["claim"])
    login(client, editor)
    page = client.get(url("reviews_review_add") + f"?claim={world['claim'].pk}").content.decode()
    assert f"<mark>{world['excerpt'].quote}</mark>" in page
    assert world["link"].study.title in page and question.question in page
    assert "Still needed:" in page  # a new review has no grading yet
    response = client.post(url("reviews_review_add"), review_form(world["claim"], summary=""))
    assert response.status_code == 200  # refused for the summary, the path follows the form
    page = response.content.decode()
    assert "Certainty: <strong>Low</strong>" in page  # randomized, two domains serious


def test_the_grade_path_follows_the_judgments_sent(client, reviewer):
    path = url("reviews_review_grade_path")
    assert client.get(path).status_code == 302  # signed out: to the sign-in page
    login(client, reviewer)
    grading = {k: v for k, v in review_form(make_claim()).items() if k not in ("claim",)}
    page = client.get(path, grading).content.decode()
    assert "Starting level</strong>: Randomized trials → high" in page
    assert "Imprecision</strong>: Serious (-1) → low" in page
    assert "Certainty: <strong>Low</strong>" in page
    assert "no-store" in client.get(path, grading)["Cache-Control"]
    partial = client.get(path, {"evidence_design": "randomized"}).content.decode()
    assert "Still needed:" in partial and "Judge risk of bias" in partial
    assert client.get(path, {"risk_of_bias": "dreadful"}).status_code == 400

import pytest
from django.urls import reverse

from questions.models import Question, StudyResult
from tests.admin_pages import change_form_data, login, save_change_page
from tests.factories import make_claim, make_question, make_study
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def with_results(question):
    finding = question.findings.first()
    StudyResult.objects.create(finding=finding, study=make_study(), effect_value=2.0,
                               effect_kind="odds_ratio", ci_low=1.0, ci_high=4.0)  # fmt: skip
    return question


@pytest.mark.parametrize("model", ["questions_question", "questions_finding"])
def test_the_lists_cost_the_same_queries_however_many_rows(superuser_client, model):
    with_results(make_question(findings=2))
    url = reverse(f"admin:{model}_changelist")
    few = count_queries(superuser_client, url)
    for _ in range(3):
        with_results(make_question(findings=2))
    assert count_queries(superuser_client, url) == few


def test_the_change_pages_render_with_the_findings_and_their_results(superuser_client):
    question = with_results(make_question(findings=2))
    page = superuser_client.get(reverse("admin:questions_question_change", args=[question.pk]))
    assert page.status_code == 200
    assert "Anxiety at 24 hours (0) (Low)" in page.content.decode()
    finding = question.findings.first()
    page = superuser_client.get(reverse("admin:questions_finding_change", args=[finding.pk]))
    assert page.status_code == 200
    assert "GRADE certainty (computed from these judgments when saved)" in page.content.decode()


def test_a_findings_certainty_is_recomputed_when_an_editor_changes_a_domain(client, editor):
    question = make_question()
    finding = question.findings.get()
    login(client, editor)
    save_change_page(client, "questions_finding", finding.pk, imprecision="serious")
    finding.refresh_from_db()
    assert finding.certainty == "very_low"


def test_an_incomplete_grading_is_refused_with_a_form_error(client, editor):
    finding = make_question().findings.get()
    login(client, editor)
    url = reverse("admin:questions_finding_change", args=[finding.pk])
    response = client.post(url, change_form_data(client.get(url), imprecision_reason=""))
    assert response.status_code == 200
    assert "Give the reason for the judgment of imprecision." in response.content.decode()


def test_saving_a_question_rewrites_what_the_search_reads(client, editor):
    question = make_question()
    claim = make_claim()
    login(client, editor)
    save_change_page(
        client, "questions_question", question.pk, population="Veterans with PTSD",
        claims=[claim.pk],
    )  # fmt: skip
    question.refresh_from_db()
    assert "Veterans with PTSD" in question.search_text
    assert list(question.claims.all()) == [claim]


def test_an_editor_publishes_and_a_reviewer_may_not(client, editor, reviewer):
    draft = make_question(status="draft")
    data = {"action": "publish", "_selected_action": [draft.pk]}
    url = reverse("admin:questions_question_changelist")
    login(client, reviewer)
    assert client.get(url).status_code == 200
    client.post(url, data)
    assert Question.objects.get(pk=draft.pk).status == Question.Status.DRAFT
    login(client, editor)
    response = client.post(url, data, follow=True)
    assert "Published: " in response.content.decode()
    assert Question.objects.get(pk=draft.pk).status == Question.Status.PUBLISHED


def test_publishing_an_incomplete_question_says_what_it_lacks(client, editor):
    empty = make_question(findings=0, status="draft")
    login(client, editor)
    response = client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "publish", "_selected_action": [empty.pk]},
        follow=True,
    )
    assert "Add at least one finding to the summary of findings." in response.content.decode()
    assert Question.objects.get(pk=empty.pk).status == Question.Status.DRAFT


def test_a_reviewer_cannot_change_or_delete_a_question(client, reviewer):
    question = make_question()
    login(client, reviewer)
    url = reverse("admin:questions_question_change", args=[question.pk])
    response = client.post(url, {"question": "Changed?"})
    assert response.status_code == 403
    assert Question.objects.get(pk=question.pk).question == question.question
    delete = reverse("admin:questions_question_delete", args=[question.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403

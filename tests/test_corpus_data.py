"""The shipped corpus: checks on the data files themselves and on what they load."""

import re
from html import escape
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, Q

from claims.models import Claim
from questions.corpus import corpus_load
from questions.models import Finding, Question
from reviews.models import Review
from safety.models import Intervention, SafetyFact
from sources.identifiers import DOI_PATTERN, PMID_PATTERN
from sources.models import Study

CORPUS = Path(settings.CORPUS_DIR)
DOCUMENT_FILES = sorted((CORPUS / "documents").glob("*.yaml"))


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", DOCUMENT_FILES, ids=lambda path: path.stem)
def test_every_quote_is_the_document_text_at_its_offsets(path):
    entry = load_yaml(path)
    text = (CORPUS / "documents" / entry["text"]).read_text(encoding="utf-8")
    assert entry["excerpts"], f"{path.name} has no excerpts"
    for excerpt in entry["excerpts"]:
        start = excerpt["start"]
        assert text[start : start + len(excerpt["quote"])] == excerpt["quote"], excerpt


def test_the_seed_texts_are_unchanged_copies():
    seeds = Path(settings.BASE_DIR).parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"no seed folder at {seeds} to compare with")
    seed_files = sorted(seeds.glob("*.txt"))
    assert len(seed_files) == 5
    for seed in seed_files:
        assert (CORPUS / "documents" / seed.name).read_bytes() == seed.read_bytes()


def test_every_identifier_is_well_formed_and_verified():
    for study in load_yaml(CORPUS / "studies.yaml"):
        sources = study.get("verified_from") or []
        sources = [sources] if isinstance(sources, str) else sources
        if study.get("doi"):
            assert re.fullmatch(DOI_PATTERN, study["doi"]), study["slug"]
        if study.get("pmid"):
            assert re.fullmatch(PMID_PATTERN, str(study["pmid"])), study["slug"]
        if study.get("doi") or study.get("pmid"):
            assert sources, f"{study['slug']} has an identifier but no verification page"
        for source in sources:
            assert re.match(r"https?://\S+", source), (study["slug"], source)


@pytest.fixture(scope="module")
def loaded_corpus(django_db_setup, django_db_blocker):
    """Load the corpus once for this module (it takes seconds), and empty the database after."""
    with django_db_blocker.unblock():
        corpus_load(directory=CORPUS)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def shipped_corpus(loaded_corpus, db):
    return None


def test_every_claim_is_quoted_and_has_a_published_review(shipped_corpus):
    claims = Claim.objects.annotate(
        excerpts_n=Count("excerpts", distinct=True),
        published_n=Count(
            "reviews", filter=Q(reviews__status=Review.Status.PUBLISHED), distinct=True
        ),
    )
    unquoted = [c.slug for c in claims if c.excerpts_n == 0]
    unreviewed = [c.slug for c in claims if c.published_n != 1]
    assert unquoted == []
    assert unreviewed == []
    assert claims.count() >= 100


def test_every_checkable_claim_has_evidence(shipped_corpus):
    graded = Claim.objects.filter(reviews__status=Review.Status.PUBLISHED).exclude(
        reviews__verdict=Review.Verdict.NOT_CHECKABLE
    )
    assert list(graded.filter(evidence_links=None).values_list("slug", flat=True)) == []


def test_not_checkable_reviews_say_why(shipped_corpus):
    for review in Review.objects.filter(verdict=Review.Verdict.NOT_CHECKABLE):
        assert len(review.rationale) > 20, review.claim.slug


def test_the_corpus_covers_every_seed_document_and_category(shipped_corpus):
    excerpts_per_document = Claim.objects.values("excerpts__document").distinct().count()
    assert excerpts_per_document == 5
    used = set(Claim.objects.values_list("category", flat=True))
    assert used >= {
        Claim.Category.ONSET,
        Claim.Category.EFFICACY,
        Claim.Category.DOSING,
        Claim.Category.SAFETY,
        Claim.Category.MECHANISM,
        Claim.Category.REGULATORY,
        Claim.Category.COMPARISON,
        Claim.Category.PREVALENCE,
    }


def test_glutamate_claims_are_linked_as_contradicting(shipped_corpus):
    blocker = Claim.objects.get(slug="ketamine-blocks-glutamate")
    assert "ketamine-increases-glutamate" in blocker.contradicts.values_list("slug", flat=True)


def test_studies_with_identifiers_keep_their_verification_page(shipped_corpus):
    with_identifier = Study.objects.exclude(doi="", pmid="")
    assert with_identifier.exists()
    assert not with_identifier.filter(verified_from="").exists()


def test_stats_print_coverage(shipped_corpus, capsys):
    call_command("load_corpus", stats=True)
    output = capsys.readouterr().out
    assert "Nothing changed." in output
    assert re.search(r"how-ketamine-is-revolutionizing-anxiety-treatment\s+\d+", output)
    assert re.search(r"Onset\s+\d+", output)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("83%", "study-2017-83-percent-gad-sad-improved"),
        ("within an hour", "study-2017-gad-sad-relief-within-one-hour"),
        ("Spravato", "spravato-is-esketamine-nasal-spray"),
        ("glutamate blocker", "ketamine-blocks-glutamate"),
    ],
)
def test_clinicians_find_the_claim_they_search_for(shipped_corpus, query, expected):
    found = list(Claim.objects.search(query).order_by("-rank").values_list("slug", flat=True))
    assert expected in found[:5], found[:5]


def test_no_public_page_shows_the_editors_working_notes(shipped_corpus, client):
    """What a study's verification pages confirmed, and what could not be verified, are
    notes for editors: a reader sees the pages checked against, and never the notes."""
    notes = set()
    for study in Study.objects.all():
        notes |= {line.strip() for line in study.unverified.splitlines() if line.strip()}
        notes |= {note for _, note in study.verification_sources if note}
    assert notes  # the corpus keeps them, for the admin
    # Reviewers' notes for the editor, and the words on each source a safety fact rests on.
    reviewer_notes = set(
        Review.objects.exclude(reviewer_notes="").values_list("reviewer_notes", flat=True)
    )
    checked = set(SafetyFact.objects.exclude(checked="").values_list("checked", flat=True))
    assert reviewer_notes and checked
    notes |= reviewer_notes | checked
    pages = [study.get_absolute_url() for study in Study.objects.public()]
    pages += [claim.get_absolute_url() for claim in Claim.objects.public()]
    pages += [profile.get_absolute_url() for profile in Intervention.objects.public()]
    pages += ["/", "/claims/", "/studies/", "/sources/", "/methodology/", "/safety/"]
    for url in pages:
        html = client.get(url).content.decode()
        shown = [note for note in notes if len(note) > 20 and escape(note) in html]
        assert shown == [], url


@pytest.mark.django_db
def test_every_claim_is_reviewed_twice_blind_and_published_by_the_adjudicating_editor():
    from reviews.agreement import agreement_table

    corpus_load(directory=CORPUS)
    for claim in Claim.objects.all():
        independent = claim.reviews.filter(contributors=None).exclude(status="published")
        assert set(independent.values_list("reviewer__username", flat=True)) == {
            "reviewer-a",
            "reviewer-b",
        }, claim.slug
        published = claim.reviews.get(status="published")
        assert published.reviewer.username == "editor", claim.slug
        assert set(published.contributors.values_list("username", flat=True)) == {
            "reviewer-a",
            "reviewer-b",
        }
    overall = agreement_table()[0]
    assert overall.claims == Claim.objects.count()
    # The figures docs/corpus.md reports.
    assert (round(overall.verdict_kappa, 2), round(overall.certainty_kappa, 2)) == (0.88, 0.82)


@pytest.mark.django_db
def test_the_sentences_the_audit_found_cut_up_are_graded_whole():
    corpus_load(directory=CORPUS)
    within_an_hour = Claim.objects.get(slug="study-2017-gad-sad-relief-within-one-hour")
    sentence = within_an_hour.carried_by
    assert (
        "83%" in sentence.excerpts.get().quote and "within an hour" in sentence.excerpts.get().quote
    )
    complete = Claim.objects.get(slug="ketamine-complete-relief-from-anxiety").excerpts.get()
    assert complete.quote.startswith("most people need a few treatments")
    assert complete.quote.endswith("to experience complete relief from anxiety symptoms")
    assert not Claim.objects.filter(slug="ketamine-course-of-several-treatments").exists()
    nasal = Claim.objects.filter(slug__endswith="given-as-iv-or-nasal-spray")
    assert {c.slug for c in nasal} == {
        "ketamine-for-anxiety-given-as-iv-or-nasal-spray",
        "ketamine-for-depression-given-as-iv-or-nasal-spray",
    }


@pytest.mark.django_db
def test_every_intervention_has_a_profile_whose_facts_all_cite_loaded_sources():
    corpus_load(directory=CORPUS)
    assert Intervention.objects.count() == 4
    for intervention in Intervention.objects.all():
        topics = set(intervention.facts.values_list("topic", flat=True))
        # Harms, contraindications or their absence, and regulatory status, for every route.
        assert {"dissociation", "bladder_urinary", "regulatory_status"} <= topics, intervention
    assert not SafetyFact.objects.filter(sources=None).exists()


# The questions the corpus must answer (issue: onset, response, duration, sessions, routes,
# approval, comparison with SSRIs and benzodiazepines, each anxiety disorder the documents
# name, each major harm of the safety profiles, cost and insurance).
REQUIRED_QUESTIONS = {
    "does-ketamine-work-within-hours", "how-many-people-respond", "how-long-does-relief-last",
    "how-many-sessions", "which-route", "is-ketamine-approved-for-anxiety",
    "compared-with-ssris", "compared-with-benzodiazepines", "generalized-anxiety-disorder",
    "social-anxiety-disorder", "ptsd", "ocd", "is-ketamine-addictive", "dissociation",
    "blood-pressure", "sedation-and-breathing", "common-side-effects", "bladder",
    "memory-and-thinking", "psychosis", "who-should-not-have-ketamine", "cost", "insurance",
}  # fmt: skip


def test_the_corpus_answers_the_questions_patients_ask(shipped_corpus):
    questions = Question.objects.public()
    assert REQUIRED_QUESTIONS <= set(questions.values_list("slug", flat=True))
    assert questions.count() == 24
    assert Finding.objects.count() == 71
    for question in questions.prefetch_related("findings"):
        assert question.publication_errors() == [], question.slug
        for finding in question.findings.all():
            assert finding.certainty == finding.graded_certainty(), finding


def test_every_clinical_claim_is_linked_to_the_question_it_makes_an_assertion_about(
    shipped_corpus,
):
    clinical = Claim.objects.exclude(
        category__in=[Claim.Category.MECHANISM, Claim.Category.PREVALENCE, Claim.Category.OTHER]
    ).exclude(slug="ketamine-works-differently-from-other-treatments")  # a mechanism claim
    assert not clinical.filter(questions__isnull=True).exists()

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve, reverse

from reviews.models import EvidenceLink, Review
from sources.models import Study
from tests.factories import make_evidence_link, make_excerpt, make_review, make_study
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def cited(study, stance=EvidenceLink.Stance.SUPPORTS, status=Review.Status.PUBLISHED):
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=status)
    return make_evidence_link(claim=excerpt.claim, study=study, stance=stance, note="How used.")


def test_study_page_shows_citation_identifiers_and_every_claim_using_it(client):
    study = make_study(
        title="Ketamine's dose-related effects",
        doi="10.1177/0269881117705089",
        pmid="28441895",
        verified_from="https://pubmed.ncbi.nlm.nih.gov/28441895/ (abstract)",
        unverified="Author list from a secondary page.",
    )
    fair = cited(study)
    misused = cited(study, stance=EvidenceLink.Stance.MISREPRESENTED)
    hidden = cited(study, status=Review.Status.DRAFT)
    html = client.get(study.get_absolute_url()).content.decode()
    assert "https://doi.org/10.1177/0269881117705089" in html
    assert "https://pubmed.ncbi.nlm.nih.gov/28441895/" in html
    # Checked against: the pages, by site; what each confirmed and what was not verified
    # are the editors' working notes.
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/28441895/" rel="nofollow noopener">' in html
    assert ">pubmed.ncbi.nlm.nih.gov</a>" in html
    assert "(abstract)" not in html
    assert "Author list from a secondary page." not in html
    assert fair.claim.statement in html and misused.claim.statement in html
    assert "Misrepresented by the source" in html
    assert hidden.claim.statement not in html


def test_study_page_links_the_pmc_record_trial_registration_and_label_version(client):
    trial = make_study(pmcid="PMC6551577", registry_id="NCT02493868")
    html = client.get(trial.get_absolute_url()).content.decode()
    assert '<a href="https://pmc.ncbi.nlm.nih.gov/articles/PMC6551577/">PMC6551577</a>' in html
    assert '<a href="https://clinicaltrials.gov/study/NCT02493868">NCT02493868</a>' in html
    label = make_study(
        design=Study.Design.REGULATORY,
        label_version="18",
        label_effective_date=date(2026, 3, 13),
        registry_id="ISRCTN12345678",
    )
    html = client.get(label.get_absolute_url()).content.decode()
    assert 'Version 18, effective <time datetime="2026-03-13">13 March 2026</time>' in html
    # A registry other than ClinicalTrials.gov is named, not linked.
    assert "<dd>ISRCTN12345678</dd>" in html


@pytest.mark.parametrize(
    ("field", "value"), [("pmcid", "6551577"), ("pmcid", "PMCX"), ("registry_id", "02493868")]
)
def test_a_malformed_pmcid_or_registry_number_is_refused(field, value):
    study = make_study()
    setattr(study, field, value)
    with pytest.raises(ValidationError) as error:
        study.full_clean()
    assert field in error.value.message_dict


def test_retracted_studies_are_marked(client):
    study = make_study(is_retracted=True, retraction_note="Data could not be verified.")
    html = client.get(study.get_absolute_url()).content.decode()
    assert "Retracted" in html and "Data could not be verified." in html


def test_study_list_counts_published_claims_and_filters_by_design(client):
    trial = make_study(title="A crossover trial", design=Study.Design.CROSSOVER_TRIAL)
    label = make_study(title="A drug label", design=Study.Design.REGULATORY)
    cited(trial)
    cited(trial, status=Review.Status.DRAFT)
    html = client.get(reverse("studies:list")).content.decode()
    assert "A crossover trial" in html and "1 claim" in html
    filtered = client.get(reverse("studies:list"), {"design": "regulatory"}).content.decode()
    assert label.title in filtered and trial.title not in filtered


def test_study_pages_queries_do_not_grow_with_rows(client):
    study = make_study()
    cited(study)
    detail = count_queries(client, study.get_absolute_url())
    assert detail == 2  # the study; its links with their claims and citing documents
    listing = count_queries(client, reverse("studies:list"))
    assert listing == 2  # the page of studies (with their stored counts); the total
    for _ in range(4):
        cited(study)
        cited(make_study())
    assert count_queries(client, study.get_absolute_url()) == detail
    assert count_queries(client, reverse("studies:list")) == listing


def test_study_list_pages_hold_each_study_once_in_order(client):
    Study.objects.bulk_create(
        Study(
            slug=f"study-{n:03d}",
            title=f"Study {n:03d}",
            year=2000 + n % 3,
            design=Study.Design.RANDOMIZED_TRIAL if n % 2 else Study.Design.GUIDELINE,
        )
        for n in range(112)
    )
    expected = list(Study.objects.for_list().values_list("title", flat=True))

    def titles(**params):
        response = client.get(reverse("studies:list"), params)
        assert response.status_code == 200
        return re.findall(r'<a href="/studies/\d+/">(Study \d+)</a>', response.content.decode())

    pages = [titles(page=n) for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [50, 50, 12]
    assert sum(pages, []) == expected
    assert client.get(reverse("studies:list"), {"page": 4}).status_code == 404
    guidelines = list(
        Study.objects.for_list().filter(design="guideline").values_list("title", flat=True)
    )
    assert titles(design="guideline", page=2) == guidelines[50:]


def test_a_study_id_beyond_any_key_matches_no_page():
    with pytest.raises(Resolver404):
        resolve("/studies/9223372036854775808/")
    assert resolve("/studies/9223372036854775807/").kwargs == {"pk": 2**63 - 1}


def test_a_study_id_beyond_bigint_is_not_found(client):
    response = client.get("/studies/9999999999999999999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sources.fingerprints import fingerprint
from sources.models import Document, Study, body_sha256
from tests.factories import edited, make_document, make_excerpt, make_study, seed_page

pytestmark = pytest.mark.django_db


def test_it_stores_the_sha256_of_the_body():
    document = make_document(body="Ketamine works within hours.")
    assert document.sha256 == body_sha256("Ketamine works within hours.")
    assert len(document.sha256) == 64


def test_it_rejects_the_same_text_stored_twice():
    first = make_document(body="Same words.")
    twin = Document(title="Copy", slug="copy", body="Same words.")
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert f"already stored as “{first.title}”" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_it_rejects_an_empty_body():
    with pytest.raises(ValidationError) as error:
        Document(title="Empty", slug="empty", body="   ").full_clean()
    assert "no text" in str(error.value)


def test_the_body_is_editable_until_an_excerpt_points_into_it():
    document = make_document(body="Ketamine works within hours.")
    document.body = "Ketamine works within minutes."
    document.full_clean()
    document.save()
    make_excerpt(document=document, quote="within minutes")
    document.body = "Ketamine works within days."
    with pytest.raises(ValidationError) as error:
        document.full_clean()
    assert "cannot be changed" in str(error.value)
    with pytest.raises(ValidationError):
        document.save()
    document.refresh_from_db()
    assert document.body == "Ketamine works within minutes."


def test_other_fields_stay_editable_once_excerpted():
    excerpt = make_excerpt()
    document = excerpt.document
    document.title = "A better title"
    document.full_clean()
    document.save()
    assert Document.objects.get(pk=document.pk).title == "A better title"


@pytest.mark.parametrize(
    "entered",
    [
        "10.1177/0269881117705089",
        "10.1177/0269881117705089 ",
        "https://doi.org/10.1177/0269881117705089",
        "https://dx.doi.org/10.1177/0269881117705089",
        "doi:10.1177/0269881117705089",
        "DOI: 10.1177/0269881117705089",
        "10.1177/0269881117705089".upper(),
    ],
)
def test_it_normalizes_a_doi(entered):
    study = Study(slug="s", title="T", design=Study.Design.OPEN_LABEL_TRIAL, doi=entered)
    study.full_clean()
    assert study.doi == "10.1177/0269881117705089"


@pytest.mark.parametrize(
    "entered", ["10.11/x", "11.1177/abc", "10.1177", "not a doi", "10.1177/a b"]
)
def test_it_rejects_a_malformed_doi(entered):
    study = Study(slug="s", title="T", design=Study.Design.OPEN_LABEL_TRIAL, doi=entered)
    with pytest.raises(ValidationError) as error:
        study.full_clean()
    assert "doi" in error.value.message_dict


def test_the_database_refuses_a_malformed_doi():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_study(doi="garbage")


def test_saving_normalizes_identifiers_even_without_validation():
    study = make_study(doi="https://doi.org/10.1177/ABC", pmid="PMID: 42")
    study.refresh_from_db()
    assert (study.doi, study.pmid) == ("10.1177/abc", "42")


@pytest.mark.parametrize("entered", ["28441895", " 28441895 ", "PMID: 28441895", "pmid:28441895"])
def test_it_normalizes_a_pmid(entered):
    study = Study(slug="s", title="T", design=Study.Design.OPEN_LABEL_TRIAL, pmid=entered)
    study.full_clean()
    assert study.pmid == "28441895"


@pytest.mark.parametrize("entered", ["0123", "12a45", "1234567890", "-5"])
def test_it_rejects_a_malformed_pmid(entered):
    study = Study(slug="s", title="T", design=Study.Design.OPEN_LABEL_TRIAL, pmid=entered)
    with pytest.raises(ValidationError) as error:
        study.full_clean()
    assert "pmid" in error.value.message_dict


def test_the_database_refuses_a_malformed_pmid():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_study(pmid="12x")


def test_identifiers_are_unique_only_when_present():
    make_study(doi="", pmid="")
    make_study(doi="", pmid="")
    make_study(doi="10.1000/abc", pmid="123")
    duplicate = Study(slug="dup", title="Dup", design=Study.Design.GUIDELINE, doi="10.1000/ABC")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "doi" in str(error.value).lower()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_study(pmid="123")


def test_a_retraction_note_needs_the_retracted_flag():
    study = make_study()
    study.retraction_note = "Data fabricated."
    with pytest.raises(ValidationError) as error:
        study.full_clean()
    assert "retraction_note" in error.value.message_dict
    study.is_retracted = True
    study.full_clean()


def test_it_names_a_study_by_first_author_and_year():
    study = make_study(authors="Glue P, Medlicott NJ", year=2017, title="Dose effects")
    assert str(study) == "Glue P 2017: Dose effects"
    assert study.doi_url == ""
    study.doi, study.pmid = "10.1/x", "1"
    assert study.doi_url == "https://doi.org/10.1/x"
    assert study.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/1/"


def test_verification_sources_are_urls_with_optional_notes():
    study = make_study(
        verified_from="https://pubmed.ncbi.nlm.nih.gov/1/\nhttps://example.org/a (authors)\n"
    )
    study.full_clean()
    assert study.verification_sources == [
        ("https://pubmed.ncbi.nlm.nih.gov/1/", ""),
        ("https://example.org/a", "(authors)"),
    ]
    study.verified_from = "authors from https://example.org/a"
    with pytest.raises(ValidationError) as error:
        study.full_clean()
    assert "Line 1 does not start with a web address" in str(error.value)


def test_saving_keeps_the_fingerprint_of_the_body():
    document = make_document(body=seed_page(0))
    assert document.fingerprint == fingerprint(seed_page(0))
    document.title = "Renamed"
    document.save()
    assert document.fingerprint == fingerprint(seed_page(0))
    document.body = seed_page(1)
    document.full_clean()
    document.save()
    document.refresh_from_db()
    assert document.fingerprint == fingerprint(seed_page(1))


def test_it_finds_the_documents_whose_wording_is_alike_from_their_fingerprints():
    original = make_document(body=seed_page(0))
    newer = make_document(body=edited(seed_page(0)), supersedes=original)
    make_document(body=seed_page(1))
    near = Document.objects.near_duplicates(fingerprint(edited(edited(seed_page(0)))))
    assert [n.document for n in near] == [newer, original]  # most alike first
    assert near[0].similarity > near[1].similarity >= 0.9
    assert near[1].document.newer_version == newer and near[0].document.newer_version is None
    assert Document.objects.near_duplicates(fingerprint(seed_page(2))) == []


def test_a_page_has_at_most_one_newer_version():
    original = make_document(body=seed_page(0))
    make_document(title="Version 2", body=edited(seed_page(0)), supersedes=original)
    rival = Document(title="Rival", slug="rival", body=seed_page(2), supersedes=original)
    with pytest.raises(ValidationError) as error:
        rival.full_clean()
    assert "already has a newer version, “Version 2”" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        rival.save()


def test_a_page_is_never_an_older_version_of_itself():
    first = make_document(body=seed_page(0))
    second = make_document(body=seed_page(1), supersedes=first)
    first.supersedes = first
    with pytest.raises(ValidationError, match="older version of itself"):
        first.full_clean()
    first.supersedes = second  # a loop through another version
    with pytest.raises(ValidationError, match="older version of itself"):
        first.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=first.pk).update(supersedes=first)


def test_a_study_is_cited_in_tables_by_first_author_and_year_or_its_title():
    assert Study(authors="Glue P, Neehoff S", year=2017, title="T").short_citation == "Glue 2017"
    assert Study(authors="Janssen", year=None, title="T").short_citation == "Janssen"
    label = Study(
        authors="", title="SPRAVATO (esketamine) nasal spray: highlights of prescribing info"
    )
    assert label.short_citation == "SPRAVATO (esketamine) nasal spray: highlights of prescribin…"
    assert Study(authors="", title="Ketamine label").short_citation == "Ketamine label"


def test_a_page_sent_by_a_reader_is_not_public():
    kept = make_document()
    sent = make_document(status=Document.Status.PROPOSED)
    assert list(Document.objects.public()) == [kept]
    assert sent in Document.objects.all()

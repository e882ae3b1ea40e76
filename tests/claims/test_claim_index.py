import os

import pytest

from claims import claim_index as claim_index_module
from claims.claim_index import ClaimIndex, build_claim_index, claim_index, forget_claim_index
from claims.models import Claim
from config.generation import site_changed
from reviews.services import claims_refresh_derived
from tests.factories import make_claim, make_document, make_excerpt

pytestmark = pytest.mark.django_db

BLOOD_PRESSURE = "Ketamine raises blood pressure during the infusion."
BLADDER = "Frequent ketamine use damages the bladder."


def best(sentence: str) -> list[str]:
    return [match.claim for match in claim_index().best_for_each([sentence])[0]]


@pytest.fixture
def fits(monkeypatch):
    """How many times the matcher is fitted on the database."""
    calls = []
    fit = ClaimIndex.fit.__func__

    def counted(cls):
        calls.append(1)
        return fit(cls)

    monkeypatch.setattr(ClaimIndex, "fit", classmethod(counted))
    return calls


def test_the_index_is_fitted_once_and_reused_while_nothing_changes(fits):
    make_claim(slug="blood-pressure", statement=BLOOD_PRESSURE)
    assert best("Blood pressure goes up during an infusion.") == ["blood-pressure"]
    assert best("Does it raise blood pressure?") == ["blood-pressure"]
    assert len(fits) == 1


def test_a_claim_added_later_is_matched_without_refitting(fits):
    make_claim(slug="blood-pressure", statement=BLOOD_PRESSURE)
    assert best("It can damage the bladder.") == []
    make_claim(slug="bladder", statement=BLADDER)
    site_changed()
    assert best("It can damage the bladder.")[:1] == ["bladder"]
    assert len(fits) == 1


def test_a_changed_statement_is_matched_by_its_new_words_only(fits):
    claim = make_claim(slug="effect", statement=BLOOD_PRESSURE)
    assert best("blood pressure rises") == ["effect"]
    claim.statement = "Ketamine lifts mood within hours of the infusion."
    claim.save()
    claims_refresh_derived(claim_ids=[claim.pk])
    site_changed()
    assert best("blood pressure rises") == []
    assert best("mood lifts within hours") == ["effect"]
    assert len(fits) == 1


def test_a_quote_filed_under_a_claim_is_matched(fits):
    claim = make_claim(slug="bladder", statement=BLADDER)
    make_claim(slug="blood-pressure", statement=BLOOD_PRESSURE)
    assert best("urinary problems") == []
    document = make_document(body="Long-term use can cause urinary problems in some people.")
    make_excerpt(document=document, claim=claim, quote="can cause urinary problems")
    site_changed()
    assert best("urinary problems")[:1] == ["bladder"]


def test_a_renamed_claim_is_matched_under_its_new_slug():
    claim = make_claim(slug="old-name", statement=BLADDER)
    assert best("damages the bladder") == ["old-name"]
    claim.slug = "new-name"
    claim.save()
    claims_refresh_derived(claim_ids=[claim.pk])
    site_changed()
    assert best("damages the bladder") == ["new-name"]


def test_a_deleted_claim_is_forgotten():
    make_claim(slug="bladder", statement=BLADDER)
    make_claim(slug="blood-pressure", statement=BLOOD_PRESSURE)
    assert best("damages the bladder") == ["bladder"]
    Claim.objects.filter(slug="bladder").delete()
    site_changed()
    assert best("damages the bladder") == []


def test_a_change_stamped_before_the_last_look_but_committed_after_it_is_seen(monkeypatch):
    """A transaction stamps a claim at its write and commits later: the look-back margin
    still finds it after a look in between."""
    claim = make_claim(slug="effect", statement=BLOOD_PRESSURE)
    index = claim_index()
    stamped_at = Claim.objects.get(pk=claim.pk).texts_changed_at
    claim.statement = BLADDER
    claim.save()
    Claim.objects.filter(pk=claim.pk).update(texts_changed_at=stamped_at)  # the old stamp
    index.stamps[claim.pk] = None  # ... which this index had not read
    index.looked_at = stamped_at + claim_index_module.CHANGE_MARGIN / 2
    site_changed()
    assert best("damages the bladder") == ["effect"]


def test_the_index_is_written_once_and_read_by_another_process(settings, tmp_path, fits):
    settings.CLAIM_INDEX_PATH = str(tmp_path / "claim-index.joblib")
    make_claim(slug="bladder", statement=BLADDER)
    build_claim_index()
    forget_claim_index()  # as a new worker starts
    assert best("damages the bladder") == ["bladder"]
    assert len(fits) == 1


def test_a_newer_file_replaces_the_index_in_every_process(settings, tmp_path):
    path = tmp_path / "claim-index.joblib"
    settings.CLAIM_INDEX_PATH = str(path)
    make_claim(slug="bladder", statement=BLADDER)
    first = claim_index()
    refit = ClaimIndex.fit()
    refit.save(path)
    os.utime(path, (first.file_mtime + 10, first.file_mtime + 10))
    assert claim_index() is not first


def test_an_index_of_another_database_is_fitted_anew(settings, tmp_path, fits):
    path = tmp_path / "claim-index.joblib"
    settings.CLAIM_INDEX_PATH = str(path)
    make_claim(slug="bladder", statement=BLADDER)
    foreign = ClaimIndex.fit()
    foreign.database = "postgresql:another"
    foreign.save(path)
    fits.clear()
    assert best("damages the bladder") == ["bladder"]
    assert len(fits) == 1


def test_a_damaged_file_is_fitted_anew(settings, tmp_path):
    path = tmp_path / "claim-index.joblib"
    path.write_bytes(b"not an index")
    settings.CLAIM_INDEX_PATH = str(path)
    make_claim(slug="bladder", statement=BLADDER)
    assert best("damages the bladder") == ["bladder"]


def test_an_empty_database_gives_no_matches_then_indexes_the_first_claim():
    assert best("damages the bladder") == []
    make_claim(slug="bladder", statement=BLADDER)
    site_changed()
    assert best("damages the bladder") == ["bladder"]

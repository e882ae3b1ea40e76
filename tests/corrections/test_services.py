import pytest
from django.core.exceptions import ValidationError

from config.generation import site_generation
from corrections.models import Correction
from corrections.services import correction_report, correction_settle
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

S = Correction.Status


def test_a_report_names_its_page_and_keeps_the_text_as_written():
    claim = make_claim(statement="Ketamine works in minutes.")
    correction = correction_report(
        subject=claim, page_path=claim.get_absolute_url(), report="  Wrong onset.  "
    )
    assert (correction.subject, correction.page_title, correction.report) == (
        claim, "Ketamine works in minutes.", "Wrong onset."
    )  # fmt: skip


def test_settling_dates_a_correction_once_and_retires_the_cached_log(editor):
    claim = make_claim()
    correction = correction_report(subject=claim, page_path="/x/", report="Wrong onset.")
    before = site_generation()
    correction_settle(correction=correction, by=editor, status=S.CHECKING)
    assert site_generation() == before  # nothing public changed
    correction_settle(correction=correction, by=editor, status=S.CORRECTED, what_changed="Fixed.")
    first_date = correction.corrected_at
    assert first_date is not None and correction.handled_by == editor
    assert site_generation() != before
    correction_settle(correction=correction, by=editor, status=S.CORRECTED, what_changed="Fixed!")
    assert Correction.objects.get().corrected_at == first_date
    correction_settle(correction=correction, by=editor, status=S.NO_ERROR)
    assert Correction.objects.get().corrected_at is None
    assert not Correction.objects.public_log().exists()


def test_a_correction_without_what_changed_is_refused_and_nothing_is_saved(editor):
    correction = correction_report(subject=make_claim(), page_path="/x/", report="Wrong onset.")
    with pytest.raises(ValidationError):
        correction_settle(correction=correction, by=editor, status=S.CORRECTED)
    assert Correction.objects.get().status == S.RECEIVED

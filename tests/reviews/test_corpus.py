from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from claims.models import Claim, Excerpt
from reviews.corpus import CorpusError, corpus_load
from reviews.models import EvidenceLink, Review
from sources.models import Document, Study

pytestmark = pytest.mark.django_db

TEXT_A = "Ketamine brings relief within hours. Most people need six infusions."
TEXT_B = "Ketamine is a potent glutamate blocker. Relief comes within hours."


def write_corpus(folder: Path, *, studies=None, claims=None, documents=None) -> Path:
    (folder / "documents").mkdir(parents=True)
    if studies is not None:
        (folder / "studies.yaml").write_text(yaml.safe_dump(studies), encoding="utf-8")
    if claims is not None:
        (folder / "claims.yaml").write_text(yaml.safe_dump(claims), encoding="utf-8")
    for name, (text, entry) in (documents or {}).items():
        (folder / "documents" / f"{name}.txt").write_text(text, encoding="utf-8")
        entry = {"text": f"{name}.txt", **entry}
        (folder / "documents" / f"{name}.yaml").write_text(yaml.safe_dump(entry), encoding="utf-8")
    return folder


def excerpt(text: str, claim: str, quote: str) -> dict:
    return {"claim": claim, "quote": quote, "start": text.index(quote)}


def small_corpus(folder: Path) -> Path:
    studies = [
        {
            "slug": "glue-2017-dose",
            "title": "Dose-related effects",
            "authors": "Glue P",
            "year": 2017,
            "design": "open_label_trial",
            "doi": "10.1177/0269881117705089",
            "pmid": "28441895",
            "sample_size": 12,
            "url": "https://pubmed.ncbi.nlm.nih.gov/28441895/",
        }
    ]
    claims = [
        {
            "slug": "relief-within-hours",
            "statement": "Ketamine relieves anxiety within hours.",
            "category": "onset",
            "value_low": 1,
            "value_high": 24,
            "unit": "hours",
            "evidence": [
                {
                    "study": "glue-2017-dose",
                    "stance": "partly_supports",
                    "directness": "partly_indirect",
                    "note": "Subcutaneous dosing in 12 people.",
                    "cited_by": "page-b",
                    "outcome": "responders",
                    "timepoint": "1 week",
                    "participants": 12,
                    "effect_value": 10,
                    "effect_kind": "count",
                    "route_dose": "subcutaneous 0.25–1 mg/kg",
                }
            ],
            "review": {
                "verdict": "partly_supported",
                "certainty": "very_low",
                "evidence_design": "non_randomized",
                "design_reason": "One open-label trial.",
                "risk_of_bias": "very_serious",
                "risk_of_bias_reason": "No control group, no blinding.",
                "inconsistency": "not_serious",
                "inconsistency_reason": "A single study: consistency cannot be judged.",
                "indirectness": "not_serious",
                "indirectness_reason": "Refractory anxiety, as the claim says.",
                "imprecision": "serious",
                "imprecision_reason": "12 patients.",
                "publication_bias": "not_serious",
                "publication_bias_reason": "Registered before it began.",
                "rationale": "One open-label trial of 12.",
                "summary": "Some people felt better within an hour in one small study.",
            },
        },
        {
            "slug": "six-infusions",
            "statement": "Most patients need six infusions.",
            "category": "dosing",
            "value_low": 6,
            "unit": "sessions",
            "contradicts": ["glutamate-blocker"],
        },
        {
            "slug": "glutamate-blocker",
            "statement": "Ketamine blocks glutamate.",
            "category": "mechanism",
            "review": {"verdict": "not_checkable", "rationale": "r", "summary": "s"},
        },
    ]
    documents = {
        "page-a": (
            TEXT_A,
            {
                "slug": "page-a",
                "title": "Page A",
                "kind": "clinic_page",
                "excerpts": [
                    excerpt(TEXT_A, "relief-within-hours", "relief within hours"),
                    excerpt(TEXT_A, "six-infusions", "Most people need six infusions"),
                ],
            },
        ),
        "page-b": (
            TEXT_B,
            {
                "slug": "page-b",
                "title": "Page B",
                "publisher": "B Clinic",
                "kind": "blog_post",
                "published": "2024-05-01",
                "excerpts": [
                    excerpt(TEXT_B, "glutamate-blocker", "a potent glutamate blocker"),
                    excerpt(TEXT_B, "relief-within-hours", "Relief comes within hours"),
                ],
            },
        ),
    }
    return write_corpus(folder, studies=studies, claims=claims, documents=documents)


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Document, Study, Claim, Excerpt, EvidenceLink, Review)
    }


def test_it_loads_a_corpus(tmp_path):
    report = corpus_load(directory=small_corpus(tmp_path))
    assert table_counts() == {
        "Document": 2, "Study": 1, "Claim": 3, "Excerpt": 4, "EvidenceLink": 1, "Review": 2,
    }  # fmt: skip
    assert report.created["excerpts"] == 4
    claim = Claim.objects.get(slug="relief-within-hours")
    assert claim.figure == "1–24 hours"
    assert claim.excerpts.values("document").distinct().count() == 2
    review = claim.reviews.get()
    assert (review.status, review.certainty) == (Review.Status.PUBLISHED, Review.Certainty.VERY_LOW)
    assert review.downgrades == [("risk of bias", "Very serious"), ("imprecision", "Serious")]
    link = claim.evidence_links.get()
    assert link.cited_by.slug == "page-b"
    assert (link.measured_figure, link.timepoint, link.route_dose) == (
        "10 of 12",
        "1 week",
        "subcutaneous 0.25–1 mg/kg",
    )
    assert list(Claim.objects.get(slug="glutamate-blocker").contradicts.all()) == [
        Claim.objects.get(slug="six-infusions")
    ]
    assert Document.objects.get(slug="page-b").published_on.isoformat() == "2024-05-01"


def test_loading_twice_changes_nothing(tmp_path):
    folder = small_corpus(tmp_path)
    corpus_load(directory=folder)
    before = table_counts()
    stamps = list(Review.objects.values_list("pk", "updated_at"))
    report = corpus_load(directory=folder)
    assert not report.changed
    assert table_counts() == before
    assert list(Review.objects.values_list("pk", "updated_at")) == stamps


def test_a_changed_review_is_published_and_the_old_one_superseded(tmp_path):
    folder = small_corpus(tmp_path)
    corpus_load(directory=folder)
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    claims[0]["review"]["verdict"] = "misleading"
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims))
    corpus_load(directory=folder)
    statuses = dict(
        Review.objects.filter(claim__slug="relief-within-hours").values_list("verdict", "status")
    )
    assert statuses == {"partly_supported": "superseded", "misleading": "published"}


def test_a_load_stores_each_claims_verdict_counts_and_search_text(tmp_path):
    corpus_load(directory=small_corpus(tmp_path))
    claim = Claim.objects.get(slug="relief-within-hours")
    assert (claim.verdict, claim.document_count) == ("partly_supported", 2)
    assert "Relief comes within hours" in claim.search_text
    assert Study.objects.get().claim_count == 1
    assert Document.objects.get(slug="page-a").excerpt_count == 2


def test_a_study_the_corpus_now_marks_retracted_flags_its_claims(tmp_path):
    folder = small_corpus(tmp_path)
    corpus_load(directory=folder)
    studies = yaml.safe_load((folder / "studies.yaml").read_text())
    studies[0].update(is_retracted=True, retraction_note="Data could not be verified.")
    (folder / "studies.yaml").write_text(yaml.safe_dump(studies))
    corpus_load(directory=folder)
    flagged = Claim.objects.exclude(rereview_reason="")
    assert list(flagged.values_list("slug", flat=True)) == ["relief-within-hours"]
    assert "retracted" in flagged.get().rereview_reason


def break_first_quote_of_page_b(folder: Path) -> None:
    path = folder / "documents" / "page-b.yaml"
    entry = yaml.safe_load(path.read_text())
    entry["excerpts"][0]["start"] += 1
    path.write_text(yaml.safe_dump(entry))


def test_a_wrong_quote_fails_naming_file_and_entry_and_loads_nothing(tmp_path):
    folder = small_corpus(tmp_path)
    break_first_quote_of_page_b(folder)
    with pytest.raises(CorpusError) as error:
        corpus_load(directory=folder)
    message = str(error.value)
    assert "documents/page-b.yaml, entry 1 (glutamate-blocker)" in message
    assert "is not the document's text" in message
    assert set(table_counts().values()) == {0}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c[0]["evidence"][0].update(study="nobody-1999"), "unknown study 'nobody-1999'"),
        (lambda c: c.append(dict(c[1])), "entry 4 (six-infusions): duplicate claim slug"),
        (lambda c: c[1].update(category="vibes"), "category: Value 'vibes' is not a valid"),
        (lambda c: c[1].update(colour="red"), "unknown claim field(s): colour"),
        (lambda c: c[1].update(contradicts=["nope"]), "unknown claim 'nope'"),
        # A certainty above what the judgments allow, or none at all, is refused.
        (
            lambda c: c[0]["review"].update(certainty="high"),
            "certainty: GRADE gives very_low for these judgments (Starting level non-randomized "
            "studies (+0); risk of bias very serious (-2); inconsistency not serious (+0); "
            "indirectness not serious (+0); imprecision serious (-1); publication bias not "
            "serious (+0)), not high.",
        ),
        (lambda c: c[0]["review"].pop("certainty"), "GRADE gives very_low for these"),
        (
            lambda c: c[0]["evidence"][0].update(ci_low=20, ci_high=30),
            "ci_low: The effect must lie within its confidence interval.",
        ),
        (
            lambda c: c[0]["review"].pop("imprecision_reason"),
            "imprecision_reason: Give the reason for the judgment of imprecision.",
        ),
    ],
)
def test_a_bad_claim_entry_fails_with_its_reason_and_loads_nothing(tmp_path, change, expected):
    folder = small_corpus(tmp_path)
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    change(claims)
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims))
    with pytest.raises(CorpusError) as error:
        corpus_load(directory=folder)
    assert "claims.yaml" in str(error.value)
    assert expected in str(error.value)
    assert set(table_counts().values()) == {0}


def test_a_duplicate_excerpt_or_malformed_study_fails(tmp_path):
    folder = small_corpus(tmp_path)
    path = folder / "documents" / "page-a.yaml"
    entry = yaml.safe_load(path.read_text())
    entry["excerpts"].append(dict(entry["excerpts"][0]))
    path.write_text(yaml.safe_dump(entry))
    with pytest.raises(CorpusError, match=r"page-a.yaml, entry 3 .*duplicate excerpt"):
        corpus_load(directory=folder)
    studies = yaml.safe_load((folder / "studies.yaml").read_text())
    studies[0]["doi"] = "doi:not-a-doi"
    (folder / "studies.yaml").write_text(yaml.safe_dump(studies))
    with pytest.raises(CorpusError, match=r"studies.yaml, entry 1 \(glue-2017-dose\): doi:"):
        corpus_load(directory=folder)


def test_invalid_yaml_names_the_file(tmp_path):
    folder = small_corpus(tmp_path)
    (folder / "claims.yaml").write_text("- slug: [unclosed\n")
    with pytest.raises(CorpusError, match="claims.yaml: not valid YAML"):
        corpus_load(directory=folder)


def test_a_dry_run_stores_nothing(tmp_path):
    report = corpus_load(directory=small_corpus(tmp_path), dry_run=True)
    assert report.created["documents"] == 2
    assert set(table_counts().values()) == {0}


def test_the_command_reports_failure_and_stats(tmp_path, capsys):
    folder = small_corpus(tmp_path)
    call_command("load_corpus", corpus=folder, stats=True)
    output = capsys.readouterr().out
    assert "excerpts: 4 created" in output
    assert "page-b" in output and "Onset" in output
    call_command("load_corpus", corpus=folder)
    assert "Nothing changed." in capsys.readouterr().out
    break_first_quote_of_page_b(folder)
    with pytest.raises(CommandError, match="Nothing was loaded. .*page-b.yaml"):
        call_command("load_corpus", corpus=folder)


def test_the_shipped_corpus_loads_and_reloads_as_a_no_op():
    corpus_load(directory=settings.CORPUS_DIR)
    assert Document.objects.count() == 5
    assert not corpus_load(directory=settings.CORPUS_DIR).changed


def add_independent_reviews(folder: Path) -> Path:
    """Two reviewers' blind reviews of relief-within-hours, and the editor's adjudication."""
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    published = claims[0]["review"]
    first = {"claim": "relief-within-hours", **published, "reviewer_notes": "Split sentence."}
    second = {
        **first,
        "verdict": "misleading",
        "imprecision": "very_serious",
        "imprecision_reason": "12 patients, no interval.",
        "certainty": "very_low",
    }
    second.pop("reviewer_notes")
    for name, reviewer, review in (("a", "reviewer-a", first), ("b", "reviewer-b", second)):
        data = {
            "reviewer": reviewer,
            "assigned_by": "editor",
            "written": "2026-11-20" if name == "a" else "2026-11-22",
            "reviews": [review],
        }
        (folder / f"reviews-{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    published.update(
        written="2026-11-25",
        adjudicated_by="editor",
        adjudication="B read the onset as overstated; one open-label study supports it in part.",
    )
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims))
    return folder


def test_independent_reviews_load_through_the_workflow_and_the_consensus_credits_them(
    tmp_path,
):
    from reviews.agreement import IN_CONFLICT, agreement_table, claim_states
    from reviews.models import Assignment

    corpus_load(directory=add_independent_reviews(small_corpus(tmp_path)))
    claim = Claim.objects.get(slug="relief-within-hours")
    assert set(Assignment.objects.values_list("reviewer__username", "assigned_by__username")) == {
        ("reviewer-a", "editor"),
        ("reviewer-b", "editor"),
    }
    submitted = claim.reviews.filter(status=Review.Status.SUBMITTED).order_by("submitted_at")
    assert [
        (r.reviewer.username, r.verdict, r.submitted_at.date().isoformat()) for r in submitted
    ] == [
        ("reviewer-a", "partly_supported", "2026-11-20"),
        ("reviewer-b", "misleading", "2026-11-22"),
    ]
    assert submitted[0].reviewer_notes == "Split sentence."
    reviewer = submitted[0].reviewer
    assert reviewer.groups.get().name == "Reviewer" and not reviewer.has_usable_password()
    consensus = claim.reviews.published().get()
    assert consensus.reviewer.username == "editor"
    assert consensus.reviewer.groups.get().name == "Editor"
    assert consensus.published_at.date().isoformat() == "2026-11-25"
    assert consensus.published_by == consensus.reviewer
    assert {u.username for u in consensus.contributors.all()} == {"reviewer-a", "reviewer-b"}
    assert consensus.adjudication.startswith("B read the onset")
    assert claim_states() == {claim.pk: IN_CONFLICT}
    overall = agreement_table()[0]
    assert (overall.claims, overall.certainty_claims) == (1, 1)
    # Reloading the same files changes nothing; the agreement does not count the consensus.
    assert not corpus_load(directory=tmp_path).changed
    assert Review.objects.filter(claim=claim).count() == 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda data: data["reviews"][0].update(claim="nope"),
            "reviews-a.yaml, entry 1 (nope): unknown claim 'nope'",
        ),
        (
            lambda data: data["reviews"].append(dict(data["reviews"][0])),
            "entry 2 (relief-within-hours): a second review of 'relief-within-hours'",
        ),
        (
            lambda data: data["reviews"][0].update(certainty="moderate"),
            "reviews-a.yaml, entry 1 (relief-within-hours): certainty: GRADE gives very_low",
        ),
        (lambda data: data.pop("written"), "reviews-a.yaml: missing 'written'"),
        (lambda data: data.update(written="soon"), "written must be a date"),
        (lambda data: data.update(colour="red"), "unknown reviewer file field(s): colour"),
    ],
)
def test_a_bad_reviewer_file_fails_with_its_reason_and_loads_nothing(tmp_path, change, expected):
    folder = add_independent_reviews(small_corpus(tmp_path))
    data = yaml.safe_load((folder / "reviews-a.yaml").read_text())
    change(data)
    (folder / "reviews-a.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(CorpusError) as error:
        corpus_load(directory=folder)
    assert expected in str(error.value)
    assert set(table_counts().values()) == {0}


def test_a_claim_reviewed_independently_needs_its_adjudicating_editor(tmp_path):
    folder = add_independent_reviews(small_corpus(tmp_path))
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    claims[0]["review"].pop("adjudicated_by")
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims))
    with pytest.raises(CorpusError, match="needs adjudicated_by"):
        corpus_load(directory=folder)


def add_safety_profile(folder: Path, facts=None) -> Path:
    profile = {
        "interventions": [
            {
                "slug": "ketamine-iv",
                "name": "Racemic ketamine by intravenous infusion",
                "drug": "racemic_ketamine",
                "route": "intravenous",
                "summary": "Given into a vein.",
            }
        ],
        "facts": facts
        if facts is not None
        else [
            {
                "interventions": ["ketamine-iv"],
                "topic": "bladder_urinary",
                "statement": "Repeated use can damage the bladder.",
                "sources": ["glue-2017-dose"],
                "checked": "Says cystitis.",
            }
        ],
    }
    (folder / "safety.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    claims[0]["interventions"] = ["ketamine-iv"]
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims))
    return folder


def test_safety_profiles_load_with_their_facts_and_the_claims_they_concern(tmp_path):
    from safety.models import Intervention, SafetyFact

    folder = add_safety_profile(small_corpus(tmp_path))
    corpus_load(directory=folder)
    intervention = Intervention.objects.get()
    fact = SafetyFact.objects.get()
    assert list(fact.interventions.all()) == [intervention]
    assert list(fact.sources.values_list("slug", flat=True)) == ["glue-2017-dose"]
    assert fact.checked == "Says cystitis."
    assert list(intervention.claims.values_list("slug", flat=True)) == ["relief-within-hours"]
    assert not corpus_load(directory=folder).changed
    # A corrected statement replaces the old one rather than sitting beside it.
    profile = yaml.safe_load((folder / "safety.yaml").read_text())
    profile["facts"][0]["statement"] = "Repeated use can inflame and scar the bladder."
    (folder / "safety.yaml").write_text(yaml.safe_dump(profile))
    corpus_load(directory=folder)
    assert list(SafetyFact.objects.values_list("statement", flat=True)) == [
        "Repeated use can inflame and scar the bladder."
    ]


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        ({"sources": ["nobody-1999"]}, "safety.yaml, entry 1 (?): fact cites unknown study"),
        ({"interventions": ["ketamine-nasal"]}, "unknown intervention 'ketamine-nasal'"),
        ({"topic": "vibes"}, "topic: Value 'vibes' is not a valid choice"),
        ({"sources": []}, "missing 'sources'"),
    ],
)
def test_a_bad_safety_fact_fails_with_its_reason_and_loads_nothing(tmp_path, fact, expected):
    good = {
        "interventions": ["ketamine-iv"],
        "topic": "driving",
        "statement": "Do not drive that day.",
        "sources": ["glue-2017-dose"],
    }
    folder = add_safety_profile(small_corpus(tmp_path), facts=[{**good, **fact}])
    with pytest.raises(CorpusError) as error:
        corpus_load(directory=folder)
    assert expected in str(error.value)
    assert set(table_counts().values()) == {0}


def test_a_fragment_graded_above_its_sentence_is_refused_at_load(tmp_path):
    folder = small_corpus(tmp_path)
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    claims[2]["carried_by"] = "relief-within-hours"  # glutamate-blocker: not checkable
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims))
    corpus_load(directory=folder)
    fragment = Claim.objects.get(slug="glutamate-blocker")
    assert fragment.carried_by.slug == "relief-within-hours"
    claims[2]["review"] = dict(claims[0]["review"], verdict="supported")
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims))
    with pytest.raises(CorpusError, match="“glutamate-blocker” is cut from the sentence graded"):
        corpus_load(directory=folder)
    assert Claim.objects.get(slug="glutamate-blocker").verdict == "not_checkable"

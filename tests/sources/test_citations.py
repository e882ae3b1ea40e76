import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sources.citations import CitationError, citations_import, parse_citations, vancouver
from sources.models import Study
from tests.factories import make_study

pytestmark = pytest.mark.django_db

RIS = """TY  - JOUR
AU  - Glue, Paul
AU  - Medlicott, Natalie J.
TI  - Ketamine's dose-related effects on anxiety symptoms
T2  - Journal of Psychopharmacology
PY  - 2017
DO  - 10.1177/0269881117705089
ER  - 

TY  - JOUR
AU  - Taylor, Jerome H
TI  - Ketamine for social anxiety disorder
T2  - Neuropsychopharmacology
PY  - 2018
ER  - 
"""
BIBTEX = """@article{irwin2013,
  author = {Irwin, Scott A. and Iglewicz, Alana},
  title = {Daily oral ketamine for the treatment of depression and anxiety},
  journal = {Journal of Palliative Medicine},
  year = {2013},
  pmid = {23805864}
}"""
MEDLINE = """PMID- 28441895
TI  - Ketamine's dose-related effects on anxiety symptoms in patients with treatment
      refractory anxiety disorders.
FAU - Glue, Paul
AU  - Glue P
DP  - 2017 Jun
JT  - Journal of psychopharmacology (Oxford, England)
AID - 10.1177/0269881117705089 [doi]
"""
CSL = json.dumps(
    [
        {
            "id": "whittaker2021",
            "title": "Systematic review and meta-analysis of ketamine in anxiety",
            "author": [
                {"family": "Whittaker", "given": "Eileen"},
                {"family": "Glue", "given": "Paul"},
            ],
            "issued": {"date-parts": [[2021, 11]]},
            "container-title": "Therapeutic Advances in Psychopharmacology",
            "DOI": "10.1177/20451253211056743",
        }
    ]
)


def test_vancouver_names():
    assert vancouver("Glue", "Paul James") == "Glue PJ"
    assert vancouver("Medlicott", "Natalie J.") == "Medlicott NJ"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("refs.ris", RIS, ("Glue P, Medlicott NJ", 2017, "10.1177/0269881117705089", "")),
        ("refs.bib", BIBTEX, ("Irwin SA, Iglewicz A", 2013, "", "23805864")),
        ("refs.nbib", MEDLINE, ("Glue P", 2017, "10.1177/0269881117705089", "28441895")),
        ("refs.json", CSL, ("Whittaker E, Glue P", 2021, "10.1177/20451253211056743", "")),
    ],
)
def test_each_format_is_parsed(name, data, expected):
    first = parse_citations(data, name=name)[0]
    assert (first.authors, first.year, first.doi, first.pmid) == expected
    assert first.title


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.ris", "TY  - JOUR\nTI  - Unfinished entry with no end\n", "RIS: the entry at line 1"),
        ("bad.bib", "@article{x, title = {Unclosed\n", "BibTeX: cannot parse the entry at line 1"),
        ("bad.nbib", "PMID- 1\nthis is not medline\n", "MEDLINE: line 2"),
        ("bad.json", '[{"title": "x",}]', "CSL-JSON: line 1"),
        ("notitle.json", '[{"id": "a"}]', r"item 1 \(a\): no title"),
        ("empty.json", "[]", "holds no citations"),
        ("what.txt", "hello world", "Unrecognized citation format"),
    ],
)
def test_a_malformed_file_is_refused_with_the_failing_entry(name, data, message):
    with pytest.raises(CitationError, match=message):
        parse_citations(data, name=name)


def test_import_creates_then_deduplicates_by_doi_pmid_and_title():
    report = citations_import(data=RIS, name="refs.ris")
    assert len(report.created) == 2 and not report.updated
    glue = Study.objects.get(doi="10.1177/0269881117705089")
    assert glue.design == Study.Design.UNCLASSIFIED and glue.slug.startswith("glue-2017")
    # MEDLINE adds the PMID to the study found by DOI; nothing is overwritten.
    report = citations_import(data=MEDLINE, name="refs.nbib")
    assert report.updated == [glue]
    glue.refresh_from_db()
    assert (
        glue.pmid == "28441895"
        and glue.title == "Ketamine's dose-related effects on anxiety symptoms"
    )
    # The same RIS again: both found (one by DOI, one by title and year), nothing new.
    report = citations_import(data=RIS, name="refs.ris")
    assert (len(report.created), len(report.updated), len(report.skipped)) == (0, 0, 2)
    assert Study.objects.count() == 2


def test_a_file_with_one_bad_entry_imports_nothing():
    make_study(pmid="555")
    bad = json.dumps([{"id": "ok", "title": "Fine"}, {"id": "x", "title": "Bad", "PMID": "12ab"}])
    with pytest.raises(CitationError, match=r"item 2 \(x\): pmid"):
        citations_import(data=bad, name="refs.json")
    assert Study.objects.count() == 1


def test_the_command_and_the_admin_upload(tmp_path, capsys, client, reviewer):
    path = tmp_path / "refs.bib"
    path.write_text(BIBTEX)
    call_command("import_citations", str(path), "--dry-run")
    assert "would import: 1 created" in capsys.readouterr().out
    assert not Study.objects.exists()
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{x, title = {Unclosed\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_citations", str(bad))

    client.force_login(reviewer)
    url = reverse("admin:sources_study_import")
    with path.open("rb") as upload:
        response = client.post(url, {"file": upload}, follow=True)
    assert "Imported: 1 created" in response.content.decode()
    with bad.open("rb") as upload:
        response = client.post(url, {"file": upload})
    assert "Nothing was imported. BibTeX" in response.content.decode()
    assert Study.objects.count() == 1

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from claims.evaluation import evaluate_pages, labelled_sentences

CORPUS = Path(settings.CORPUS_DIR)
PAGES = CORPUS / "evaluation" / "pages"
UNSEEN_PAGES = CORPUS / "evaluation" / "pages-unseen"
labelled_sets = pytest.mark.parametrize("folder", [PAGES, UNSEEN_PAGES], ids=["dev", "unseen"])


@labelled_sets
def test_every_labelled_sentence_is_found_verbatim_in_its_page(folder):
    claims = {c["slug"] for c in yaml.safe_load((CORPUS / "claims.yaml").read_text())}
    pages = sorted(folder.glob("*.yaml"))
    assert len(pages) >= 5
    for path in pages:
        labels = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        spans = labelled_sentences(text, labels["sentences"])
        assert [text[start:end] for start, end, _ in spans] == [
            entry["text"] for entry in labels["sentences"]
        ]
        assert {e["claim"] for e in labels["sentences"]} - {""} <= claims, path.name
        assert labels["url"].startswith("https://"), path.name


@labelled_sets
def test_the_held_out_pages_appear_nowhere_else_in_the_corpus(folder):
    sites = {
        yaml.safe_load(path.read_text())["url"].split("/")[2].removeprefix("www.")
        for path in folder.glob("*.yaml")
    }
    elsewhere = [
        path for path in CORPUS.rglob("*.yaml") if "evaluation" not in path.parts
    ]  # fmt: skip
    for path in elsewhere:
        text = path.read_text(encoding="utf-8")
        assert not [site for site in sites if site in text], path


def write_page(folder: Path, text: str, sentences: list[dict]) -> None:
    (folder / "01-page.txt").write_text(text, encoding="utf-8")
    labels = {"url": "https://example.org/", "publisher": "Example", "sentences": sentences}
    (folder / "01-page.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")


def test_a_page_is_measured_for_proposal_matching_and_wrong_matches(tmp_path):
    text = (
        "Welcome to our calm clinic.\n"
        "Ketamine relieves anxiety symptoms within hours of a treatment session.\n"
        "Parking is free.\n"
    )
    write_page(
        tmp_path,
        text,
        [
            {"text": "Welcome to our calm clinic.", "checkworthy": False, "claim": ""},
            {
                "text": "Ketamine relieves anxiety symptoms within hours of a treatment session.",
                "checkworthy": True,
                "claim": "ketamine-relieves-anxiety-within-hours",
            },
            {"text": "Parking is free.", "checkworthy": False, "claim": ""},
        ],
    )
    figures = evaluate_pages(tmp_path, CORPUS, threshold=0.5)
    assert (figures.pages, figures.sentences, figures.checkworthy) == (1, 3, 1)
    assert figures.recall == 1.0 and figures.precision == 1.0
    assert figures.top1 == 1.0 and figures.shown == 1 and figures.wrong_match_rate == 0.0


def test_a_sentence_missing_from_its_page_is_refused():
    with pytest.raises(ValueError, match="not in the page"):
        labelled_sentences("One sentence.", [{"text": "Another sentence."}])


def test_the_command_reports_the_held_out_figures_against_their_targets(capsys):
    call_command("evaluate_ingestion", "--pages")
    output = capsys.readouterr().out
    assert "(target ≥ 0.9)" in output and "wrong matches shown" in output


def test_no_site_is_in_both_labelled_sets():
    def sites(folder):
        return {
            yaml.safe_load(path.read_text())["url"].split("/")[2].removeprefix("www.")
            for path in folder.glob("*.yaml")
        }

    assert sites(PAGES) and sites(UNSEEN_PAGES)
    assert not sites(PAGES) & sites(UNSEEN_PAGES)

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.evaluation import evaluate, evaluate_pages
from claims.matching import SHOWN_MATCH

TARGETS = {"precision": 0.6, "recall": 0.9, "top3": 0.8}
# On pages the corpus has never seen (corpus/evaluation/pages): what a reader's page check
# must reach. F1 above Full Fact's published check-worthiness classifier (0.83).
PAGE_TARGETS = {
    "precision": 0.75, "recall": 0.9, "f1": 0.83, "top1": 0.75, "top3": 0.9,
}  # fmt: skip
WRONG_MATCH_TARGET = 0.05
# The labelled page sets (corpus/evaluation/<folder>): the pages the matcher was developed
# on, and pages labelled afterwards that no rule or weight was ever tuned on.
PAGE_SETS = {"development": "pages", "unseen": "pages-unseen"}


class Command(BaseCommand):
    help = "Precision and recall of candidate proposal and top-3 accuracy of claim matching."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=None)
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument(
            "--pages", action="store_true", help="Measure on the held-out labelled pages."
        )
        parser.add_argument("--threshold", type=float, default=SHOWN_MATCH)

    def handle(self, *args, corpus, as_json, pages, threshold, **options):
        corpus = corpus or Path(settings.CORPUS_DIR)
        if pages:
            return self.handle_pages(corpus, as_json, threshold)
        figures = evaluate(corpus)
        results = {
            "documents": figures.documents,
            "labelled excerpts": figures.labelled,
            "candidates proposed": figures.proposed,
            "precision": round(figures.precision, 3),
            "recall": round(figures.recall, 3),
            "top3": round(figures.top3, 3),
            "top1": round(figures.top1, 3),
            f"first suggestion ≥ {SHOWN_MATCH}": figures.preselected,
            "right among those": round(figures.preselected_precision, 3),
        }
        if as_json:
            self.stdout.write(json.dumps(results, indent=2))
            return
        for name, value in results.items():
            self.stdout.write(f"{name:>22}: {self.describe(name, value)}")

    def handle_pages(self, corpus: Path, as_json: bool, threshold: float) -> None:
        report = {}
        for name, folder in PAGE_SETS.items():
            if (corpus / "evaluation" / folder).is_dir():
                pages = corpus / "evaluation" / folder
                report[name] = self.page_results(evaluate_pages(pages, corpus, threshold=threshold),
                                                 threshold)  # fmt: skip
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
            return
        for name, results in report.items():
            self.stdout.write(f"{name} pages (corpus/evaluation/{PAGE_SETS[name]}):")
            for label, value in results.items():
                if label == "wrong matches shown":
                    status = "ok" if value <= WRONG_MATCH_TARGET else "ABOVE TARGET"
                    text = f"{value:.3f} (target ≤ {WRONG_MATCH_TARGET}) {status}"
                else:
                    text = self.describe(label, value, PAGE_TARGETS)
                self.stdout.write(f"{label:>32}: {text}")

    @staticmethod
    def page_results(figures, threshold: float) -> dict:
        return {
            "pages": figures.pages,
            "labelled sentences": figures.sentences,
            "check-worthy": figures.checkworthy,
            "candidates proposed": figures.proposed,
            "precision": round(figures.precision, 3),
            "recall": round(figures.recall, 3),
            "f1": round(figures.f1, 3),
            "with a known claim": figures.with_claim,
            "top1": round(figures.top1, 3),
            "top3": round(figures.top3, 3),
            f"matches shown (score ≥ {threshold})": figures.shown,
            "wrong matches shown": round(figures.wrong_match_rate, 3),
        }

    @staticmethod
    def describe(name: str, value, targets: dict = TARGETS) -> str:
        target = targets.get(name)
        if target is None:
            return f"{value:.3f}" if isinstance(value, float) else str(value)
        status = "ok" if value >= target else "BELOW TARGET"
        return f"{value:.3f} (target ≥ {target}) {status}"

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
        }
        if as_json:
            self.stdout.write(json.dumps(results, indent=2))
            return
        for name, value in results.items():
            self.stdout.write(f"{name:>22}: {self.describe(name, value)}")

    def handle_pages(self, corpus: Path, as_json: bool, threshold: float) -> None:
        figures = evaluate_pages(corpus / "evaluation" / "pages", corpus, threshold=threshold)
        results = {
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
        if as_json:
            self.stdout.write(json.dumps(results, indent=2))
            return
        for name, value in results.items():
            if name == "wrong matches shown":
                status = "ok" if value <= WRONG_MATCH_TARGET else "ABOVE TARGET"
                text = f"{value:.3f} (target ≤ {WRONG_MATCH_TARGET}) {status}"
            else:
                text = self.describe(name, value, PAGE_TARGETS)
            self.stdout.write(f"{name:>32}: {text}")

    @staticmethod
    def describe(name: str, value, targets: dict = TARGETS) -> str:
        target = targets.get(name)
        if target is None:
            return f"{value:.3f}" if isinstance(value, float) else str(value)
        status = "ok" if value >= target else "BELOW TARGET"
        return f"{value:.3f} (target ≥ {target}) {status}"

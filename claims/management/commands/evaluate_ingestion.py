import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.evaluation import evaluate

TARGETS = {"precision": 0.6, "recall": 0.9, "top3": 0.8}


class Command(BaseCommand):
    help = "Precision and recall of candidate proposal and top-3 accuracy of claim matching."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=None)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, corpus, as_json, **options):
        figures = evaluate(corpus or Path(settings.CORPUS_DIR))
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

    @staticmethod
    def describe(name: str, value) -> str:
        target = TARGETS.get(name)
        if target is None:
            return f"{value:.3f}" if isinstance(value, float) else str(value)
        status = "ok" if value >= target else "BELOW TARGET"
        return f"{value:.3f} (target ≥ {target}) {status}"

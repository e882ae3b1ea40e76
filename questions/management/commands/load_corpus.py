from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.corpus import corpus_load
from reviews.corpus import CorpusError, corpus_stats


class Command(BaseCommand):
    help = (
        "Load the curated corpus (documents, claims, studies, reviews, questions). Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--corpus", type=Path, default=None, help="Corpus folder (default: CORPUS_DIR)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; store nothing."
        )
        parser.add_argument(
            "--stats", action="store_true", help="Print coverage per document and category."
        )

    def handle(self, *args, corpus, dry_run, stats, **options):
        directory = corpus or settings.CORPUS_DIR
        try:
            report = corpus_load(directory=directory, dry_run=dry_run)
        except CorpusError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        prefix = "Would load (dry run)" if dry_run else "Loaded"
        self.stdout.write(f"{prefix} corpus from {directory}:")
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if not report.changed:
            self.stdout.write("  Nothing changed.")
        if stats:
            self.write_stats()

    def write_stats(self):
        for heading, rows in corpus_stats().items():
            self.stdout.write(f"\n{heading}:")
            width = max((len(label) for label, _ in rows), default=0)
            for label, count in rows:
                self.stdout.write(f"  {label:<{width}}  {count:>5}")

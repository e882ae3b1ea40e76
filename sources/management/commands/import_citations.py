from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources.citations import CitationError, citations_import


class Command(BaseCommand):
    help = "Import studies from a RIS, BibTeX, PubMed/MEDLINE (.nbib) or CSL-JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report; store nothing.")

    def handle(self, *args, path, dry_run, **options):
        try:
            report = citations_import(data=path.read_bytes(), name=path.name, dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except CitationError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        prefix = "Dry run: would import" if dry_run else "Imported"
        self.stdout.write(f"{prefix}: {report.summary()}.")
        for label, studies in (("created", report.created), ("updated", report.updated)):
            for study in studies:
                self.stdout.write(f"  {label}: {study}")

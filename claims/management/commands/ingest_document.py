import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.services import document_ingest
from sources.ingest import MAX_INPUT_BYTES, IngestError
from sources.models import Document


class Command(BaseCommand):
    help = (
        "Ingest a clinic page (plain text, Markdown or HTML): store its text and propose its "
        f"check-worthy sentences. Inputs over {MAX_INPUT_BYTES:,} bytes are refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--url", default="")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--title", default="")
        parser.add_argument("--kind", default=Document.Kind.CLINIC_PAGE, choices=Document.Kind)
        parser.add_argument("--dry-run", action="store_true", help="Store nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, path, url, publisher, title, kind, dry_run, format, **options):
        try:
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise IngestError(f"{path} is larger than {MAX_INPUT_BYTES:,} bytes.")
            data = path.read_bytes()
            result = document_ingest(
                data=data, name=path.name, title=title, url=url, publisher=publisher,
                kind=kind, dry_run=dry_run,
            )  # fmt: skip
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except (IngestError, ValidationError) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            raise CommandError(f"Nothing was stored. {message}") from None
        if format == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        if result.document and not result.created:
            self.stdout.write(f"Already stored as “{result.document}” ({result.document.slug}).")
            return
        stored = f"Stored “{result.document}”" if result.document else "Dry run: nothing stored"
        self.stdout.write(f"{stored}; {len(result.candidates)} candidate claims:")
        for row in result.candidates:
            best = ", ".join(f"{m['claim']} ({m['score']:.2f})" for m in row["matches"]) or "—"
            self.stdout.write(f"  [{row['category']}] {row['quote'][:100]}\n      matches: {best}")

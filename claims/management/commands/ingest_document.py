import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.services import NearDuplicateError, document_ingest
from sources.ingest import MAX_INPUT_BYTES, IngestError, refusal
from sources.models import Document


class Command(BaseCommand):
    help = (
        "Ingest a clinic page (plain text, Markdown or HTML): store its text and propose its "
        f"check-worthy sentences. Inputs over {MAX_INPUT_BYTES:,} bytes are refused, and so "
        "is a text much like a stored page unless --new-version-of or --different-page says "
        "what it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--url", default="")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--title", default="")
        parser.add_argument("--kind", default=Document.Kind.CLINIC_PAGE, choices=Document.Kind)
        parser.add_argument("--dry-run", action="store_true", help="Store nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        version = parser.add_mutually_exclusive_group()
        version.add_argument(
            "--new-version-of", metavar="SLUG", default="",
            help="Store the text as a new version of this stored page.",
        )  # fmt: skip
        version.add_argument(
            "--different-page", action="store_true",
            help="Store the text as a page of its own even if a stored page is much like it.",
        )  # fmt: skip

    def handle(self, *args, path, new_version_of, different_page, format, **options):
        try:
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise IngestError(f"{path} is larger than {MAX_INPUT_BYTES:,} bytes.")
            result = document_ingest(
                data=path.read_bytes(), name=path.name, title=options["title"],
                url=options["url"], publisher=options["publisher"], kind=options["kind"],
                dry_run=options["dry_run"], supersedes=self.older_version(new_version_of),
                different_page=different_page,
            )  # fmt: skip
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except NearDuplicateError as error:
            how = "Store it as a page of its own with --different-page"
            if error.latest:
                how += f", or as a new version with --new-version-of {error.latest.slug}"
            raise CommandError(f"Nothing was stored. {error} {how}.") from None
        except (IngestError, ValidationError) as error:
            raise CommandError(f"Nothing was stored. {refusal(error)}") from None
        self.report(result, format)

    @staticmethod
    def older_version(slug: str) -> Document | None:
        if not slug:
            return None
        document = Document.objects.filter(slug=slug).first()
        if document is None:
            raise CommandError(f"Nothing was stored. There is no document “{slug}”.")
        return document

    def report(self, result, format: str) -> None:
        if format == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        if result.document and not result.created:
            self.stdout.write(f"Already stored as “{result.document}” ({result.document.slug}).")
            return
        stored = f"Stored “{result.document}”" if result.document else "Dry run: nothing stored"
        if result.document and result.document.supersedes:
            stored += f" as a new version of “{result.document.supersedes}”"
        self.stdout.write(f"{stored}; {len(result.candidates)} candidate claims:")
        for row in result.candidates:
            best = ", ".join(f"{m['claim']} ({m['score']:.2f})" for m in row["matches"]) or "—"
            self.stdout.write(f"  [{row['category']}] {row['quote'][:100]}\n      matches: {best}")

"""Wall time of ingesting large pages, through the service and through the admin.

    python benchmarks/ingest.py                       # 100 KB, 1 MB and ~2 MB
    python benchmarks/ingest.py --sizes 100000 --profile

Builds a throwaway SQLite database (or uses --database-url) with the curated corpus
loaded (its claims and quotes are what candidates are matched against), then for each size
makes a page by repeating the corpus's five clinic pages with each copy varied (its own
heading, figures and clinic name, paragraphs in a rotated order), so that every copy is new
text to the sentence splitter and the matcher. Each page is ingested:

- by claims.services.document_ingest;
- by an editor pasting it into the admin's "Ingest a page" form: the POST (which stores
  it) and the first page of the candidate review it redirects to;
- pasted again with a few words changed: the POST that finds the near-duplicate and asks
  the editor what it is, storing nothing.

Every stored page is deleted before the next is ingested, so that each is new.
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 2_000_000
INGEST_URL = "/admin/claims/candidate/ingest/"
CORPUS_SLUGS: list[str] = []


def make_page(size: int, variant: str) -> str:
    """About `size` bytes of UTF-8 clinic-page text, every copy of the corpus varied."""
    documents = sorted((ROOT / "corpus" / "documents").glob("*.txt"))
    paragraphs = [p for d in documents for p in d.read_text(encoding="utf-8").split("\n\n")]
    parts, total, copy = [], 0, 0
    while total < size:
        copy += 1
        shift = copy % len(paragraphs)
        heading = f"Clinic {variant}{copy}: ketamine care, location {copy}"
        parts.append(heading)
        total += len(heading.encode()) + 2
        for paragraph in paragraphs[shift:] + paragraphs[:shift]:
            varied = paragraph.replace("ketamine", f"ketamine ({variant}{copy})", 1)
            varied = varied.replace(" 1", f" {copy % 9 + 1}", 1)
            parts.append(varied)
            total += len(varied.encode()) + 2
    text = "\n\n".join(parts).encode()[: min(size, LIMIT - 1)]
    return text.decode("utf-8", errors="ignore")


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_corpus", verbosity=0)


def time_service(text: str, profile: bool) -> tuple[float, float, int]:
    """Wall and CPU seconds of document_ingest (CPU: this process's, so on SQLite it
    includes the database's work; it shows the work done whatever else runs alongside)."""
    from claims.services import document_ingest

    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = document_ingest(data=text, title="Benchmark page")
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall, cpu, len(result.candidates)


def time_admin(text: str) -> tuple[float, float, int, float, int]:
    """Seconds to store a paste, to also show the review's first page, and its size; then
    seconds to find the paste, varied, alike and ask, and that page's size."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    form = {"pasted": text, "kind": "clinic_page", "title": "Benchmark paste"}
    started = time.perf_counter()
    response = client.post(INGEST_URL, form)
    assert response.status_code == 302, response.status_code
    stored = time.perf_counter() - started
    review = client.get(response["Location"])
    assert review.status_code == 200, review.status_code
    shown = time.perf_counter() - started
    started = time.perf_counter()
    asked = client.post(INGEST_URL, {**form, "pasted": text.replace("anxiety", "worry", 50)})
    assert b"much like a page already stored" in asked.content, asked.status_code
    return stored, shown, len(review.content), time.perf_counter() - started, len(asked.content)


def delete_documents() -> None:
    from sources.models import Document

    Document.objects.exclude(slug__in=CORPUS_SLUGS).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,1990000")
    parser.add_argument("--database-url", help="An empty database to use instead of SQLite.")
    parser.add_argument("--profile", action="store_true", help="Profile the service call.")
    parser.add_argument("--no-admin", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        from sources.models import Document

        CORPUS_SLUGS.extend(Document.objects.values_list("slug", flat=True))
        print(
            "| size (bytes) | candidates | service s (CPU s) | admin: stored s | + review page s "
            "| review page kB | near-duplicate asked s | that page kB |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in (int(s) for s in args.sizes.split(",")):
            wall, cpu, candidates = time_service(make_page(size, "s"), args.profile)
            delete_documents()
            row = f"| {size:,} | {candidates:,} | {wall:.2f} ({cpu:.2f})"
            if not args.no_admin:
                stored, shown, review, asked, asking = time_admin(make_page(size, "a"))
                delete_documents()
                row += (
                    f" | {stored:.2f} | {shown:.2f} | {review / 1000:,.0f} | {asked:.2f} "
                    f"| {asking / 1000:,.0f}"
                )
            print(row + " |", flush=True)


if __name__ == "__main__":
    main()

"""Mixed traffic through a PostgreSQL restart and a killed worker: does the site recover,
and is every acknowledged write, and every page queued for ingestion, still there?

    python benchmarks/soak.py            # 60 s; restarts PostgreSQL at 20 s, kills the
                                         # Celery worker at 35 s and starts another

Loads the seed corpus into its own database, starts gunicorn (production settings,
2 sync workers, loopback only) and runs, for a bounded time and number of requests:
readers fetching every public page type over HTTP, and editors publishing reviews with
the services the admin's actions call (review_submit, review_publish). In the middle it
runs `pg_ctlcluster <version> main restart`. It reports errors during the outage, the time
to recover, errors after recovery (must be zero) and whether every write that was
acknowledged is in the database afterwards (nothing lost).

Meanwhile an ingester queues a page to ingest every half second, for a Celery worker (two
processes) taking tasks from Redis. At --kill-worker-at the worker and its pool are killed
without warning (SIGKILL) and a new worker is started. At the end every page queued must
have been ingested, each once, within the time a task of a vanished worker takes to come
back (CELERY_VISIBILITY_TIMEOUT, 10 s here). Exit status 1 if anything fails.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench import PG_SERVER, PORT, flush_redis, server_env, wait_until_up  # noqa: E402
from benchmarks.report import replace_section  # noqa: E402

DATABASE = "ketamine_claims_soak"
VISIBILITY_TIMEOUT = 10  # seconds before a vanished worker's task goes back to the queue
INGEST_PAUSE = 0.5
READER_PAUSE = 0.02  # seconds between one reader's requests: bounded, not a flood
EDITOR_PAUSE = 0.1
SERVER_LOG = Path(tempfile.gettempdir()) / "ketamine-claims-soak-server.log"
WORKER_LOG = Path(tempfile.gettempdir()) / "ketamine-claims-soak-worker.log"


@dataclass
class Log:
    events: list = field(default_factory=list)  # (time, kind, ok)
    acknowledged: list = field(default_factory=list)  # review ids the editors were told saved
    queued_jobs: list = field(default_factory=list)  # ingestion jobs queued
    worker_killed_at: float = float("nan")  # seconds into the run
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, ok: bool, began: float) -> None:
        """`began`: when the request or write started, which decides whether it counts as
        during the outage or after recovery."""
        with self.lock:
            self.events.append((began, kind, ok, time.monotonic()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--restart-at", type=int, default=20)
    parser.add_argument("--kill-worker-at", type=int, default=35)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    env = {
        **server_env(f"{PG_SERVER}/{DATABASE}"),
        "PAGE_CACHE_SECONDS": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_RESTORE_INTERVAL": "1",
    }
    prepare(env)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    flush_redis()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--workers=2",
         f"--bind=127.0.0.1:{PORT}", "--log-level=error"],
        cwd=ROOT,
        env=env,
        stderr=open(SERVER_LOG, "w"),  # noqa: SIM115 - closed with the process
    )  # fmt: skip
    print(f"Server errors (expected during the outage) go to {SERVER_LOG}.")
    workers = Workers(env)
    try:
        wait_until_up()
        workers.start()
        report = run(args, workers)
    finally:
        server.terminate()
        server.wait(timeout=30)
        workers.stop_all()
    text = "\n".join(report["lines"])
    print(text)
    replace_section(Path(args.output), "soak", text)
    sys.exit(0 if report["ok"] else 1)


def prepare(env: dict) -> None:
    import psycopg2

    admin = psycopg2.connect(f"{PG_SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    admin.close()
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_corpus"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


def reader_paths() -> list[str]:
    from claims.models import Claim
    from sources.models import Document, Study

    claim = Claim.objects.exclude(verdict="").order_by("pk").first()
    return [
        "/",
        "/claims/",
        "/claims/?q=within+an+hour",
        "/claims/?category=onset&verdict=misleading",
        claim.get_absolute_url(),
        Document.objects.order_by("pk").first().get_absolute_url(),
        Study.objects.order_by("pk").first().get_absolute_url(),
        "/studies/",
        "/sources/",
    ]


class Workers:
    """Celery workers in their own process groups, to be killed without warning."""

    def __init__(self, env: dict):
        self.env, self.running = env, []

    def start(self) -> None:
        self.running.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=2",
                 "--loglevel=WARNING", f"--hostname=soak-{len(self.running)}@%h",
                 "--without-gossip", "--without-mingle"],
                cwd=ROOT, env=self.env, start_new_session=True,
                stderr=open(WORKER_LOG, "a"),  # noqa: SIM115 - closed with the process
            )
        )  # fmt: skip

    def kill(self) -> None:
        worker = self.running[-1]
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)


def run(args, workers: Workers) -> dict:
    log, stop = Log(), threading.Event()
    budget = threading.Semaphore(args.max_requests)
    paths = reader_paths()
    threads = [
        threading.Thread(target=reader, args=(paths, log, stop, budget, n))
        for n in range(args.readers)
    ] + [threading.Thread(target=editor, args=(log, stop, budget, n)) for n in range(args.editors)]
    threads.append(threading.Thread(target=ingester, args=(log, stop)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    killer = threading.Thread(target=kill_and_restart, args=(workers, started, args, log))
    killer.start()
    time.sleep(args.restart_at)
    back = {}
    probe = threading.Thread(target=probe_database, args=(back,))
    restart_began = time.monotonic()
    probe.start()
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )
    restart_done = time.monotonic()
    probe.join(timeout=60)
    time.sleep(max(0, args.seconds - (time.monotonic() - started)))
    stop.set()
    for thread in [*threads, killer]:
        thread.join(timeout=30)
    ingestion = wait_for_ingestion(log)
    return summarize(log, started, restart_began, restart_done, back.get("at"), ingestion)


def kill_and_restart(workers: Workers, started: float, args, log: Log) -> None:
    time.sleep(max(0, args.kill_worker_at - (time.monotonic() - started)))
    workers.kill()
    log.worker_killed_at = time.monotonic() - started
    time.sleep(1)
    workers.start()


def ingester(log: Log, stop) -> None:
    """Queue one page to ingest every INGEST_PAUSE, as an editor's "Ingest a page" does."""
    from django.db import DatabaseError, close_old_connections, connection

    from claims.services import ingestion_job_create
    from claims.tasks import ingestion_job_queue

    chooser, n = random.Random(7), 0
    words = ("ketamine infusion relief depression anxiety hours weeks clinic patients dose "
             "session spray doctor safety evidence trial remission response").split()  # fmt: skip
    while not stop.is_set():
        n += 1
        text = f"Soak page {n}. " + " ".join(
            f"{' '.join(chooser.choices(words, k=9))} {chooser.randint(1, 99)}%." for _ in range(8)
        )
        try:
            close_old_connections()
            job = ingestion_job_create(
                by=None, items=[{"data": text.encode(), "name": f"soak-{n}.txt"}]
            )
            ingestion_job_queue(job)
        except DatabaseError:
            connection.close()  # during the database's restart: not queued, not counted
        else:
            with log.lock:
                log.queued_jobs.append(job.pk)
        time.sleep(INGEST_PAUSE)
    connection.close()


def wait_for_ingestion(log: Log) -> dict:
    """Wait for every queued page to be ingested, at most the time a vanished worker's task
    takes to come back, plus a margin; then count."""
    from django.db import close_old_connections

    from claims.models import IngestionItem, IngestionJob

    deadline = time.monotonic() + VISIBILITY_TIMEOUT + 30
    jobs = IngestionJob.objects.filter(pk__in=log.queued_jobs)
    while time.monotonic() < deadline:
        close_old_connections()
        if not jobs.filter(finished_at__isnull=True).exists():
            break
        time.sleep(0.5)
    items = IngestionItem.objects.filter(job__in=log.queued_jobs)
    stored = items.exclude(document=None)
    return {
        "queued": len(log.queued_jobs),
        "unfinished": jobs.filter(finished_at__isnull=True).count(),
        "stored": stored.count(),
        "failed": items.filter(status=IngestionItem.Status.FAILED).count(),
        # Each page stored once: as many documents as pages that name one, all different.
        "duplicates": stored.count() - stored.values("document").distinct().count(),
    }


def probe_database(back: dict) -> None:
    """The moment PostgreSQL accepts connections again after going down."""
    import psycopg2

    went_down, deadline = False, time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=1).close()
            if went_down:
                back["at"] = time.monotonic()
                return
        except psycopg2.OperationalError:
            went_down = True
        time.sleep(0.05)


def reader(paths, log: Log, stop, budget, seed: int) -> None:
    chooser = random.Random(seed)
    while not stop.is_set() and budget.acquire(blocking=False):
        path, began = chooser.choice(paths), time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as response:
                response.read()
                log.record("read", response.status == 200, began)
        except (urllib.error.URLError, OSError):
            log.record("read", False, began)
        time.sleep(READER_PAUSE)


def editor(log: Log, stop, budget, seed: int) -> None:
    """Publish reviews as an editor does in the admin: a draft, submitted, then published."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError, close_old_connections, connection

    from claims.models import Claim
    from reviews.models import Review
    from reviews.services import review_publish, review_submit

    # One editor publishing alone: the two-reviewer rule's override, with its reason.
    account, _ = get_user_model().objects.get_or_create(
        username=f"soak-editor-{seed}", defaults={"is_staff": True, "is_superuser": True}
    )
    chooser = random.Random(1000 + seed)
    verdicts = [v for v in Review.Verdict if v != Review.Verdict.NOT_CHECKABLE]
    while not stop.is_set() and budget.acquire(blocking=False):
        began = time.monotonic()
        try:
            close_old_connections()
            claim = Claim.objects.order_by("?").only("pk").first()
            design = chooser.choice(
                [Review.EvidenceDesign.RANDOMIZED, Review.EvidenceDesign.NON_RANDOMIZED]
            )
            grading = {"evidence_design": design, "design_reason": "Soak test grading."}
            for domain in Review.DOWNGRADING_DOMAINS:  # GRADE: every domain judged, with a reason
                grading[domain] = chooser.choice(
                    [Review.Concern.NOT_SERIOUS, Review.Concern.SERIOUS]
                )
                grading[f"{domain}_reason"] = "Soak test judgment."
            review = Review(
                claim=claim,
                verdict=chooser.choice(verdicts),
                rationale=f"Soak test review by editor {seed}.",
                summary="Soak test.",
                **grading,
            )
            review.full_clean()
            review.save()
            review_submit(review=review, by=account)
            review_publish(review=review, by=account, override_reason="Soak test.")
        except DatabaseError:
            log.record("write", False, began)
            connection.close()
        except ValidationError:
            # Refused by a rule, with the reason (a random verdict better than its
            # sentence's, two editors on one claim at once): the editor is told, nothing
            # is half-written. Counted apart from errors.
            log.record("refused", True, began)
        else:
            with log.lock:
                log.acknowledged.append(review.pk)
            log.record("write", True, began)
        time.sleep(EDITOR_PAUSE)
    connection.close()


def utc_now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def summarize(
    log: Log, started, restart_began, restart_done, database_back, ingestion: dict
) -> dict:
    from django.db import connection

    from reviews.models import Review

    events = sorted(log.events)
    back = database_back or restart_done
    failed = [(began, ended) for began, _, ok, ended in events if not ok]
    before = [began for began, ended in failed if ended < restart_began]
    during = [began for began, ended in failed if ended >= restart_began and began < back]
    after = [began for began, _ in failed if began >= back]
    first_success = next((t for t, _, ok, _ in events if ok and t >= back), None)
    recovered = first_success is not None
    connection.close()
    stored = set(
        Review.objects.filter(pk__in=log.acknowledged)
        .exclude(status=Review.Status.DRAFT)
        .values_list("pk", flat=True)
    )
    lost = len(set(log.acknowledged) - stored)
    reads = sum(1 for event in events if event[1] == "read")
    writes = sum(1 for event in events if event[1] in ("write", "refused"))
    refused = sum(1 for event in events if event[1] == "refused")
    ingested = ingestion["unfinished"] == 0 and ingestion["duplicates"] == 0
    ok = not after and not before and lost == 0 and recovered and ingested
    lines = [
        "## Soak: mixed traffic through a PostgreSQL restart and a killed worker",
        "",
        f"Written by `make soak` (`benchmarks/soak.py`) on {utc_now()}: "
        f"{events[-1][0] - started:.0f} s of traffic, page cache off so every read reaches the "
        f"database, PostgreSQL restarted at {restart_began - started:.0f} s "
        f"(the restart took {restart_done - restart_began:.1f} s).",
        "",
        "| Measure | Value |",
        "|---|---:|",
        f"| Reads (HTTP, every public page type) | {reads:,} |",
        f"| Review publications attempted (admin's services) | {writes:,} |",
        f"| Errors before the restart | {len(before)} |",
        f"| Errors during the outage | {len(during)} |",
        f"| Outage: restart began → database accepts connections | {back - restart_began:.1f} s |",
        f"| Time to recover: database back → first successful request | "
        f"{(first_success - back) if recovered else float('nan'):.2f} s |",
        f"| Errors after recovery (requests begun once the database was back; must be 0) "
        f"| {len(after)} |",
        f"| Publications refused by a rule, the editor told why (random verdicts) | {refused:,} |",
        f"| Acknowledged publications | {len(log.acknowledged):,} |",
        f"| Acknowledged publications missing afterwards (must be 0) | {lost} |",
        f"| Pages queued for ingestion (Celery, Redis) | {ingestion['queued']:,} |",
        f"| Worker killed (SIGKILL, with its pool) and another started at | "
        f"{log.worker_killed_at:.0f} s |",
        f"| Pages stored / refused as unreadable | {ingestion['stored']:,} / "
        f"{ingestion['failed']:,} |",
        f"| Queued pages never ingested (must be 0) | {ingestion['unfinished']} |",
        f"| Pages stored twice (must be 0) | {ingestion['duplicates']} |",
        "",
        f"Result: {'passed' if ok else '**failed**'}.",
    ]
    return {"ok": ok, "lines": lines}


if __name__ == "__main__":
    main()

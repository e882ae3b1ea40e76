"""Mixed traffic through a PostgreSQL restart: does the site recover, and is every
acknowledged write still there?

    python benchmarks/soak.py            # 60 s; restarts PostgreSQL at 20 s

Loads the seed corpus into its own database, starts gunicorn (production settings,
2 sync workers, loopback only) and runs, for a bounded time and number of requests:
readers fetching every public page type over HTTP, and editors publishing reviews with
the services the admin's actions call (review_submit, review_publish). In the middle it
runs `pg_ctlcluster <version> main restart`. It reports errors during the outage, the time
to recover, errors after recovery (must be zero) and whether every write that was
acknowledged is in the database afterwards (nothing lost). Exit status 1 if either fails.
"""

import argparse
import os
import random
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
READER_PAUSE = 0.02  # seconds between one reader's requests: bounded, not a flood
EDITOR_PAUSE = 0.1
SERVER_LOG = Path(tempfile.gettempdir()) / "ketamine-claims-soak-server.log"


@dataclass
class Log:
    events: list = field(default_factory=list)  # (time, kind, ok)
    acknowledged: list = field(default_factory=list)  # review ids the editors were told saved
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
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    env = {**server_env(f"{PG_SERVER}/{DATABASE}"), "PAGE_CACHE_SECONDS": "0"}
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
    try:
        wait_until_up()
        report = run(args)
    finally:
        server.terminate()
        server.wait(timeout=30)
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


def run(args) -> dict:
    log, stop = Log(), threading.Event()
    budget = threading.Semaphore(args.max_requests)
    paths = reader_paths()
    threads = [
        threading.Thread(target=reader, args=(paths, log, stop, budget, n))
        for n in range(args.readers)
    ] + [threading.Thread(target=editor, args=(log, stop, budget, n)) for n in range(args.editors)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
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
    for thread in threads:
        thread.join(timeout=30)
    return summarize(log, started, restart_began, restart_done, back.get("at"))


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
            review = Review(
                claim=claim,
                verdict=chooser.choice(verdicts),
                certainty=chooser.choice(list(Review.Certainty)),
                rationale=f"Soak test review by editor {seed}.",
                summary="Soak test.",
            )
            review.full_clean()
            review.save()
            review_submit(review=review, by=account)
            review_publish(review=review, by=account, override_reason="Soak test.")
        except DatabaseError:
            log.record("write", False, began)
            connection.close()
        else:
            with log.lock:
                log.acknowledged.append(review.pk)
            log.record("write", True, began)
        time.sleep(EDITOR_PAUSE)
    connection.close()


def utc_now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def summarize(log: Log, started, restart_began, restart_done, database_back) -> dict:
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
    writes = sum(1 for event in events if event[1] == "write")
    ok = not after and not before and lost == 0 and recovered
    lines = [
        "## Soak: mixed traffic through a PostgreSQL restart",
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
        f"| Acknowledged publications | {len(log.acknowledged):,} |",
        f"| Acknowledged publications missing afterwards (must be 0) | {lost} |",
        "",
        f"Result: {'passed' if ok else '**failed**'}.",
    ]
    return {"ok": ok, "lines": lines}


if __name__ == "__main__":
    main()

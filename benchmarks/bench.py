"""Throughput of every public page type at scale, as a ratio to the framework's ceiling.

    python benchmarks/bench.py                 # 100,000 claims; writes docs/benchmarks.md
    python benchmarks/bench.py --claims 10000  # a quicker look

Builds (once per scale) a PostgreSQL database of synthetic data, starts two gunicorn
servers with production settings and 2 sync workers each on loopback, one with the page
cache on and one with it off, and measures each page with wrk in one interleaved run:
in every round, each page is requested from the cached server, then conditionally (with
the ETag it was given, answered 304), then from the uncached server. The ceiling is
/livez, a view that returns two bytes without touching the database, measured on each
server in every round. Needs PostgreSQL, Redis and wrk.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.page_check import measure_page_check, report_lines  # noqa: E402
from benchmarks.report import replace_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEFAULT_DATABASE = "ketamine_claims_bench"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://root@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PORT = 8765
PORTS = {"on": PORT, "304": PORT, "off": PORT + 1}
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
TARGETS = {"on": 0.5, "304": 0.8, "off": 0.10}
MODE_TITLES = {
    "on": "Page cache on",
    "304": "Conditional GET answered 304 (If-None-Match)",
    "off": "Page cache off",
}
SEARCH_P99_MS = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="Seconds per measurement.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--page-check-only", action="store_true", help="Measure only the page check."
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")

    database_url = f"{PG_SERVER}/{args.database}"
    env = server_env(database_url)
    prepare_database(args, env)
    manage(env, "collectstatic", "--noinput", "-v0")
    if not args.page_check_only:
        urls = pick_urls(env)
        results = measure(urls, args, env)
        for mode, table in results.items():
            print_table(mode, table)
        write_report(Path(args.output), args, urls, results)
    figures = measure_page_check(manage, start_server, wait_until_up, args, env, PORTS["off"])
    lines = report_lines(figures)
    print("\n".join(lines))
    replace_section(Path(args.output), "page-check", "\n".join(lines))
    print(f"Wrote {args.output}")


def server_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *arguments: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def prepare_database(args, env: dict) -> None:
    """Create and fill the benchmark database unless it already holds this scale."""
    admin = psycopg2.connect(f"{PG_SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        exists = cursor.fetchone() is not None
        if exists and not args.regenerate:
            count = claim_count(env)
            if count == args.claims:
                print(f"Reusing {args.database} ({count:,} claims).")
                manage(env, "migrate", "--noinput", "-v0")
                manage(env, "generate_bench_questions")
                return
        if exists:
            cursor.execute(f'DROP DATABASE "{args.database}"')
        cursor.execute(f'CREATE DATABASE "{args.database}"')
    admin.close()
    manage(env, "migrate", "--noinput", "-v0")
    scale = args.claims / 100_000
    manage(
        env,
        "generate_bench_data",
        f"--claims={args.claims}",
        f"--excerpts={args.claims * 3}",
        f"--documents={max(1, round(1000 * scale))}",
        f"--studies={max(1, round(20_000 * scale))}",
    )
    manage(env, "generate_bench_questions")


def claim_count(env: dict) -> int:
    try:
        with psycopg2.connect(env["DATABASE_URL"]) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM claims_claim")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return -1


PICK_URLS = """
import json
from claims.models import Claim
from public.filters import ClaimSort, with_review_order
from public.pagination import _encode
from sources.models import Document, Study
from reviews.management.commands.generate_bench_data import RARE_WORD
from questions.models import Question

ordering = ClaimSort.CATEGORY.ordering
claims = with_review_order(Claim.objects.for_list()).order_by(*ordering.order_by())
deep = claims[max(0, Claim.objects.count() - 26)]
claim = Claim.objects.filter(document_count__gte=2).exclude(verdict="").order_by("pk").first()
document = Document.objects.order_by("pk").first()
study = Study.objects.filter(evidence_links__isnull=False).order_by("pk").first()
print(json.dumps({
    "ceiling (/livez)": "/livez",
    "home": "/",
    "claim list": "/claims/",
    "filtered list": "/claims/?category=efficacy&verdict=misleading&certainty=low",
    "deep page": "/claims/?after=" + _encode(deep, ordering),
    "search, common word": "/claims/?q=ketamine",
    "search, rare word": "/claims/?q=" + RARE_WORD,
    "claim": claim.get_absolute_url(),
    "document": document.get_absolute_url(),
    "study": study.get_absolute_url(),
    "study list": "/studies/",
    "question": Question.objects.order_by("pk").first().get_absolute_url(),
    "search, a question": "/search/?q=does+ketamine+work+within+an+hour+for+anxiety",
    "search, misspelt": "/search/?q=is+ketamin+adictive",
}))
"""


def pick_urls(env: dict) -> dict[str, str]:
    return json.loads(manage(env, "shell", "-c", PICK_URLS, capture=True).strip().splitlines()[-1])


def start_server(port: int, page_cache: bool, args, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{port}",
            "--worker-class=sync",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**env, "PAGE_CACHE_SECONDS": "600" if page_cache else "0"},
    )


def measure(urls: dict, args, env: dict) -> dict[str, dict]:
    flush_redis()
    servers = [
        start_server(PORTS["on"], True, args, env),
        start_server(PORTS["off"], False, args, env),
    ]
    try:
        for port in set(PORTS.values()):
            wait_until_up(port)
        etags = {}
        for name, path in urls.items():
            etags[name] = check_page(name, path, PORTS["on"])
            check_page(name, path, PORTS["off"])
            for port in set(PORTS.values()):
                wrk(path, args.connections, 1, port)  # warm: connections, caches, plans
        rounds: dict[str, dict[str, list[dict]]] = {mode: {} for mode in PORTS}
        for number in range(args.rounds):
            print(f"Round {number + 1} of {args.rounds}")
            for name, path in urls.items():
                for mode, port in PORTS.items():
                    is_ceiling = name.startswith("ceiling")
                    headers = {} if mode != "304" or is_ceiling else {"If-None-Match": etags[name]}
                    run = wrk(path, args.connections, args.duration, port, headers)
                    rounds[mode].setdefault(name, []).append(run)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    return {mode: summarise(urls, runs) for mode, runs in rounds.items()}


def summarise(urls: dict, rounds: dict[str, list[dict]]) -> dict:
    ceiling = statistics.median(r["rps"] for r in rounds["ceiling (/livez)"])
    table = {}
    for name, runs in rounds.items():
        rps = statistics.median(r["rps"] for r in runs)
        table[name] = {
            "path": urls[name],
            "rps": rps,
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "ratio": rps / ceiling,
        }
    return table


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def wait_until_up(port: int = PORT) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start.")


def check_page(name: str, path: str, port: int) -> str:
    """Fetch the page (it must answer 200) and return its ETag; a public page must also
    answer 304 when asked with that ETag."""
    url = f"http://127.0.0.1:{port}{path}"
    with urllib.request.urlopen(url, timeout=30) as response:
        if response.status != 200:
            sys.exit(f"{name} ({path}) answered {response.status}.")
        etag = response.headers.get("ETag", "")
    if etag:
        request = urllib.request.Request(url, headers={"If-None-Match": etag})
        try:
            urllib.request.urlopen(request, timeout=30)
            sys.exit(f"{name} ({path}) did not answer a conditional GET with 304.")
        except urllib.error.HTTPError as error:
            if error.code != 304:
                sys.exit(f"{name} ({path}) answered a conditional GET with {error.code}.")
    elif not name.startswith("ceiling"):
        sys.exit(f"{name} ({path}) sent no ETag.")
    return etag


def wrk(path: str, connections: int, seconds: int, port: int = PORT, headers=None) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *[part for key, value in (headers or {}).items() for part in ("-H", f"{key}: {value}")],
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds(latency["50"]),
        "p99": milliseconds(latency["99"]),
        "errors": (int(errors.group(1)) if errors else 0)
        + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * UNITS[unit]


def print_table(mode: str, table: dict) -> None:
    print(f"\n{MODE_TITLES[mode]}")
    for line in table_lines(mode, table):
        print(line)


def table_lines(mode: str, table: dict) -> list[str]:
    target = TARGETS.get(mode)
    lines = [
        "| Page | Requests/s | p50 ms | p99 ms | Ratio to ceiling | Target | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in table.items():
        is_ceiling = name.startswith("ceiling")
        verdict = "" if is_ceiling else ("met" if row["ratio"] >= target else "**missed**")
        goal = "" if is_ceiling else f"≥ {target} {verdict}"
        if mode == "off" and name.startswith("search"):
            met = row["p99"] < SEARCH_P99_MS
            goal += f"; p99 < {SEARCH_P99_MS} ms {'met' if met else '**missed**'}"
        lines.append(
            f"| {name} | {row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
            f"{row['ratio']:.2f} | {goal} | {row['errors']} |"
        )
    return lines


def write_report(path: Path, args, urls: dict, results: dict) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import django

    lines = [
        "## Throughput at scale",
        "",
        "Written by `make bench` (`benchmarks/bench.py`).",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, {postgres_version()}",
        f"- Data: {args.claims:,} synthetic claims, {args.claims * 3:,} excerpts, "
        f"{max(1, round(args.claims / 100)):,} documents, "
        f"{max(1, round(args.claims / 5)):,} studies, "
        "about 90% with a published review (`manage.py generate_bench_data`).",
        f"- Servers: two gunicorns, {args.workers} sync workers each, production settings "
        "(DEBUG off, persistent connections with health checks), Redis cache; one with the "
        "page cache on, one with it off. With it off, every request renders its page; the "
        "parts a page is made of (counts, rankings, list rows, a claim's sources and "
        "evidence, a document's highlighted text) still come from the cache.",
        f"- Load: wrk, 1 thread, {args.connections} connections, {args.duration} s per page per "
        "mode per round; one run, every page and mode interleaved in each round; median of "
        f"{args.rounds} rounds. Ratio = page requests/s ÷ the same server's ceiling "
        "requests/s in the same run.",
        "",
    ]
    for mode, table in results.items():
        lines += [f"## {MODE_TITLES[mode]}", "", *table_lines(mode, table), ""]
    lines += ["## Pages measured", ""]
    lines += [f"- {name}: `{path}`" for name, path in urls.items()]
    replace_section(path, "bench", "\n".join(lines))


def postgres_version() -> str:
    with psycopg2.connect(f"{PG_SERVER}/postgres") as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return "PostgreSQL " + cursor.fetchone()[0].split()[0]


if __name__ == "__main__":
    main()

"""The page check at scale: a 2,000-word clinic page checked against every claim of the
benchmark database through POST /api/v1/check, and the memory each worker holds.

Run by benchmarks/bench.py after the page measurements (same database and settings):
fits the claim index once with `manage.py build_claim_index` (timed), starts gunicorn with
its sync workers reading that file, warms every worker with one check, then sends
CHECKS checks one after another and reports the latency percentiles and each worker's
resident memory before its first check and after the last.
"""

import json
import re
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PAGE_WORDS = 2_000
CHECKS = 100
KNOWN_SENTENCES = 20
P95_TARGET_MS = 500


def clinic_page(words: int = PAGE_WORDS, known: list[str] = ()) -> str:
    """About `words` words of clinic-page text: the seed corpus's five pages, in turn, each
    copy with its own heading and figures, with the `known` statements (claims of the
    database, so that matches are shown and read) one a paragraph."""
    known = list(known)
    documents = sorted((ROOT / "corpus" / "documents").glob("*.txt"))
    paragraphs = [p for d in documents for p in d.read_text(encoding="utf-8").split("\n\n")]
    parts, count, copy = [], 0, 0
    while count < words:
        copy += 1
        parts.append(f"Clinic {copy}: ketamine care")
        for paragraph in paragraphs:
            shifted = re.sub(r"\b(\d+)\b", lambda m, by=copy: str(int(m.group(1)) + by), paragraph)
            parts.append(shifted + (f" {known.pop()}" if known else ""))
            count += len(parts[-1].split())
            if count >= words:
                break
    return "\n\n".join(parts)


def known_statements(database_url: str, count: int = KNOWN_SENTENCES) -> list[str]:
    """Statements of claims spread through the database, as a page would repeat them."""
    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")
        total = cursor.fetchone()[0]
        step = max(1, total // count)
        cursor.execute(
            "SELECT statement FROM claims_claim WHERE id %% %s = 0 ORDER BY id LIMIT %s",
            [step, count],
        )
        return [statement for (statement,) in cursor.fetchall()]


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def post(port: int, text: str) -> tuple[float, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/check",
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, body


def measure_page_check(manage, start_server, wait_until_up, args, env: dict, port: int) -> dict:
    """Fit the index, serve it, check the page CHECKS times; the figures for the report."""
    index_path = Path(tempfile.mkdtemp(prefix="bench-claim-index-")) / "claim-index.joblib"
    env = {**env, "CLAIM_INDEX_PATH": str(index_path), "CHECK_RATE": "1000000/m"}
    started = time.perf_counter()
    fitted = manage(env, "build_claim_index", capture=True).strip()
    fit_seconds = time.perf_counter() - started
    page = clinic_page(known=known_statements(env["DATABASE_URL"]))
    server = start_server(port, False, args, env)
    try:
        wait_until_up(port)
        workers = workers_of(server.pid)
        before = {pid: resident_kib(pid) for pid in workers}
        body = {}
        for _ in range(len(workers) * 4):  # the first check in each worker loads the index
            _, body = post(port, page)
        latencies = sorted(post(port, page)[0] for _ in range(CHECKS))
        after = {pid: resident_kib(pid) for pid in workers_of(server.pid)}
    finally:
        server.terminate()
        server.wait(timeout=30)
    index_path.unlink(missing_ok=True)
    return {
        "fitted": fitted,
        "fit_seconds": fit_seconds,
        "words": len(page.split()),
        "sentences": len(body.get("sentences", [])),
        "matched": sum(bool(s["matches"]) for s in body.get("sentences", [])),
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "max": latencies[-1],
        "before": before,
        "after": after,
    }


def report_lines(figures: dict) -> list[str]:
    ok = "meets" if figures["p95"] <= P95_TARGET_MS else "MISSES"
    lines = [
        "## Checking a page",
        "",
        f"A {figures['words']:,}-word clinic page (the seed pages, varied, with "
        f"{KNOWN_SENTENCES} claims of the database repeated in it) sent to "
        f"`POST /api/v1/check` {CHECKS} times in a row, against every claim of the database "
        "above, on a gunicorn of the same settings (page cache off). The check splits the "
        "page, judges each sentence, matches the check-worthy ones through the claim index "
        "and reads the matched claims, their questions and the safety profiles.",
        "",
        f"- Index: {figures['fitted']} (`manage.py build_claim_index`, "
        f"{figures['fit_seconds']:.1f} s with the process start).",
        f"- Page: {figures['sentences']} sentences marked, {figures['matched']} matched.",
        f"- Latency: p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms "
        f"(target ≤ {P95_TARGET_MS} ms: {ok}), max {figures['max']:.0f} ms.",
        "- Resident memory per worker (before its first check → after the last):",
    ]
    for pid, kib in figures["after"].items():
        was = figures["before"].get(pid, 0)
        lines.append(f"  - worker {pid}: {was / 1024:.0f} MiB → {kib / 1024:.0f} MiB")
    return lines

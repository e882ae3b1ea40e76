"""docs/benchmarks.md holds the latest benchmark and soak figures, each in its own section,
so that running one command leaves the other's figures in place."""

from pathlib import Path

HEADER = (
    "# Benchmarks and soak test\n\n"
    "Figures from `make bench` and `make soak`; each command rewrites its own section.\n"
)


def replace_section(path: Path, name: str, text: str) -> None:
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    current = path.read_text() if path.exists() else HEADER
    block = f"{start}\n{text.strip()}\n{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current)

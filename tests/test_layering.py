"""Imports run one way, api → public → checks → watching → questions → reviews → safety → claims →
sources → corrections, and config imports no app outside its root urls (apps may import config)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    "corrections",
    "sources",
    "claims",
    "safety",
    "reviews",
    "questions",
    "watching",
    "checks",
    "public",
    "api",
]  # each may import only those before it
# config's only module that may import an app: the root urls.
CONFIG_IMPORTING_APPS = {"urls.py"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", LAYERS)
def test_an_app_imports_no_app_above_it(package):
    above = set(LAYERS[LAYERS.index(package) + 1 :])
    for path in modules(package):
        assert not imported_packages(path) & above, path.relative_to(ROOT)


def test_config_imports_no_app_outside_its_urls():
    for path in modules("config"):
        if path.name not in CONFIG_IMPORTING_APPS:
            assert not imported_packages(path) & set(LAYERS), path.relative_to(ROOT)

"""The data layer is sealed: outside `chalicelib/dal/`, no module of the app imports the data
layer (services reach it through `chalicelib/services/stores.py`, by name), PynamoDB, or spells
a storage key. A change of key design then stays inside the data layer."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAL = ROOT / "chalicelib" / "dal"
# A storage key prefix: capitals (and digits/underscores) followed by '#', e.g. "BK#", "QO#", "DAY#".
KEY_PREFIX = re.compile(r"(^|[^A-Za-z0-9])[A-Z][A-Z0-9_]{0,11}#")


def _app_modules() -> list[Path]:
    modules = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
    return [m for m in modules if DAL not in m.parents]


def _strings(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _docstrings(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                lines.add(first.value.lineno)
    return lines


@pytest.mark.parametrize("module", _app_modules(), ids=lambda m: str(m.relative_to(ROOT)))
def test_no_data_layer_imported_outside_it(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported = [node.module or ""]
        elif isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        else:
            continue
        for name in imported:
            assert not name.startswith(("chalicelib.dal", "pynamodb")), f"{module.name}:{node.lineno} imports {name}"
            assert not (name == "chalicelib" and any(a.name == "dal" for a in node.names)), f"{module.name}:{node.lineno}"


@pytest.mark.parametrize("module", _app_modules(), ids=lambda m: str(m.relative_to(ROOT)))
def test_no_storage_key_spelled_outside_the_data_layer(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = [(line, text) for line, text in _strings(tree) if line not in docs and KEY_PREFIX.search(text)]
    assert not found, f"{module.relative_to(ROOT)} spells storage keys: {found}"


def test_the_checks_catch_what_they_look_for():
    """The scanner is not blind: the data layer itself spells keys and imports its models."""
    spelled = [m for m in DAL.glob("*.py") if any(KEY_PREFIX.search(t) for _, t in _strings(ast.parse(m.read_text())))]
    importing = [m for m in DAL.glob("*.py") if "from chalicelib.dal.models import" in m.read_text()]
    assert spelled and importing

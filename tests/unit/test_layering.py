"""The layers import only downwards, and only the read package and the services query.

Layers, top to bottom: cli -> web -> reporting -> services -> queries -> store -> domain.
`presentation` (charts, labels and roadmap rows that web pages and reports share) sits
just above the domain and imports nothing else of the product; test_domain_purity keeps
web, ORM and PDF libraries out of it. The modules at the top of the package
(configuration, resource paths, errors) are leaves every layer may use.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import assessment

PACKAGE_DIR = Path(assessment.__file__).parent
LAYERS = ("domain", "presentation", "store", "queries", "services", "reporting", "web", "cli")
QUERYING = {"queries", "services", "store"}
QUERY_CALLS = {"execute", "scalar", "scalars", "query"}
STATEMENT_BUILDERS = {"select", "insert", "update", "delete", "text", "union", "exists"}


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    """(layer, path, syntax tree) of every module in a layer."""
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).parts
        if len(parts) > 1 and parts[0] in LAYERS:
            yield parts[0], path, ast.parse(path.read_text(encoding="utf-8"))


def imported(tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    """(module, names) of every absolute import."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]


def layer_of(module: str) -> str | None:
    """The layer an `assessment.*` module belongs to, None for leaves and other packages."""
    parts = module.split(".")
    if parts[0] != "assessment" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def test_no_import_runs_back_up() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE_DIR.parent)} imports {module}"
        for layer, path, tree in modules()
        for module, _ in imported(tree)
        if (target := layer_of(module))
        and LAYERS.index(target) > LAYERS.index(layer)
        # The refusals a query raises are the services' words (NotFound and its kin).
        and not (layer == "queries" and module == "assessment.services.errors")
    ]

    assert offenders == []


def query_sites(tree: ast.Module, model_names: set[str]) -> Iterator[str]:
    """Where a module builds a SQL statement or runs one on a session."""
    for module, names in imported(tree):
        if module.split(".")[0] == "sqlalchemy":
            for name in set(names) & STATEMENT_BUILDERS:
                yield f"imports sqlalchemy's {name}"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr in QUERY_CALLS:
            yield f"line {node.lineno}: .{node.func.attr}(...)"
        first = node.args[0] if node.args else None
        if node.func.attr == "get" and isinstance(first, ast.Name) and first.id in model_names:
            yield f"line {node.lineno}: .get({first.id}, ...)"


def model_names() -> set[str]:
    """The mapped classes of the store."""
    tree = ast.parse((PACKAGE_DIR / "store" / "models.py").read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def test_only_the_read_package_and_the_services_query() -> None:
    models = model_names()
    offenders = [
        f"{path.relative_to(PACKAGE_DIR.parent)}: {site}"
        for layer, path, tree in modules()
        if layer not in QUERYING
        for site in query_sites(tree, models)
    ]

    assert offenders == []


def test_the_query_check_sees_statements_and_session_calls() -> None:
    source = (
        "from sqlalchemy import select\n"
        "def f(session):\n"
        "    session.scalars(select(Agency))\n"
        "    return session.get(Agency, 1), flask_session.get('user_id')\n"
    )

    assert list(query_sites(ast.parse(source), {"Agency"})) == [
        "imports sqlalchemy's select",
        "line 3: .scalars(...)",
        "line 4: .get(Agency, ...)",
    ]

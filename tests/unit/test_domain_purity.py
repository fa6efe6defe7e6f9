"""The domain stays pure: nothing under assessment/domain pulls in web, ORM or PDF libraries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import assessment.domain

FORBIDDEN = ("flask", "flask_wtf", "wtforms", "sqlalchemy", "alembic", "weasyprint")
DOMAIN_DIR = Path(assessment.domain.__file__).parent


def forbidden(module: str) -> bool:
    """Whether a module name is one of the forbidden packages or inside one."""
    return module.split(".")[0] in FORBIDDEN


def imported_modules(source: str) -> list[str]:
    """Every module an import statement in this source names (relative ones left out)."""
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
    return modules


def test_no_domain_module_imports_a_forbidden_package() -> None:
    offenders = [
        f"{path.relative_to(DOMAIN_DIR.parent.parent)}: {module}"
        for path in sorted(DOMAIN_DIR.rglob("*.py"))
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if forbidden(module)
    ]

    assert offenders == []


def test_static_check_sees_every_import_form() -> None:
    source = "import flask\nfrom sqlalchemy.orm import Session\nimport os, weasyprint as w\n"

    assert [m for m in imported_modules(source) if forbidden(m)] == [
        "flask",
        "sqlalchemy.orm",
        "weasyprint",
    ]


IMPORT_ALL_DOMAIN_MODULES = """
import importlib, json, pkgutil, sys
import assessment.domain as domain
for module in pkgutil.walk_packages(domain.__path__, "assessment.domain."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_the_whole_domain_loads_no_forbidden_package() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_DOMAIN_MODULES],
        capture_output=True,
        text=True,
        check=False,
        cwd=DOMAIN_DIR.parent.parent,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout)

    assert "assessment.domain.rules.scoring" in loaded
    assert [m for m in loaded if forbidden(m)] == []

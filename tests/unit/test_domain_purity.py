"""The lower layers stay pure: nothing under assessment/domain or assessment/presentation
pulls in web, ORM or PDF libraries, and presentation builds on the domain alone."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import assessment.domain
import assessment.presentation

FORBIDDEN = ("flask", "flask_wtf", "wtforms", "sqlalchemy", "alembic", "weasyprint")
DOMAIN_DIR = Path(assessment.domain.__file__).parent
PRESENTATION_DIR = Path(assessment.presentation.__file__).parent
PRESENTATION_MAY_IMPORT = ("assessment.domain", "assessment.presentation")


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


def test_no_presentation_module_imports_a_forbidden_package_or_a_higher_layer() -> None:
    offenders = [
        f"{path.relative_to(PRESENTATION_DIR.parent.parent)}: {module}"
        for path in sorted(PRESENTATION_DIR.rglob("*.py"))
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if forbidden(module)
        or (module.split(".")[0] == "assessment" and not module.startswith(PRESENTATION_MAY_IMPORT))
    ]

    assert offenders == []


def test_static_check_sees_every_import_form() -> None:
    source = "import flask\nfrom sqlalchemy.orm import Session\nimport os, weasyprint as w\n"

    assert [m for m in imported_modules(source) if forbidden(m)] == [
        "flask",
        "sqlalchemy.orm",
        "weasyprint",
    ]


IMPORT_ALL_MODULES_OF = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def loaded_after_importing_all_of(package: str) -> list[str]:
    """Every module loaded once all modules of `package` are imported in a fresh process."""
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_MODULES_OF, package],
        capture_output=True,
        text=True,
        check=False,
        cwd=DOMAIN_DIR.parent.parent,
    )
    assert completed.returncode == 0, completed.stderr
    loaded: list[str] = json.loads(completed.stdout)
    return loaded


def test_importing_the_whole_domain_loads_no_forbidden_package() -> None:
    loaded = loaded_after_importing_all_of("assessment.domain")

    assert "assessment.domain.rules.scoring" in loaded
    assert [m for m in loaded if forbidden(m)] == []


def test_importing_the_whole_presentation_loads_no_forbidden_package() -> None:
    loaded = loaded_after_importing_all_of("assessment.presentation")

    assert "assessment.presentation.charts" in loaded
    assert [m for m in loaded if forbidden(m)] == []
    product = [m for m in loaded if m.startswith("assessment.")]
    assert [m for m in product if not m.startswith(PRESENTATION_MAY_IMPORT)] == []

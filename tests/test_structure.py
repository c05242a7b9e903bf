"""Structural checks that catch whole classes of mistakes cheaply."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "openbook"
DOCS = PACKAGE.parent / "docs"


def _modules(under: Path):
    for path in sorted(under.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", list(_modules(PACKAGE / "standards")), ids=str)
def test_standards_code_is_pure(path):
    """standards/ does no I/O through the other layers: no Django, no store, no web."""
    forbidden = {name for name in _imports(path) if name.split(".")[0] == "django"}
    forbidden |= {
        name
        for name in _imports(path)
        if name.startswith(("openbook.store", "openbook.web", "openbook.load", "openbook.cli"))
    }
    assert not forbidden, f"{path} imports {sorted(forbidden)}"


@pytest.mark.parametrize("path", list(_modules(PACKAGE / "store")), ids=str)
def test_store_does_not_import_upper_layers(path):
    upper = {
        name
        for name in _imports(path)
        if name.startswith(("openbook.web", "openbook.load", "openbook.cli", "openbook.records"))
    }
    assert not upper, f"{path} imports {sorted(upper)}"


def test_sql_lives_only_in_the_store():
    offenders = [
        str(path)
        for path in _modules(PACKAGE)
        if "store" not in path.relative_to(PACKAGE).parts[:1]
        and re.search(r"\.execute(many)?\(|\bcursor\(", path.read_text())
    ]
    assert offenders == []


def test_every_command_is_documented():
    from openbook.cli import _parser

    parser = _parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    text = (DOCS / "cli.md").read_text()
    missing = [name for name in commands.choices if f"openbook {name}" not in text]
    assert missing == []


def test_every_setting_is_documented():
    used = set()
    for path in _modules(PACKAGE):
        used |= set(re.findall(r"\"(OPENBOOK_[A-Z_]+)\"", path.read_text()))
    text = (DOCS / "operators.md").read_text()
    assert used, "no settings found: the pattern is wrong"
    assert sorted(name for name in used if name not in text) == []


def test_migrations_are_complete():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_ruff_is_clean():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", str(PACKAGE.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_is_clean():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]

"""Every command works as the console script runs it: in a new process, where Django is set up
only when the command opens the store (``openbook.cli._store``).

tests/test_cli.py runs most commands in the suite's own process, where Django is already set
up, so an import that needs Django before the store is opened (a module with models, or one
that imports one) passes there and fails for every user with ImproperlyConfigured
(issue 8: ``openbook account password``). One structural test covers every command at the
cost of one process; the commands that had the fault are also run for real.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

from openbook.publishing import accounts
from openbook.store.database import Store
from tests.conftest import use_database

PACKAGE = Path(__file__).resolve().parent.parent / "openbook"


def _console_script(database, *arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """The installed ``openbook`` script, as a user's shell runs it (no DJANGO_SETTINGS_MODULE
    in its environment)."""
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    env["OPENBOOK_DATABASE_URL"] = database.url
    return subprocess.run(
        [str(Path(sys.executable).with_name("openbook")), *arguments],
        input=stdin,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )


def test_account_password_as_the_console_script_runs_it(database):
    """The reviewer's commands, in processes of their own: the password is set, no traceback."""
    steps = [
        ("publisher", "add", "--name", "Cambridge", "--identifier", "GB-LAE-CAM1"),
        ("account", "add", "--role", "publisher", "--publisher", "GB-LAE-CAM1", "pubf"),
    ]
    for step in steps:
        ran = _console_script(database, *step)
        assert ran.returncode == 0, ran.stderr.decode()
    ran = _console_script(
        database, "account", "password", "pubf", stdin=b"correct horse battery staple\n"
    )
    assert ran.returncode == 0 and b"Traceback" not in ran.stderr, ran.stderr.decode()
    assert b"the password of account pubf is set" in ran.stdout
    use_database(database.url)
    signed_in = accounts.sign_in(Store(), "pubf", "correct horse battery staple", None)
    assert signed_in.username == "pubf"


def test_spend_show_as_the_console_script_runs_it(database):
    """``openbook spend show`` imported openbook.spend (models) before opening the store."""
    ran = _console_script(database, "spend", "show", "--json")
    assert ran.returncode == 0 and b"Traceback" not in ran.stderr, ran.stderr.decode()
    assert b'"transactions"' in ran.stdout


def _handlers(tree: ast.Module) -> set[str]:
    """The functions a module's commands run (``set_defaults(run=...)``)."""
    return {
        keyword.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "set_defaults"
        for keyword in node.keywords
        if keyword.arg == "run" and isinstance(keyword.value, ast.Name)
    }


def _own_nodes(function: ast.FunctionDef):
    """The function's statements and expressions, not those of the functions it defines (they
    run when called: cli_show calls them with the store open)."""
    waiting: list[ast.AST] = list(function.body)
    while waiting:
        node = waiting.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            waiting.extend(ast.iter_child_nodes(node))


def _imports_before_the_store() -> list[tuple[str, str]]:
    """(command function, import statement) for every import a command's function runs before
    its first ``_store()`` call (all of its imports when it opens none itself)."""
    found = []
    for path in sorted(PACKAGE.glob("cli*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for name in sorted(_handlers(tree)):
            nodes = list(_own_nodes(functions[name]))
            opened = min(
                (
                    node.lineno
                    for node in nodes
                    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_store"
                ),
                default=None,
            )
            found.extend(
                (f"{path.name}:{name}", ast.unparse(node))
                for node in nodes
                if isinstance(node, ast.Import | ast.ImportFrom)
                and (opened is None or node.lineno < opened)
            )
    return found


def test_no_command_imports_what_needs_django_before_opening_the_store():
    """Each import a command runs before its store is opened is run in one new process without
    Django set up; any that raises is named with its command."""
    imports = _imports_before_the_store()
    assert len(imports) > 20  # the scan finds the commands' imports (it did find 40)
    script = (
        "import sys\n"
        "failed = []\n"
        "for where, statement in " + repr(imports) + ":\n"
        "    try:\n"
        "        exec(statement, {})\n"
        "    except Exception as error:\n"
        "        failed.append(f'{where}: {statement}: {type(error).__name__}: {error}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    ran = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, timeout=300, check=False
    )
    assert ran.returncode == 0, ran.stdout.decode() + ran.stderr.decode()[-2000:]

"""The shape of the code, checked: no import circles, packages depend one way, no reaching into private names.

The import graph is read with `ast` from the source of engine/, web/ and forms/: module-level imports and
the imports inside functions alike (a function-local import hides a circle, it does not remove one). An
edge goes from the importing module to the module it names: `from ..workflow import runtime` to
engine.workflow.runtime, `from ..workflow import start_instance` to engine.workflow (its __init__).
Importing a module does not count as importing its parent package's __init__ (that would make every
package that re-exports its modules a circle by construction).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 450

# engine's packages, lowest first: a package may import packages of lower layers only (README, Architecture).
ENGINE_LAYERS = [
    {"models"},
    {"core"},
    {"org", "security"},
    {"notify"},
    {"workflow"},
    {"documents"},
    {"cycle", "standards"},
    {"oversight", "warnings", "modeling", "registries", "supervision"},
    {"feeds"},  # its per-subject indicators read table 39's measures and the standards' criteria
    {"diagnosis", "servicedesk", "quality", "credits", "assessment", "reports"},
    {"scheduler"},
    {"demo", "wiring"},
    {"install"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def load_modules(*tops: str) -> dict[str, tuple[Path, ast.Module]]:
    out = {}
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            out[module_name(path)] = (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return out


MODULES = load_modules("engine", "web", "forms")


def _base(name: str, path: Path, level: int) -> str:
    """The package a relative import of `level` dots starts from."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return package


def imports(name: str, known=MODULES) -> list[tuple[str, str, ast.AST, str | None]]:
    """(imported module, imported name or "", node, local name bound to a module or None) for every import
    in module `name`, nested ones included."""
    path, tree = known[name]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, "", node, alias.asname) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _base(name, path, node.level) if node.level else ""
            target = ".".join(p for p in (base, node.module or "") if p)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    out.append((sub, "", node, alias.asname or alias.name))
                else:
                    out.append((target, alias.name, node, None))
    return out


def graph(known=MODULES, prefix: str = "") -> dict[str, set[str]]:
    """Edges between our own modules (those whose name starts with `prefix`)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for name in known:
        if not name.startswith(prefix):
            continue
        edges[name]
        for target, _, _, _ in imports(name, known):
            while target and target not in known:  # `import a.b.c` names module a.b.c or a package above it
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith(prefix):
                edges[name].add(target)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def package_of(module: str) -> str:
    """engine.workflow.runtime -> engine.workflow; engine.wiring -> engine.wiring; web.db -> web.db."""
    return ".".join(module.split(".")[:2])


# -- the checks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("top", ["engine", "web", "forms"])
def test_no_import_circles(top):
    assert circles(graph(prefix=top + ".")) == []


def test_engine_packages_depend_one_way():
    layer = {package: i for i, packages in enumerate(ENGINE_LAYERS) for package in packages}
    found = {name.split(".")[1] for name in MODULES if name.startswith("engine.") and name.count(".") >= 1}
    assert found == set(layer), "every engine package (and top-level module) has its place in ENGINE_LAYERS"
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in graph(prefix="engine.").items()
        for target in targets
        if target.count(".") >= 1
        and (a := source.split(".")[1]) != (b := target.split(".")[1])
        and layer[a] <= layer[b]
    )
    assert wrong == []


def _private_uses(name: str) -> list[str]:
    """Names starting with one underscore that `name` takes from a module of another package."""
    found = []
    aliases = {}  # local name -> module it stands for
    for target, imported, node, local in imports(name):
        if imported and imported.startswith("_") and not imported.startswith("__"):
            if package_of(target) != package_of(name):
                found.append(f"{name}: from {target} import {imported} (line {node.lineno})")
        if local and target in MODULES:
            aliases[local] = target
    for node in ast.walk(MODULES[name][1]):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            target = aliases[node.value.id]
            if node.attr.startswith("_") and not node.attr.startswith("__") and package_of(target) != package_of(name):
                found.append(f"{name}: {node.value.id}.{node.attr} of {target} (line {node.lineno})")
    return found


def test_no_module_uses_another_package_s_private_names():
    assert [use for name in MODULES for use in _private_uses(name)] == []


def test_engine_has_no_web_framework_and_forms_no_database():
    bad = []
    for name in MODULES:
        top = name.split(".")[0]
        for target, _, node, _ in imports(name):
            first = target.split(".")[0]
            if top == "engine" and (first in ("web",) or first == "flask" or first.startswith("flask_")):
                bad.append(f"{name} imports {target} (line {node.lineno})")
            if top == "forms" and (first in ("engine", "web", "sqlalchemy") or first.startswith("flask")):
                bad.append(f"{name} imports {target} (line {node.lineno})")
    assert bad == []


def test_no_engine_or_web_module_over_450_lines():
    long = {}
    for name, (path, _) in MODULES.items():
        if name.split(".")[0] in ("engine", "web"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long[str(path.relative_to(ROOT))] = lines
    assert long == {}


def _posts_without_transactional(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            decorators = [ast.unparse(d) for d in node.decorator_list]
            post = any(d.startswith("bp.post") or ("methods" in d and "POST" in d) for d in decorators)
            if post and "transactional" not in decorators:
                found.append(f"{node.name} (line {node.lineno})")
    return found


def test_every_post_view_commits_at_the_request_boundary():
    """One unit of work per request (web/db.py `transactional`): no view commits on its own."""
    bad = {}
    for name, (_path, tree) in MODULES.items():
        if name.startswith("web."):
            views = _posts_without_transactional(tree)
            commits = [
                f"line {n.lineno}" for n in ast.walk(tree)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "commit"
                and name not in ("web.db", "web.cli")
            ]  # fmt: skip
            if views or commits:
                bad[name] = views + commits
    assert bad == {}


def test_the_post_check_sees_a_view_without_its_commit_point():
    source = (
        "@bp.post('/x')\n@login_required\ndef x():\n    pass\n\n@bp.post('/y')\n@transactional\ndef y():\n    pass\n"
    )
    assert _posts_without_transactional(ast.parse(source)) == ["x (line 3)"]


# -- the checker itself finds what it looks for -------------------------------------------------------------


def test_the_checker_sees_relative_nested_and_package_imports():
    edges = graph(prefix="engine.")
    assert "engine.workflow.tasks" in edges["engine.workflow.runtime"]  # from . import tasks
    assert "engine.cycle" in edges["engine.wiring"] and "engine.documents" in edges["engine.wiring"]
    assert "engine.workflow.deploy" in edges["engine.modeling.versions"]  # from ..workflow.deploy import deploy
    assert "engine.workflow" in edges["engine.documents.service"]  # from .. import workflow (its __init__)


def test_the_checker_finds_a_circle_hidden_in_a_function(tmp_path):
    fake = {}
    for name, source in {
        "pkg.a": "from . import b\n",
        "pkg.b": "def later():\n    from . import c\n",
        "pkg.c": "import pkg.a\n",
        "pkg.d": "from .a import thing\n",
    }.items():
        path = tmp_path / (name.replace(".", "/") + ".py")
        fake[name] = (path, ast.parse(source))
    assert circles(graph(fake, "pkg.")) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_the_checker_finds_a_private_name_taken_from_another_package(monkeypatch):
    source = "from ..workflow import runtime\nfrom ..workflow.tasks import _hidden\nruntime._advance()\n"
    path = ROOT / "engine" / "documents" / "probe.py"
    monkeypatch.setitem(MODULES, "engine.documents.probe", (path, ast.parse(source)))
    assert len(_private_uses("engine.documents.probe")) == 2

"""The layers of src/gonghui/ import only downward (docs/architecture.md, "Layers").

A short import-graph check over the source tree: every `import gonghui.x` and
`from gonghui.x import …`, at any depth of the module (a lazy import inside a function is
still a dependency), is checked against the layer table. Imports made only for type hints
(`if TYPE_CHECKING:`) are allowed, since they do not run. Tests and migrations are not part
of the layering: tests of a low layer may build domain records with the factories.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gonghui

SRC = Path(gonghui.__file__).parent

# Lowest first. A module may import its own layer and the layers below it, never above.
LAYERS: list[tuple[str, set[str]]] = [
    ("core", {"core", "conf", "formats"}),
    ("access", {"access"}),
    ("web", {"web"}),
    ("exchange", {"exchange"}),
    ("domain", {"orgs", "accounts", "audit", "members", "assistance", "benefits", "donations", "activities", "summary"}),
    ("site", {"settings", "test_settings", "urls", "api", "wsgi"}),
    ("ops", {"ops"}),
    ("entry", {"cli", "testing", "__init__"}),
]
RANK = {top: rank for rank, (_, tops) in enumerate(LAYERS) for top in tops}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every gonghui import in `source` that runs."""
    tree = ast.parse(source)
    skip = _type_checking_lines(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("gonghui.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "gonghui":  # from gonghui import conf
                found += [(node.lineno, f"gonghui.{alias.name}") for alias in node.names]
            elif node.module.startswith("gonghui."):
                found.append((node.lineno, node.module))
    return found


def top_of(dotted: str) -> str:
    return dotted.split(".")[1]


def violations(path: Path, source: str) -> list[str]:
    own = path.relative_to(SRC).parts[0].removesuffix(".py")
    if own not in RANK:
        return [f"{path.relative_to(SRC)}: 不在分层表中（{own}）"]
    out = []
    for line, module in imported_modules(source):
        target = top_of(module)
        if target not in RANK:
            out.append(f"{path.relative_to(SRC)}:{line} imports {module}, which is in no layer")
        elif RANK[target] > RANK[own]:
            out.append(f"{path.relative_to(SRC)}:{line} ({LAYERS[RANK[own]][0]}) imports {module} ({LAYERS[RANK[target]][0]})")
    return out


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_it_finds_no_import_from_a_higher_layer():
    found = [v for path in _sources() for v in violations(path, path.read_text(encoding="utf-8"))]
    assert not found, "向上层的导入：\n" + "\n".join(found)


def test_every_top_level_package_has_a_layer():
    tops = {p.name.removesuffix(".py") for p in SRC.iterdir() if (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert tops - set(RANK) == set()


def test_it_catches_a_lazy_upward_import():
    source = "def f():\n    from gonghui.orgs.selectors import org_search\n    return org_search\n"
    assert violations(SRC / "access" / "scope.py", source) == [
        "access/scope.py:2 (access) imports gonghui.orgs.selectors (domain)"
    ]


def test_it_catches_a_module_import_and_a_package_import():
    assert violations(SRC / "core" / "db.py", "import gonghui.web.http\n")
    assert violations(SRC / "web" / "views.py", "from gonghui import members\n")


def test_it_allows_downward_and_type_only_imports():
    source = (
        "from typing import TYPE_CHECKING\nfrom gonghui.core import formats\nfrom gonghui.access.actor import Actor\n"
        "if TYPE_CHECKING:\n    from gonghui.orgs.models import Org\n"
    )
    assert violations(SRC / "web" / "http.py", source) == []


def test_selectors_never_import_services():
    """Reads stand below writes: a service may use a selector, never the other way round
    (the circle that was in assistance)."""
    found = []
    for path in _sources():
        if path.name == "selectors.py":
            for line, module in imported_modules(path.read_text(encoding="utf-8")):
                if module.endswith(".services"):
                    found.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not found, "\n".join(found)

"""The store's apps build on each other one way: orders on inventory, never back."""

import ast
from pathlib import Path

import bookshop.store

STORE = Path(bookshop.store.__file__).parent
APPS = ("inventory", "orders")
# Screens and commands that show or clear both apps sit on top of both, as the API does.
# The CSV import too: how many copies may leave a shelf is an order rule.
ON_TOP = {
    "inventory/admin.py",
    "inventory/catalog_import.py",
    "inventory/management/commands/clear_db.py",
}


def _module(path: Path) -> str:
    parts = path.relative_to(STORE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    paths = [p for app in APPS for p in (STORE / app).rglob("*.py")]
    modules = {_module(p): p for p in paths}
    return {name: _imports(path) & set(modules) for name, path in modules.items()}


def test_inventory_imports_nothing_from_orders():
    offenders = {
        str(path.relative_to(STORE)): sorted(
            name for name in _imports(path) if name.startswith("bookshop.store.orders")
        )
        for path in (STORE / "inventory").rglob("*.py")
        if str(path.relative_to(STORE)) not in ON_TOP
    }

    assert {path: names for path, names in offenders.items() if names} == {}


def test_no_module_of_inventory_or_orders_imports_itself_back():
    graph = _graph()
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        for target in sorted(graph[name]):
            if target in trail:
                cycles.append([*trail[trail.index(target) :], target])
            elif len(trail) < len(graph):
                visit(target, [*trail, target])

    for start in sorted(graph):
        visit(start, [start])

    assert cycles == []

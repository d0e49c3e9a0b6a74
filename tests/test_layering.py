"""Imports flow one way: ``theory`` imports nothing from ``proofs_check``, and each layer of
``proofs_check`` imports only from the layers below it (DESIGN of the package, see its
``__init__``).  Read from the source with :mod:`ast`, so imports inside functions count too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Bottom to top.  ``errors`` and ``limits`` are the base every layer may use.
LAYERS = ("base", "numerics", "sources", "model", "prover", "search", "analysis", "cli")
BASE_MODULES = {"errors", "limits", "validate", "verdicts", "files"}
#: Top-level modules that are front ends like the command line (the pytest plugin).
FRONT_ENDS = {"pytest_plugin"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "proofs_check" or len(parts) < 2:
        return None
    if parts[1] in FRONT_ENDS:
        return "cli"
    return "base" if parts[1] in BASE_MODULES else parts[1]


def _imports(path: Path, module: str) -> set[str]:
    out = set()
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out |= {f"{target}.{a.name}" for a in node.names}  # `from pkg import module`
    return out


def _modules(top: str):
    for path in sorted((ROOT / top).rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield path, ".".join(parts)


def test_every_module_is_in_a_layer():
    for path, module in _modules("proofs_check"):
        if module == "proofs_check":
            continue
        assert _layer(module) in LAYERS, f"{module} is in no layer of {LAYERS}"


def test_theory_imports_nothing_from_proofs_check():
    for path, module in _modules("theory"):
        bad = sorted(t for t in _imports(path, module) if t.startswith("proofs_check"))
        assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("path,module", list(_modules("proofs_check")), ids=lambda x: str(x))
def test_imports_go_down_only(path, module):
    if module == "proofs_check":
        return  # the facade re-exports from every layer
    own = LAYERS.index(_layer(module))
    up = sorted(t for t in _imports(path, module)
                if _layer(t) in LAYERS and LAYERS.index(_layer(t)) > own)
    assert not up, f"{module} ({LAYERS[own]}) imports from a layer above it: {up}"


def test_the_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("def f():\n    from proofs_check.cli.main import main\n")
    assert "proofs_check.cli.main" in _imports(bad, "proofs_check.numerics.m")

"""The layers of docs/DESIGN.md hold: every import in kamsim/ goes to the same or a lower layer.

The layer list is read from the ```layers block of docs/DESIGN.md, so the contract and the check cannot drift.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kamsim"
DESIGN = ROOT / "docs" / "DESIGN.md"


def documented_layers() -> list[list[str]]:
    """Layers from docs/DESIGN.md, lowest first; each a list of top-level names under kamsim/."""
    block = re.search(r"```layers\n(.*?)```", DESIGN.read_text(encoding="utf-8"), re.S)
    assert block, "docs/DESIGN.md has no ```layers block"
    layers = []
    for line in block.group(1).splitlines():
        names = line.split(":", 1)[-1]
        layers.append([n.strip() for n in names.split(",") if n.strip()])
    return layers


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit(module: str) -> str:
    """The layer unit of a module: its first name under kamsim (``kamsim`` itself for the facade)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "kamsim"


def is_submodule(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name / "__init__.py").exists()


def imports(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    """(line, imported kamsim module) for every import in ``path`` (or ``text`` as if it were there)."""
    text = path.read_text(encoding="utf-8") if text is None else text
    tree = ast.parse(text, filename=str(path))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if base == "kamsim":  # from kamsim import schema -> kamsim.schema; from kamsim import __version__ -> facade
                found += [(node.lineno, f"kamsim.{a.name}" if is_submodule(a.name) else "kamsim") for a in node.names]
            else:
                found.append((node.lineno, base))
    return [(line, name) for line, name in found if name == "kamsim" or name.startswith("kamsim.")]


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_documented_layer():
    known = {name for layer in documented_layers() for name in layer}
    units = {unit(module_name(p)) for p in sources()} - {"kamsim"}
    assert units <= known, f"modules missing from the layers of docs/DESIGN.md: {sorted(units - known)}"
    assert known <= units, f"docs/DESIGN.md lists layers that do not exist: {sorted(known - units)}"


def test_imports_only_go_down_the_layers():
    layers = documented_layers()
    rank = {name: i for i, layer in enumerate(layers) for name in layer}
    rank["kamsim"] = len(layers)  # the lazy facade sits on top of everything
    violations = []
    for path in sources():
        source = unit(module_name(path))
        if source == "kamsim":
            continue  # the facade may name anything
        for line, target in imports(path):
            if rank[unit(target)] > rank[source]:
                violations.append(f"{path.relative_to(ROOT)}:{line}: {source} imports {target}")
    assert not violations, "imports against the layer order of docs/DESIGN.md:\n" + "\n".join(violations)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from kamsim.engine import simulate", ["kamsim.engine"]),
        ("from kamsim import schema, __version__", ["kamsim.schema", "kamsim"]),
        ("import kamsim", ["kamsim"]),
        ("def f():\n    from kamsim.cli import main", ["kamsim.cli"]),
        ("from . import rules", ["kamsim.policies.segmentation"]),
        ("from ..base import Policy", ["kamsim.policies.base"]),
    ],
)
def test_the_import_walker_sees_every_form(code, expected):
    probe = PACKAGE / "policies" / "segmentation" / "probe.py"
    assert [name for _, name in imports(probe, code)] == expected

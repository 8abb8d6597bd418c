"""The shape of the helpers package, read from its source with `ast`.

- Its modules form layers: a module imports only modules of lower layers (so there is no cycle),
  and no module imports a helper inside a function to get round one; the benchmark command alone
  does, so that `--help` answers without loading TensorFlow.
- Everything it imports from outside the standard library comes from a distribution that
  requirements.txt lists, so `pip install -r requirements.txt` is all `import helpers` needs
  (the Colab replica, tools/colab_replica.py, builds a clean environment from it too).
- Importing the package and its light modules does not load TensorFlow.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from helpers.runtime import kit_root

HELPERS = kit_root() / "helpers"
MODULES = sorted(p.stem for p in HELPERS.glob("*.py") if p.stem != "__init__")

#: The layers, lowest first. A module may import modules of lower layers only.
LAYERS: list[set[str]] = [
    {"runtime", "params"},  # where the kit runs; the parameters cell's check
    {"download"},  # checked downloads into the cache
    {"ratings"},  # rating files, the id index, rating matrices, splits
    {"datasets"},  # MNIST, MovieLens, the toy matrices
    {"losses"},  # metrics
    {"lecture_model", "masked_loss"},  # generated from notebooks 01 and 02
    {"training"},  # the resumable fit
    {"evaluation"},  # metrics on held-out ratings, baselines
    {"autorec_net", "denoising", "stacked", "sparse"},  # generated from notebooks 03-06
    {"autorec", "experiments"},  # what the lessons train, and how
    {"kernel_autorec", "bfm"},  # generated from notebook 08: GLocal-K, the Bayesian FM
    {"ensemble"},  # generated from notebook 08: blends of the models above, weighted on validation
    {"plots", "report", "demo", "grading"},  # what the lessons show and check
    {"benchmark"},  # the command behind the README's figures (tools/benchmark.py)
]
#: Modules that may import helpers inside functions, and why.
LAZY_HELPER_IMPORTS: dict[str, str] = {}
#: The one import of the kit's tooling: `python -m helpers.benchmark` runs tools/benchmark.py, inside its function.
TOOLS_IMPORTS = {"benchmark"}
#: Tools for building and testing the kit (requirements-dev.txt); the students' library needs none of them.
DEV_ONLY = {"nbclient", "nbconvert", "jupytext", "nbformat", "nbval", "pytest", "tabulate", "ruff", "ipykernel"}


def imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import in helpers/<module>.py; helpers
    modules are named by their short name ("runtime"), others by their full dotted name."""
    tree = ast.parse((HELPERS / f"{module}.py").read_text(), filename=f"helpers/{module}.py")
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((_short(alias.name), child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = "helpers" + (f".{child.module}" if child.module else "") if child.level else child.module or ""
                if base == "helpers":  # from helpers import runtime, data
                    found.extend((alias.name, child.lineno, in_function) for alias in child.names)
                else:
                    found.append((_short(base), child.lineno, in_function))
            visit(child, inside)

    visit(tree, False)
    return found


def _short(name: str) -> str:
    return name.split(".", 1)[1].split(".")[0] if name.startswith("helpers.") else name


def layer_of(module: str) -> int:
    return next((i for i, layer in enumerate(LAYERS) if module in layer), len(LAYERS))


def test_every_module_has_a_layer() -> None:
    placed = set().union(*LAYERS)
    assert set(MODULES) - placed == set(), "put each new module of helpers/ in a layer of LAYERS"


def helper_graph() -> dict[str, set[str]]:
    return {m: {name for name, _, _ in imports(m) if name in MODULES} for m in MODULES}


def test_modules_import_only_lower_layers() -> None:
    wrong = [f"helpers/{m}.py:{line} imports {name} (layer {layer_of(name)}; {m} is in layer {layer_of(m)})"
             for m in MODULES for name, line, _ in imports(m) if name in MODULES and layer_of(name) >= layer_of(m)]
    assert wrong == []


def test_import_graph_has_no_cycle() -> None:
    graph, state = helper_graph(), {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == "open":
            raise AssertionError("import cycle: " + " -> ".join([*path, module]))
        if state.get(module) != "done":
            state[module] = "open"
            for name in sorted(graph[module]):
                visit(name, [*path, module])
            state[module] = "done"

    for module in MODULES:
        visit(module, [])


def test_no_helper_imported_inside_a_function() -> None:
    lazy = [f"helpers/{m}.py:{line} imports {name} inside a function"
            for m in MODULES if m not in LAZY_HELPER_IMPORTS
            for name, line, inside in imports(m) if inside and name in MODULES]
    assert lazy == [], "import helpers at the top of the module; a cycle means a module is in the wrong layer"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_normal(Requirement(line).name))
    return names


def third_party() -> dict[str, tuple[set[str], list[str]]]:
    """{top-level module: (the distributions that provide it, where helpers/ imports it)} for
    everything helpers/ imports from outside the standard library."""
    providers = importlib.metadata.packages_distributions()
    found: dict[str, tuple[set[str], list[str]]] = {}
    for m in MODULES:
        for name, line, _ in imports(m):
            top = name.split(".")[0]
            if name in MODULES or top in sys.stdlib_module_names or top in ("__future__", "helpers"):
                continue
            if top == "tools" and m in TOOLS_IMPORTS:
                continue
            dists = {_normal(d) for d in providers.get(top, [top])}
            found.setdefault(top, (dists, []))[1].append(f"helpers/{m}.py:{line}")
    return found


LISTED = requirements(kit_root() / "requirements.txt")


def test_third_party_imports_come_from_requirements() -> None:
    missing = {top: where for top, (dists, where) in third_party().items() if not dists & LISTED}
    assert missing == {}, f"add the distributions of these imports to requirements.txt: {missing}"
    assert {"keras", "tensorflow", "numpy", "pandas"} <= set(third_party())  # the parse sees the imports


def test_no_build_or_test_tool_in_the_library() -> None:
    tools = {top: where for top, (dists, where) in third_party().items() if dists & (DEV_ONLY - LISTED)}
    assert tools == {}, "helpers/ is the students' library: it must not need the kit's own tools"


@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports(module: str) -> None:
    importlib.import_module(f"helpers.{module}")


def test_importing_the_light_modules_does_not_load_tensorflow() -> None:
    light = ["helpers", "helpers.runtime", "helpers.params", "helpers.grading", "helpers.benchmark"]
    code = f"import sys\nfor m in {light!r}: __import__(m)\nprint(sorted({{'tensorflow', 'keras'}} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=kit_root(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"

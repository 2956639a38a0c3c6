"""The package's shape: the NumPy-only modules, and seqlib itself, import no framework.

Each import runs in a fresh interpreter, since this test session may already
have imported PyTorch or TensorFlow.
"""

import subprocess
import sys

import pytest

FRAMEWORKS = ("torch", "tensorflow", "keras")

# NumPy (and scikit-learn, SciPy, pandas) only: importing them must stay cheap.
NUMPY_ONLY = (
    "cells",
    "backprop",
    "data",
    "datasets",
    "metrics",
    "baselines",
    "audio",
    "text",
    "tasks",
)
# Modules that need a framework import it inside the functions that use it.
FRAMEWORK_WHEN_CALLED = (
    "reproducibility",
    "timing",
    "report",
    "frameworks",
    "parallel",
    "speed",
    "compress",
    "explain",
)


def _loaded_frameworks(statement: str) -> list[str]:
    code = (
        f"{statement}\n"
        "import sys\n"
        f"print(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [m for m in done.stdout.strip().split(",") if m]


def test_importing_seqlib_loads_no_framework():
    assert _loaded_frameworks("import seqlib") == []


@pytest.mark.parametrize("module", NUMPY_ONLY + FRAMEWORK_WHEN_CALLED)
def test_module_loads_no_framework(module):
    assert _loaded_frameworks(f"import seqlib.{module}") == []


def test_setup_without_frameworks_loads_none():
    statement = (
        "from seqlib.reproducibility import setup\n"
        "setup(seed=0, threads=1)\n"
        "import os\n"
        "assert os.environ['KERAS_BACKEND'] == 'tensorflow'"
    )
    assert _loaded_frameworks(statement) == []


def test_numpy_only_modules_name_no_framework_at_top_level():
    """A cheap static check beside the subprocess one: no top-level framework import."""
    import ast
    import importlib.util

    for module in NUMPY_ONLY:
        path = importlib.util.find_spec(f"seqlib.{module}").origin
        tree = ast.parse(open(path, encoding="utf-8").read())
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FRAMEWORKS, (module, name)

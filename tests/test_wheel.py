"""seqlib installs from a built wheel into a fresh environment and works there, as in Colab.

Colab already has NumPy, pandas, PyTorch and the rest; the book's first cell only adds
seqlib. The test does the same: it builds a wheel from this checkout, installs it without
dependencies into a new virtual environment that can see this environment's packages,
and imports seqlib from there, away from the source tree.
"""

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args, cwd=None):
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_wheel_installs_and_imports_in_a_fresh_environment(tmp_path):
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--no-build-isolation", "--wheel-dir", wheels, ROOT)  # fmt: skip
    wheel = next(wheels.glob("seqlib-*.whl"))

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    # The libraries seqlib uses, as Colab has them preinstalled: this environment's.
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
                .strip())  # fmt: skip
    (site / "host_packages.pth").write_text(sysconfig.get_path("purelib") + "\n")

    check = textwrap.dedent(
        f"""
        import numpy as np
        import seqlib
        from seqlib import cells, datasets

        assert seqlib.__file__.startswith({str(venv)!r}), seqlib.__file__
        assert datasets._FSDD_MANIFEST.exists(), "package data missing from the wheel"
        out, h, c = cells.lstm(np.ones((1, 3, 2)), cells.init_lstm(2, 4))
        assert out.shape == (1, 3, 4)
        print(seqlib.__version__)
        """
    )
    assert _run(python, "-c", check, cwd=tmp_path).strip() == "0.1.0"

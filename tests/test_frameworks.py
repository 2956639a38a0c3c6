"""seqlib.frameworks: Triton is loaded before TensorFlow, or kept out once it is too late.

Each case runs in a fresh interpreter, so that what this test process has already
imported does not matter. A stand-in ``triton`` package (an empty module) and a
stand-in ``tensorflow`` entry in ``sys.modules`` exercise every branch whichever
PyTorch build is installed; the last test uses the real libraries when the
default (CUDA) build of PyTorch, which brings Triton, is installed.
"""

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, tmp_path: Path, fake_triton: bool) -> subprocess.CompletedProcess:
    paths = [str(ROOT)]
    if fake_triton:
        (tmp_path / "triton").mkdir()
        (tmp_path / "triton" / "__init__.py").write_text("LOADED = True\n")
        paths.insert(0, str(tmp_path))
    code = f"import sys; sys.path[:0] = {paths!r}\n" + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_triton_is_loaded_when_tensorflow_is_not_there_yet(tmp_path):
    result = _python(
        """
        from seqlib.frameworks import load_triton_first
        assert "tensorflow" not in sys.modules
        assert load_triton_first() == "loaded"
        assert sys.modules["triton"].LOADED
        assert load_triton_first() == "loaded"  # a second call changes nothing
        """,
        tmp_path,
        fake_triton=True,
    )
    assert result.returncode == 0, result.stderr


def test_triton_is_disabled_with_a_warning_once_tensorflow_is_loaded(tmp_path):
    result = _python(
        """
        import types, warnings
        sys.modules["tensorflow"] = types.ModuleType("tensorflow")
        from seqlib.frameworks import load_triton_first
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert load_triton_first() == "disabled"
        assert "setup()" in str(caught[0].message), caught
        try:
            import triton
        except ImportError:
            pass
        else:
            raise AssertionError("triton could still be imported")
        assert load_triton_first() == "disabled"
        """,
        tmp_path,
        fake_triton=True,
    )
    assert result.returncode == 0, result.stderr


def test_nothing_happens_without_triton(tmp_path):
    result = _python(
        """
        import importlib.util
        real = importlib.util.find_spec
        def find_spec(name, *args):
            return None if name == "triton" else real(name, *args)
        importlib.util.find_spec = find_spec
        from seqlib.frameworks import load_triton_first
        assert load_triton_first() == "no triton"
        assert "triton" not in sys.modules
        """,
        tmp_path,
        fake_triton=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("triton") is None,
    reason="PyTorch's CPU build has no Triton (make test-py312 installs the default build)",
)
@pytest.mark.parametrize("tensorflow_first", [False, True])
def test_a_torch_optimizer_after_keras_does_not_crash(tmp_path, tensorflow_first):
    """Without the guard, ``import keras`` then a torch optimizer is a segfault."""
    order = (
        ["import keras", "load_triton_first()"]
        if tensorflow_first
        else ["load_triton_first()", "import keras"]
    )
    result = _python(
        f"""
        import os, warnings
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        warnings.simplefilter("ignore", RuntimeWarning)
        from seqlib.frameworks import load_triton_first
        {order[0]}
        {order[1]}
        import torch
        torch.optim.Adam(torch.nn.LSTM(3, 4).parameters())
        print("trained side by side")
        """,
        tmp_path,
        fake_triton=False,
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert "trained side by side" in result.stdout

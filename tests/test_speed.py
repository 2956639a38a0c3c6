"""seqlib.speed and benchmarks/rnn_speed.py: layers, timer, memory, profiler, grid, JSON."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from seqlib import speed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHAPE = (4, 6, 3)  # (batch, time, features)


def _output(layer, x):
    out = layer(x)
    return out[0] if isinstance(out, tuple) else out


def test_importing_speed_loads_no_framework():
    code = (
        "import sys, seqlib.speed\n"
        "print([m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("implementation", speed.IMPLEMENTATIONS)
@pytest.mark.parametrize("cell", speed.CELLS)
def test_torch_layers_return_every_step(cell, implementation):
    layer = speed.torch_layer(cell, 5, 3, implementation=implementation)
    assert _output(layer, torch.randn(*SHAPE)).shape == (4, 6, 5)


@pytest.mark.parametrize("cell", speed.CELLS)
def test_the_loop_of_cells_computes_what_the_fused_layer_does(cell):
    torch.manual_seed(0)
    fused = speed.torch_layer(cell, 5, 3)
    loop = speed.torch_layer(cell, 5, 3, implementation="loop")
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(loop.cell, name).copy_(getattr(fused, f"{name}_l0"))
    x = torch.randn(*SHAPE)
    torch.testing.assert_close(loop(x), fused(x)[0])


@pytest.mark.parametrize("mode", speed.MODES)
@pytest.mark.parametrize("implementation", speed.IMPLEMENTATIONS)
def test_time_step_returns_seconds_and_restores_the_threads(implementation, mode):
    layer = speed.torch_layer("gru", 5, 3, implementation=implementation)
    before = torch.get_num_threads()
    seconds = speed.time_step(layer, SHAPE, mode=mode, repeats=2, warmup=1, threads=1)
    assert 0 < seconds < 10 and math.isfinite(seconds)
    assert torch.get_num_threads() == before


def test_an_inference_step_leaves_no_gradients():
    layer = speed.torch_layer("lstm", 5, 3)
    speed.time_step(layer, SHAPE, mode="infer", repeats=1, warmup=0)
    assert all(p.grad is None for p in layer.parameters())


def test_peak_memory_grows_with_the_sequence():
    torch.manual_seed(0)
    layer = speed.torch_layer("gru", 16, 3)
    short = speed.peak_memory(layer, (8, 10, 3))
    long = speed.peak_memory(layer, (8, 40, 3))
    assert short > 0
    assert 2.5 < long / short < 5  # mostly the activations kept for the backward pass


def test_peak_memory_of_a_gru_step_exceeds_its_saved_states():
    batch, steps, hidden = 8, 20, 16
    layer = speed.torch_layer("gru", hidden, 3)
    states = batch * steps * hidden * 4  # float32 hidden states of every step
    assert speed.peak_memory(layer, (batch, steps, 3)) > states


def test_operations_lists_what_the_profiler_recorded():
    table = speed.operations(speed.torch_layer("gru", 8, 3), SHAPE)
    assert list(table.columns) == ["name", "kind", "calls", "self_ms"]
    assert (table.calls > 0).all() and (table.self_ms >= 0).all()
    assert table.self_ms.is_monotonic_decreasing
    assert not table.name.str.startswith("autograd::").any()
    # the GRU runs step by step on a CPU: a matrix product at every step
    assert table.set_index("name").loc["aten::mm", "calls"] >= SHAPE[1]


@pytest.mark.skipif(
    not torch.backends.mkldnn.is_available(), reason="PyTorch built without oneDNN"
)
def test_the_cpu_lstm_is_one_onednn_call_each_way():
    table = speed.operations(speed.torch_layer("lstm", 8, 3), SHAPE).set_index("name")
    for name in ("aten::mkldnn_rnn_layer", "aten::mkldnn_rnn_layer_backward"):
        assert table.loc[name, "calls"] == 1


def test_benchmark_returns_one_row_per_measurement():
    rows = speed.benchmark(
        [(4, 3), (6, 2)],
        cells="lstm",
        implementations=("fused", "loop"),
        repeats=1,
        warmup=0,
        progress=False,
    )
    assert len(rows) == 2 * 2 * 2  # sizes x implementations x modes
    assert set(rows.columns) >= {"framework", "hidden", "time", "mode", "seconds"}
    assert (rows.seconds > 0).all() and (rows.device == "cpu").all()
    assert rows.query("mode == 'train'").peak_mb.gt(0).all()
    assert rows.query("mode == 'infer'").peak_mb.isna().all()


def test_environment_names_the_machine_the_versions_and_the_date():
    record = speed.environment("cpu")
    assert record["device"] == "cpu" and record["device_name"]
    assert record["versions"]["torch"] == torch.__version__
    assert record["date"][:2] == "20" and "T" in record["date"]


def test_resolve_device():
    assert speed.resolve_device("cpu") == "cpu"
    assert speed.resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_resolve_device_refuses_a_missing_gpu():
    with pytest.raises(ValueError, match="PyTorch sees no CUDA GPU; got 'cuda'"):
        speed.resolve_device("cuda")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: speed.torch_layer("rnn", 4), "cell must be 'lstm' or 'gru'; got 'rnn'"),
        (lambda: speed.torch_layer("lstm", 0), "hidden must be a positive integer; got 0"),
        (
            lambda: speed.torch_layer("lstm", 4, implementation="unrolled"),
            "implementation must be 'fused' or 'loop'; got 'unrolled'",
        ),
        (lambda: speed.resolve_device("gpu"), "device must be one of .*; got 'gpu'"),
        (lambda: speed.environment("tpu"), "device must be 'cpu' or 'cuda'; got 'tpu'"),
        (lambda: speed.benchmark([]), "sizes must hold at least one"),
        (lambda: speed.benchmark([(4,)]), r"sizes must hold \(hidden, time\) pairs"),
        (
            lambda: speed.benchmark([(4, 3)], frameworks="jax"),
            "frameworks must be 'torch' or 'keras'; got 'jax'",
        ),
        (lambda: speed.benchmark([(4, 3)], threads=[0]), "threads must be a positive"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_shape": (4, 6)}, r"batch_shape must be \(batch, time, features\)"),
        ({"batch_shape": (4, 0, 3)}, "batch_shape must be a positive integer; got 0"),
        ({"mode": "eval"}, "mode must be 'train' or 'infer'; got 'eval'"),
        ({"repeats": 0}, "repeats must be a positive integer; got 0"),
        ({"warmup": -1}, "warmup must be a non-negative integer; got -1"),
        ({"threads": 0}, "threads must be a positive integer; got 0"),
    ],
)
def test_time_step_names_bad_arguments(kwargs, message):
    layer = speed.torch_layer("lstm", 4, 3)
    with pytest.raises(ValueError, match=message):
        speed.time_step(layer, **{"batch_shape": SHAPE, **kwargs})


def test_a_layer_of_neither_framework_is_refused():
    with pytest.raises(ValueError, match="layer must be a torch.nn.Module or a Keras"):
        speed.time_step(object(), SHAPE)
    with pytest.raises(ValueError, match="layer must be a torch.nn.Module"):
        speed.operations(object(), SHAPE)


def test_keras_layers_are_timed_and_have_no_cpu_memory_figure():
    pytest.importorskip("keras")
    for implementation in speed.IMPLEMENTATIONS:
        layer = speed.keras_layer("gru", 5, 3, implementation=implementation)
        assert tuple(layer(torch.randn(*SHAPE).numpy()).shape) == (4, 6, 5)
        for mode in speed.MODES:
            assert speed.time_step(layer, SHAPE, mode=mode, repeats=1, warmup=1) > 0
        assert math.isnan(speed.peak_memory(layer, SHAPE))


def test_the_script_writes_one_json_file_of_rows(tmp_path):
    command = [
        sys.executable, str(ROOT / "benchmarks" / "rnn_speed.py"), "--device", "cpu",
        "--frameworks", "torch", "--hidden", "4", "--time", "3", "--threads", "1", "2",
        "--repeats", "1", "--warmup", "0", "--out", str(tmp_path),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (path,) = tmp_path.glob("rnn_speed_cpu_*.json")
    record = json.loads(path.read_text())
    assert record["device"] == "cpu" and record["versions"]["torch"]
    assert record["settings"]["threads"] == [1, 2]
    rows = record["rows"]
    assert len(rows) == 2 * 2 * 2 * 2  # cells x implementations x modes x threads
    assert {row["threads"] for row in rows} == {1, 2}
    assert all(row["seconds"] > 0 for row in rows)
    for cell in ("lstm", "gru"):
        assert record["operations"][cell] and "name" in record["operations"][cell][0]

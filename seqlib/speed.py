"""Speed and memory of recurrent layers: LSTM and GRU, PyTorch and Keras, CPU and GPU.

The comparison chapter and ``benchmarks/rnn_speed.py`` measure the same things
with these functions:

* :func:`torch_layer` and :func:`keras_layer` build one recurrent layer two ways:
  ``"fused"``, the framework's own layer (``nn.LSTM``, ``keras.layers.LSTM``),
  which may hand the whole sequence to one library kernel (oneDNN on a CPU for
  PyTorch's LSTM, cuDNN on a GPU); and ``"loop"``, the cell applied step by step
  (a Python loop of ``nn.LSTMCell`` in PyTorch, ``keras.layers.RNN`` around
  ``LSTMCell`` in Keras, which loops inside TensorFlow's graph). Both return
  every step's output, ``(batch, time, hidden)``.
* :func:`time_step` times one training step (forward pass, sum, backward pass;
  no optimiser) or one inference step (forward pass without gradients); PyTorch
  training steps are timed by :func:`seqlib.timing.time_training_step`, the timer
  of the earlier chapters, and the other cases the same way (warm-up passes, then
  the mean of timed passes, the GPU synchronised before the clock stops).
* :func:`peak_memory` measures the most memory one training step holds at once;
  :func:`operations` lists the operations (and, on a GPU, the kernels) that
  ``torch.profiler`` records for one training step.
* :func:`benchmark` runs a grid of them and returns one row per measurement.

Importing this module imports no framework; each function imports the one it needs.
Shapes are batch first: ``batch_shape`` is ``(batch, time, features)``.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import os
import platform
import sys
from collections.abc import Iterable, Sequence

from ._checks import non_negative_int, one_of, positive_int

__all__ = [
    "CELLS",
    "DEVICES",
    "FRAMEWORKS",
    "IMPLEMENTATIONS",
    "MODES",
    "benchmark",
    "environment",
    "keras_layer",
    "operations",
    "peak_memory",
    "resolve_device",
    "time_step",
    "torch_layer",
]

FRAMEWORKS = ("torch", "keras")
CELLS = ("lstm", "gru")
IMPLEMENTATIONS = ("fused", "loop")
MODES = ("train", "infer")
DEVICES = ("cpu", "cuda")

_LOOP_CLASS = None


def _batch_shape(batch_shape) -> tuple[int, int, int]:
    if not isinstance(batch_shape, tuple | list) or len(batch_shape) != 3:
        raise ValueError(
            f"batch_shape must be (batch, time, features); got {batch_shape!r}"
        )
    return tuple(positive_int("batch_shape", n) for n in batch_shape)


def _framework_of(layer) -> str:
    """``"torch"`` for a ``torch.nn.Module``, ``"keras"`` for a Keras layer."""
    module = type(layer).__module__.split(".")[0]
    if module == "torch" or hasattr(layer, "named_parameters"):
        return "torch"
    if module == "keras" or hasattr(layer, "trainable_variables"):
        return "keras"
    raise ValueError(
        f"layer must be a torch.nn.Module or a Keras layer; got {type(layer).__name__}"
    )


def resolve_device(device: str = "auto") -> str:
    """``"cpu"`` or ``"cuda"``; ``"auto"`` is ``"cuda"`` when PyTorch sees a GPU.

    Raises:
        ValueError: if ``device`` is not ``"cpu"``, ``"cuda"`` or ``"auto"``, or
            is ``"cuda"`` on a machine where PyTorch sees no GPU.
    """
    one_of("device", device, (*DEVICES, "auto"))
    if device == "cpu":
        return "cpu"
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available():
        raise ValueError(
            "device must be 'cpu' or 'auto' here: PyTorch sees no CUDA GPU; got 'cuda'"
        )
    return "cuda"


def _loop_class():
    """The PyTorch module for ``implementation="loop"``, defined on first use."""
    global _LOOP_CLASS
    if _LOOP_CLASS is not None:
        return _LOOP_CLASS
    import torch
    from torch import nn

    class CellLoop(nn.Module):
        """``nn.LSTMCell`` or ``nn.GRUCell`` applied step by step in a Python loop.

        ``forward(x)`` takes ``(batch, time, features)`` and returns every step's
        hidden state ``(batch, time, hidden)``, as ``nn.LSTM(batch_first=True)``
        does, from zero initial states.
        """

        def __init__(self, cell: str, features: int, hidden: int) -> None:
            super().__init__()
            self.kind = cell
            self.cell = (nn.LSTMCell if cell == "lstm" else nn.GRUCell)(features, hidden)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = x.new_zeros(x.shape[0], self.cell.hidden_size)
            c = h
            outputs = []
            for t in range(x.shape[1]):
                if self.kind == "lstm":
                    h, c = self.cell(x[:, t], (h, c))
                else:
                    h = self.cell(x[:, t], h)
                outputs.append(h)
            return torch.stack(outputs, dim=1)

    _LOOP_CLASS = CellLoop
    return CellLoop


def torch_layer(
    cell: str,
    hidden: int,
    features: int = 8,
    *,
    implementation: str = "fused",
    device: str = "cpu",
):
    """One PyTorch recurrent layer: ``(batch, time, features)`` → ``(batch, time, hidden)``.

    Args:
        cell: ``"lstm"`` or ``"gru"``.
        hidden: hidden units (≥ 1).
        features: inputs per step (≥ 1).
        implementation: ``"fused"``, ``nn.LSTM`` or ``nn.GRU`` with
            ``batch_first=True`` (its output is a tuple ``(outputs, state)``);
            ``"loop"``, a Python loop of ``nn.LSTMCell`` or ``nn.GRUCell`` (its
            output is the outputs tensor).
        device: ``"cpu"`` or ``"cuda"``.

    Returns:
        A ``torch.nn.Module`` on ``device``, initialised from PyTorch's global
        generator (seed it first for repeatable weights).

    Raises:
        ValueError: if an argument is not one of the choices or not a positive
            integer.
    """
    one_of("cell", cell, CELLS)
    one_of("implementation", implementation, IMPLEMENTATIONS)
    hidden, features = positive_int("hidden", hidden), positive_int("features", features)
    one_of("device", device, DEVICES)
    from torch import nn

    if implementation == "fused":
        layer = (nn.LSTM if cell == "lstm" else nn.GRU)(features, hidden, batch_first=True)
    else:
        layer = _loop_class()(cell, features, hidden)
    return layer.to(device)


def _tensorflow():
    """TensorFlow, with GPU memory growing on demand (so PyTorch can share the GPU)."""
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # the GPU is already initialised: keep its setting
            pass
    return tf


def _tf_device(device: str) -> str:
    tf = _tensorflow()
    if device == "cuda":
        if not tf.config.list_physical_devices("GPU"):
            raise ValueError(
                "device must be 'cpu' for Keras here: TensorFlow sees no GPU (the "
                "book's environment installs tensorflow-cpu); got 'cuda'"
            )
        return "/GPU:0"
    return "/CPU:0"


def keras_layer(
    cell: str,
    hidden: int,
    features: int = 8,
    *,
    implementation: str = "fused",
    device: str = "cpu",
):
    """Keras layer: ``(batch, time, features)`` → ``(batch, time, hidden)``.

    Args:
        cell: ``"lstm"`` or ``"gru"``.
        hidden: hidden units (≥ 1).
        features: inputs per step (≥ 1).
        implementation: ``"fused"``, ``keras.layers.LSTM`` or ``keras.layers.GRU``
            (on a GPU with TensorFlow, Keras runs them with cuDNN); ``"loop"``,
            ``keras.layers.RNN`` around ``LSTMCell`` or ``GRUCell``, which always
            loops over the steps (inside TensorFlow's graph). Both return
            sequences.
        device: ``"cpu"`` or ``"cuda"``; the weights are created there.

    Returns:
        A Keras layer, built for ``(None, None, features)``, its weights drawn from
        Keras' generator (seed with ``keras.utils.set_random_seed``).

    Raises:
        ValueError: on a bad argument, or ``device="cuda"`` when TensorFlow sees
            no GPU.
    """
    one_of("cell", cell, CELLS)
    one_of("implementation", implementation, IMPLEMENTATIONS)
    hidden, features = positive_int("hidden", hidden), positive_int("features", features)
    one_of("device", device, DEVICES)
    tf = _tensorflow()
    import keras

    with tf.device(_tf_device(device)):
        if implementation == "fused":
            layer_class = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
            layer = layer_class(hidden, return_sequences=True)
        else:
            cell_class = keras.layers.LSTMCell if cell == "lstm" else keras.layers.GRUCell
            layer = keras.layers.RNN(cell_class(hidden), return_sequences=True)
        layer.build((None, None, features))
    layer.seqlib_device = device
    return layer


def _torch_step(layer, x, mode: str):
    """A function running one step of ``layer`` on ``x``."""
    import torch

    def forward():
        out = layer(x)
        return out[0] if isinstance(out, tuple) else out

    if mode == "train":
        return lambda: forward().sum().backward()

    def infer():
        with torch.no_grad():
            forward()

    return infer


@contextlib.contextmanager
def _quiet_tracing():
    """TensorFlow's warnings about tracing functions of the same code again, muted.

    Each layer is traced once per mode, by design; TensorFlow counts the traces
    of functions with the same code and warns of "retracing" after a few.
    """
    logger = _tensorflow().get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _keras_step(layer, mode: str):
    """A compiled TensorFlow function running one step of a Keras layer."""
    tf = _tensorflow()

    if mode == "train":

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(layer(x, training=True))
            return tape.gradient(loss, layer.trainable_variables)[0]

    else:

        @tf.function
        def step(x):
            return layer(x, training=False)

    return step


def _torch_threads(threads: int | None):
    """A context manager: PyTorch's intra-op threads set to ``threads`` while inside."""
    import contextlib

    import torch

    @contextlib.contextmanager
    def scope():
        before = torch.get_num_threads()
        if threads is not None:
            torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.set_num_threads(before)

    return scope()


def _check_keras_threads(threads: int | None) -> None:
    """TensorFlow fixes its thread pools at its first operation: refuse another count."""
    if threads is None:
        return
    tf = _tensorflow()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        current = tf.config.threading.get_intra_op_parallelism_threads()
        if current != threads:
            raise ValueError(
                f"threads must be {current or 'None'} for Keras in this process: "
                "TensorFlow fixes its thread count when it starts; got "
                f"{threads} (measure other counts in a new process)"
            ) from None


def time_step(
    layer,
    batch_shape: tuple[int, int, int] = (64, 100, 8),
    *,
    mode: str = "train",
    repeats: int = 10,
    warmup: int = 2,
    threads: int | None = None,
) -> float:
    """Average seconds for one training or inference step of a recurrent layer.

    A training step is the forward pass, the sum of the outputs and the backward
    pass (gradients, no optimiser); an inference step is the forward pass alone,
    without gradients (``torch.no_grad``, ``training=False``). The input is one
    random batch of ``batch_shape`` on the layer's device. ``warmup`` steps run
    first and are not timed (for Keras they also compile the TensorFlow
    function); the GPU, if any, is synchronised before and after the timed steps.
    PyTorch training steps are timed by :func:`seqlib.timing.time_training_step`,
    the timer of the earlier chapters.

    Args:
        layer: from :func:`torch_layer` or :func:`keras_layer` (any
            ``torch.nn.Module`` or built Keras layer taking ``(batch, time,
            features)`` works).
        batch_shape: ``(batch, time, features)``, each ≥ 1.
        mode: ``"train"`` or ``"infer"``.
        repeats: timed steps (≥ 1); the result is their mean.
        warmup: untimed steps before them (≥ 0; Keras needs at least 1 to keep
            compilation out of the time, so 0 is taken as 1).
        threads: intra-op threads. PyTorch's count is set for the timing and
            restored; TensorFlow's can only be set before it runs anything, so
            for Keras it must be ``None`` or the count already in use.

    Returns:
        Seconds per step.

    Raises:
        ValueError: on a bad argument, or a Keras thread count that TensorFlow
            can no longer take.
    """
    import time

    shape = _batch_shape(batch_shape)
    one_of("mode", mode, MODES)
    repeats = positive_int("repeats", repeats)
    warmup = non_negative_int("warmup", warmup)
    if threads is not None:
        threads = positive_int("threads", threads)
    framework = _framework_of(layer)

    if framework == "torch":
        import torch

        from .timing import time_training_step

        if mode == "train":  # where the layer's weights are
            return time_training_step(
                layer, shape, repeats=repeats, warmup=warmup, threads=threads
            )
        device = next(layer.parameters()).device
        sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
        with _torch_threads(threads):
            x = torch.randn(*shape, device=device)
            step = _torch_step(layer, x, mode)
            for _ in range(warmup):
                step()
            sync()
            start = time.perf_counter()
            for _ in range(repeats):
                step()
            sync()
            return (time.perf_counter() - start) / repeats

    _check_keras_threads(threads)
    tf = _tensorflow()
    with tf.device(_tf_device(getattr(layer, "seqlib_device", "cpu"))):
        x = tf.random.normal(shape)
        step = _keras_step(layer, mode)
        with _quiet_tracing():
            for _ in range(max(warmup, 1)):
                out = step(x)
        out.numpy()  # waits for the device
        start = time.perf_counter()
        for _ in range(repeats):
            out = step(x)
        out.numpy()
        return (time.perf_counter() - start) / repeats


@contextlib.contextmanager
def _profiled(activities, **kwargs):
    """``torch.profiler.profile``, without the lines its tracer writes to stderr.

    The tracer (Kineto) prints ``profiler_start`` and ``profiler_stop`` to the
    process's error stream at every profile, whatever its log level; they say
    nothing about the measurement, so the stream is sent to ``os.devnull``
    while the profiler starts and stops. Python exceptions are not affected.
    """
    from torch.profiler import profile

    @contextlib.contextmanager
    def quiet():
        sys.stderr.flush()
        saved = os.dup(2)
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
                os.close(saved)

    prof = profile(activities=activities, **kwargs)
    with quiet():
        prof.__enter__()
    try:
        yield prof
    finally:
        with quiet():
            prof.__exit__(None, None, None)


def _cpu_peak(prof) -> float:
    """The most bytes allocated at once, from a CPU profile's allocation timeline."""
    events = [e for e in prof.events() if e.self_cpu_memory_usage]
    events.sort(key=lambda e: e.time_range.start)
    held = peak = 0
    for event in events:
        held += event.self_cpu_memory_usage
        peak = max(peak, held)
    return float(peak)


def peak_memory(layer, batch_shape: tuple[int, int, int] = (64, 100, 8)) -> float:
    """Bytes one training step holds at its peak, beyond what was allocated before it.

    That is the activations kept for the backward pass, the gradients and the
    temporaries, not the weights or the input. On a CPU, PyTorch's allocations
    are read from ``torch.profiler``'s memory timeline; on a GPU, from PyTorch's
    or TensorFlow's allocator statistics. TensorFlow keeps no allocator
    statistics on a CPU, so a Keras layer there gives ``nan``.

    Args:
        layer: from :func:`torch_layer` or :func:`keras_layer`.
        batch_shape: ``(batch, time, features)``, each ≥ 1.

    Returns:
        Bytes, or ``nan`` where the framework does not report them.
    """
    shape = _batch_shape(batch_shape)
    if _framework_of(layer) == "keras":
        device = getattr(layer, "seqlib_device", "cpu")
        if device == "cpu":
            return math.nan
        tf = _tensorflow()
        with tf.device("/GPU:0"):
            x = tf.random.normal(shape)
            step = _keras_step(layer, "train")
            with _quiet_tracing():
                step(x).numpy()  # compile first
            before = tf.config.experimental.get_memory_info("GPU:0")["current"]
            tf.config.experimental.reset_memory_stats("GPU:0")
            step(x).numpy()
            peak = tf.config.experimental.get_memory_info("GPU:0")["peak"]
        return float(peak - before)

    import torch
    from torch.profiler import ProfilerActivity

    device = next(layer.parameters()).device
    x = torch.randn(*shape, device=device)
    step = _torch_step(layer, x, "train")
    step()  # warm-up: lazily created buffers are not part of a step
    layer.zero_grad(set_to_none=True)  # so that the step allocates its gradients
    if device.type == "cuda":
        torch.cuda.synchronize()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        step()
        torch.cuda.synchronize()
        return float(torch.cuda.max_memory_allocated() - before)
    with _profiled([ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    return _cpu_peak(prof)


def operations(layer, batch_shape: tuple[int, int, int] = (64, 100, 8)):
    """What ``torch.profiler`` records for one training step of a PyTorch layer.

    Args:
        layer: a ``torch.nn.Module`` from :func:`torch_layer`.
        batch_shape: ``(batch, time, features)``, each ≥ 1.

    Returns:
        A ``pandas.DataFrame``, one row per operation name (``aten::mm``,
        ``aten::mkldnn_rnn_layer``, ...) and, on a GPU, per kernel, with columns
        ``name``, ``kind`` (``"operation"`` or ``"gpu kernel"``), ``calls``
        (per step) and ``self_ms`` (time spent in it, not in what it calls),
        slowest first. Autograd's bookkeeping entries
        (``autograd::engine::...``) are left out.

    Raises:
        ValueError: if ``layer`` is not a PyTorch module, or on a bad shape.
    """
    shape = _batch_shape(batch_shape)
    if _framework_of(layer) != "torch":
        raise ValueError("layer must be a torch.nn.Module: only PyTorch is profiled here")
    import pandas as pd
    import torch
    from torch.profiler import ProfilerActivity

    device = next(layer.parameters()).device
    x = torch.randn(*shape, device=device)
    step = _torch_step(layer, x, "train")
    step()
    activities = [ProfilerActivity.CPU]
    if device.type == "cuda":
        activities.append(ProfilerActivity.CUDA)
        torch.cuda.synchronize()
    for _ in range(2):  # the profiler's first run carries its own start-up costs
        with _profiled(activities) as prof:
            step()
            if device.type == "cuda":
                torch.cuda.synchronize()
    rows = []
    for event in prof.key_averages():
        if event.key.startswith("autograd::"):
            continue
        on_gpu = str(getattr(event, "device_type", "")).endswith("CUDA")
        if on_gpu:
            micro = getattr(event, "self_device_time_total", None)
            if micro is None:
                micro = event.self_cuda_time_total
        else:
            micro = event.self_cpu_time_total
        kind = "gpu kernel" if on_gpu else "operation"
        rows.append({"name": event.key, "kind": kind, "calls": event.count,
                     "self_ms": micro / 1000})  # fmt: skip
    table = pd.DataFrame(rows, columns=["name", "kind", "calls", "self_ms"])
    return table.sort_values("self_ms", ascending=False, ignore_index=True)


def environment(device: str = "cpu") -> dict:
    """The machine and library versions a measurement was made with, and the date.

    Returns:
        ``{"device", "device_name", "date", "versions": {...}}``; ``device_name``
        is the GPU's name on ``"cuda"``, else the CPU's model and core count.
    """
    one_of("device", device, DEVICES)
    import importlib.metadata

    import torch

    if device == "cuda":
        name = torch.cuda.get_device_name(0)
    else:
        name = platform.processor() or platform.machine()
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as info:
                models = [ln.split(":", 1)[1].strip() for ln in info if "model name" in ln]
            if models:
                name = models[0]
        except OSError:
            pass
        name = f"{name}, {os.cpu_count()} logical cores"
    versions = {"python": platform.python_version(), "torch": torch.__version__}
    if device == "cuda":
        versions["cuda"] = torch.version.cuda
        versions["cudnn"] = torch.backends.cudnn.version()
    for package in ("tensorflow", "tensorflow-cpu", "keras", "numpy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {
        "device": device,
        "device_name": name,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": versions,
    }


def _sizes(sizes) -> list[tuple[int, int]]:
    out = []
    for pair in sizes:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValueError(f"sizes must hold (hidden, time) pairs; got {pair!r}")
        out.append((positive_int("hidden", pair[0]), positive_int("time", pair[1])))
    if not out:
        raise ValueError("sizes must hold at least one (hidden, time) pair")
    return out


def _choices(name: str, values: Iterable[str], choices: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        values = (values,)
    values = [one_of(name, v, choices) for v in values]
    if not values:
        raise ValueError(f"{name} must name at least one of {tuple(choices)}")
    return values


def benchmark(
    sizes: Iterable[tuple[int, int]],
    *,
    frameworks: Iterable[str] = ("torch",),
    cells: Iterable[str] = CELLS,
    implementations: Iterable[str] = IMPLEMENTATIONS,
    modes: Iterable[str] = MODES,
    threads: Iterable[int] = (1,),
    batch: int = 64,
    features: int = 8,
    device: str = "cpu",
    repeats: int = 5,
    warmup: int = 2,
    memory: bool = True,
    seed: int = 0,
    progress: bool = True,
):
    """Time (and weigh) every combination of a grid of recurrent layers.

    Args:
        sizes: ``(hidden, time)`` pairs: hidden units and sequence length.
        frameworks: any of ``"torch"``, ``"keras"``.
        cells: any of ``"lstm"``, ``"gru"``.
        implementations: any of ``"fused"``, ``"loop"`` (see :func:`torch_layer`).
        modes: any of ``"train"``, ``"infer"`` (see :func:`time_step`).
        threads: thread counts; for Keras only the count TensorFlow runs with.
        batch, features: the batch is ``(batch, time, features)``.
        device: ``"cpu"``, ``"cuda"`` or ``"auto"`` (:func:`resolve_device`).
        repeats, warmup: as for :func:`time_step`.
        memory: also measure :func:`peak_memory` of each training step (with the
            first thread count only: threads do not change what is allocated).
        seed: seeds the weights of every layer, so each is the same for every
            thread count and mode.
        progress: show a tqdm progress bar.

    Returns:
        A ``pandas.DataFrame`` with one row per measurement: ``framework``,
        ``cell``, ``implementation``, ``hidden``, ``time``, ``batch``,
        ``features``, ``threads``, ``mode``, ``device``, ``seconds`` (per step),
        ``peak_mb`` (training rows with ``memory``, else ``nan``).
    """
    import pandas as pd
    from tqdm.auto import tqdm

    pairs = _sizes(sizes)
    frameworks = _choices("frameworks", frameworks, FRAMEWORKS)
    cells = _choices("cells", cells, CELLS)
    implementations = _choices("implementations", implementations, IMPLEMENTATIONS)
    modes = _choices("modes", modes, MODES)
    threads = [positive_int("threads", n) for n in threads]
    if not threads:
        raise ValueError("threads must hold at least one thread count")
    batch, features = positive_int("batch", batch), positive_int("features", features)
    seed = non_negative_int("seed", seed)
    device = resolve_device(device)
    grid = [
        (fw, cell, impl, hidden, steps)
        for fw in frameworks
        for hidden, steps in pairs
        for cell in cells
        for impl in implementations
    ]
    rows = []
    bar = tqdm(total=len(grid) * len(modes) * len(threads), desc="timing",
               unit="step", disable=not progress, mininterval=0.5)  # fmt: skip
    for fw, cell, impl, hidden, steps in grid:
        if fw == "torch":
            import torch

            torch.manual_seed(seed)
            layer = torch_layer(cell, hidden, features, implementation=impl, device=device)
        else:
            import keras

            keras.utils.set_random_seed(seed)
            layer = keras_layer(cell, hidden, features, implementation=impl, device=device)
        shape = (batch, steps, features)
        for k, n in enumerate(threads):
            for mode in modes:
                seconds = time_step(
                    layer, shape, mode=mode, repeats=repeats, warmup=warmup, threads=n
                )
                peak = math.nan
                if memory and mode == "train" and k == 0:
                    peak = peak_memory(layer, shape) / 2**20
                rows.append({"framework": fw, "cell": cell, "implementation": impl,
                             "hidden": hidden, "time": steps, "batch": batch,
                             "features": features, "threads": n, "mode": mode,
                             "device": device, "seconds": seconds,
                             "peak_mb": peak})  # fmt: skip
                bar.update()
    bar.close()
    return pd.DataFrame(rows)

"""Data-parallel training: DDP's gradients, checkpoints, and launching processes safely.

The tests that start processes use the gloo backend on 127.0.0.1 with a free
port, each under a time limit after which every process is killed.
"""

import shutil
import subprocess
import textwrap
import time

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from seqlib import distributed, global_forecast

H, M = 4, 4


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _scaled_windows(n=16, seed=0):
    """Scaled windows ``(n, 4 * M)`` and targets ``(n, H)`` of positive seasonal series."""
    rng = np.random.default_rng(seed)
    t = np.arange(4 * M + H)
    raw = rng.uniform(10, 100, (n, 1)) * (1 + 0.3 * np.sin(2 * np.pi * t / M))
    raw *= np.exp(rng.normal(scale=0.05, size=raw.shape))
    steps, residual, _, snaive = global_forecast.normalise(
        raw[:, : 4 * M], H, raw[:, 4 * M :], season=M
    )
    return steps.reshape(n, -1).astype(np.float32), (residual + snaive).astype(np.float32)


def test_two_processes_average_to_the_single_process_gradient():
    X, Y = _scaled_windows(16)
    start = time.monotonic()
    per_rank, single = distributed.gradient_check(X, Y, season=M, hidden=8, timeout_s=120)
    assert time.monotonic() - start < 120
    assert per_rank.shape == (2, single.size)
    np.testing.assert_array_equal(per_rank[0], per_rank[1])  # the copies stay equal
    np.testing.assert_allclose(per_rank[0], single, rtol=1e-5, atol=1e-7)
    assert np.abs(single).max() > 1e-3  # a real gradient, not zeros


def _model_and_optimizer(seed=0):
    torch.manual_seed(seed)
    model = global_forecast.GlobalRNN(H, season=M, hidden=8)
    return model, torch.optim.Adam(model.parameters(), lr=1e-2)


def test_resuming_from_a_checkpoint_gives_the_same_weights(tmp_path):
    X, Y = _scaled_windows(40)
    settings = dict(epochs=4, batch_size=8, seed=3, log=None)
    whole, optimizer = _model_and_optimizer()
    distributed.train_epochs(whole, optimizer, X, Y, **settings)

    path = tmp_path / "checkpoint.pt"
    first, optimizer = _model_and_optimizer()
    run = distributed.train_epochs(
        first, optimizer, X, Y, stop_after=2, checkpoint=path, **settings
    )
    assert run["epochs_run"] == 2 and path.exists()
    resumed, optimizer = _model_and_optimizer(
        seed=1
    )  # other weights: all come from the file
    start = distributed.load_checkpoint(path, resumed, optimizer)
    assert start == 2
    distributed.train_epochs(resumed, optimizer, X, Y, start_epoch=start, **settings)
    expected, got = whole.state_dict(), resumed.state_dict()
    for name in expected:
        assert torch.equal(expected[name], got[name]), name


def test_train_epochs_reports_its_work():
    X, Y = _scaled_windows(20)
    model, optimizer = _model_and_optimizer()
    lines = []
    run = distributed.train_epochs(
        model, optimizer, X, Y, epochs=2, batch_size=8, val=(X[:4], Y[:4]), log=lines.append
    )
    assert run["epochs_run"] == 2 and run["steps"] == 6 and run["windows"] == 40
    assert len(run["loss"]) == len(run["val_loss"]) == len(lines) == 2
    assert run["windows_per_second"] > 0 and lines[0].startswith("epoch 1/2")


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path):
    path = tmp_path / "weights.pt"
    model, optimizer = _model_and_optimizer()
    torch.save(model.state_dict(), path)
    with pytest.raises(ValueError, match="checkpoint of save_checkpoint"):
        distributed.load_checkpoint(path, model, optimizer)


def test_bad_arguments_raise_value_errors(monkeypatch):
    X, Y = _scaled_windows(6)
    model, optimizer = _model_and_optimizer()
    with pytest.raises(ValueError, match="multiple of world_size=2"):
        distributed.local_batch_size(5, 2)
    with pytest.raises(ValueError, match="world_size must be a positive integer"):
        distributed.local_batch_size(4, 0)
    with pytest.raises(ValueError, match="split evenly"):
        distributed.gradient_check(X[:5], Y[:5], season=M)
    with pytest.raises(ValueError, match="X and Y must be windows"):
        distributed.train_epochs(model, optimizer, X, Y[:3], epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="start_epoch must be at most 1"):
        distributed.train_epochs(
            model, optimizer, X, Y, epochs=3, batch_size=2, stop_after=1, start_epoch=2
        )
    with pytest.raises(ValueError, match="timeout_s must be a positive number"):
        distributed.run_workers(_sleep, 2, timeout_s=0)
    with pytest.raises(ValueError, match="backend must be"):
        distributed.init_process("mpi")
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="start this script with torchrun"):
        distributed.init_process("gloo")


def _fail(rank, world_size, port):
    if rank == 1:
        raise RuntimeError("worker 1 failed on purpose")
    time.sleep(60)


def _sleep(rank, world_size, port):
    time.sleep(60)


def test_a_failing_worker_stops_all_of_them():
    start = time.monotonic()
    with pytest.raises(mp.ProcessRaisedException, match="failed on purpose"):
        distributed.run_workers(_fail, 2, timeout_s=60)
    assert time.monotonic() - start < 45


def test_workers_past_their_time_are_killed():
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="did not finish in 3 s"):
        distributed.run_workers(_sleep, 2, timeout_s=3)
    assert time.monotonic() - start < 30


def test_torchrun_starts_a_gloo_group_of_two(tmp_path):
    script = tmp_path / "all_reduce.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            import torch
            import torch.distributed as dist
            from seqlib import distributed

            rank, world_size = distributed.init_process("gloo", timeout_s=60)
            try:
                total = torch.tensor([rank + 1.0])
                dist.all_reduce(total)
                omp = os.environ["OMP_NUM_THREADS"]
                threads = torch.get_num_threads()
                print(f"rank {rank} of {world_size}: {total.item():g}, "
                      f"{threads} thread, OMP {omp}")
            finally:
                dist.destroy_process_group()
            """
        )
    )
    output = distributed.torchrun(script, nproc=2, timeout_s=120)
    for rank in (0, 1):
        assert f"rank {rank} of 2: 3, 1 thread, OMP 1" in output


def test_torchrun_kills_a_launch_past_its_time(tmp_path):
    script = tmp_path / "sleep.py"
    script.write_text("import time\nprint('started', flush=True)\ntime.sleep(120)\n")
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="ran past 8 s"):
        distributed.torchrun(script, nproc=1, timeout_s=8)
    assert time.monotonic() - start < 30
    with pytest.raises(ValueError, match="program must be a Python file or an importable"):
        distributed.torchrun(tmp_path / "missing.py")
    with pytest.raises(ValueError, match="program must be"):
        distributed.torchrun("seqlib.no_such_module")
    if shutil.which("pgrep"):  # nothing of the launch is left running
        time.sleep(0.5)
        found = subprocess.run(["pgrep", "-f", str(script)], capture_output=True, text=True)
        assert not found.stdout.split(), found.stdout

"""Train the M4 Hourly global LSTM on several processes with DistributedDataParallel.

Launched by torchrun, which starts one copy of this module per process (it ships
with seqlib, so the same command works in Colab):

    OMP_NUM_THREADS=1 python -m torch.distributed.run --nproc-per-node 2 \\
        -m seqlib.distributed_forecast --out run.json

Every process cuts the same training windows out of the 414 series (all but
their last 48 hours, which are the validation period, as in the M4 chapter),
trains its copy of the network on its share of each batch, and lets DDP
average the gradients. Rank 0 logs one line per epoch, writes the checkpoint
(``--checkpoint``), and at the end scores the validation period (OWA against
Naive2), saves the final weights (``--weights``) and writes a JSON summary
(``--out``). ``--stop-after`` ends the run early, as an interrupted job would,
and ``--resume`` continues from a checkpoint.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from . import baselines, datasets, distributed, global_forecast, metrics
from .reproducibility import set_seed
from .train import History

H, M, LOOKBACK = 48, 24, 7 * 24  # horizon, season, a week of input


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--stride", type=int, default=8, help="hours between windows")
    parser.add_argument("--max-windows", type=int, default=None, help="per series")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=256, help="over all processes")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", choices=distributed.BACKENDS, default=None)
    parser.add_argument("--checkpoint", help="written by rank 0 after every epoch")
    parser.add_argument("--resume", help="a checkpoint to continue from")
    parser.add_argument("--stop-after", type=int, default=None, help="epochs, then stop")
    parser.add_argument("--weights", help="the final state_dict, written by rank 0")
    parser.add_argument("--out", help="the JSON summary, written by rank 0")
    return parser.parse_args(argv)


def scaled(X: np.ndarray, Y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows and targets as the network sees them: log ratios to the window mean."""
    steps, residual, _, snaive = global_forecast.normalise(X, H, Y, season=M)
    x = steps.reshape(len(X), -1)  # (n, lookback)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(residual + snaive).float()


def validation_owa(model: torch.nn.Module, series: list, hidden: int) -> float:
    """OWA on the last 48 hours of every series, relative to Naive2's."""
    history = [y[:-H] for y in series]
    truth = np.stack([y[-H:] for y in series])
    forecaster = global_forecast.GlobalForecaster(
        model, H, M, M, LOOKBACK, "lstm", hidden, 1, True, "window", "raise", History(), 0
    )
    ours = metrics.m4_scores(
        global_forecast.forecast_global(forecaster, history), truth, history, M
    )
    naive2 = np.stack([baselines.naive2(y, H, M) for y in history])
    ref = metrics.m4_scores(naive2, truth, history, M)
    return metrics.owa(ours["smape"], ours["mase"], ref["smape"], ref["mase"])


def main(argv=None) -> None:
    args = parse(argv)
    started = time.perf_counter()
    rank, world_size = distributed.init_process(args.backend, threads=1)
    try:
        nccl = dist.get_backend() == "nccl"  # one GPU per process, chosen by init_process
        device = torch.device("cuda", torch.cuda.current_device()) if nccl else "cpu"
        series, _ = datasets.load("m4-hourly")
        history = [y[:-H] for y in series]  # the last 48 hours are for validation
        X, Y, _ = global_forecast.windows(
            history, LOOKBACK, H, stride=args.stride, max_windows=args.max_windows
        )
        x, y = scaled(X, Y)
        X_val, Y_val, _ = global_forecast.windows(series, LOOKBACK, H, max_windows=1)
        val = scaled(X_val, Y_val)

        set_seed(args.seed)  # the same initial weights in every process
        model = global_forecast.GlobalRNN(H, season=M, hidden=args.hidden).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
        start_epoch = 0
        if args.resume:
            start_epoch = distributed.load_checkpoint(args.resume, model, optimizer)
        ddp = DistributedDataParallel(model)  # broadcasts rank 0's weights
        set_seed(args.seed + rank)  # per-process randomness (dropout, augmentation)

        log = print if rank == 0 else None
        if log:
            log(f"{world_size} process(es), {len(x)} windows, from epoch {start_epoch}")
        run = distributed.train_epochs(
            ddp,
            optimizer,
            x,
            y,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            start_epoch=start_epoch,
            stop_after=args.stop_after,
            checkpoint=args.checkpoint,
            val=val,
            log=log,
        )
        if rank == 0:
            finished = start_epoch + run["epochs_run"] == args.epochs
            summary = {
                "world_size": world_size,
                "backend": dist.get_backend(),
                "threads": torch.get_num_threads(),
                "n_windows": len(x),
                "start_epoch": start_epoch,
                **run,
                "step_ms": 1000 * run["seconds"] / max(run["steps"], 1),
                "val_owa": validation_owa(model, series, args.hidden) if finished else None,
                "total_seconds": time.perf_counter() - started,
            }
            if args.weights:
                torch.save(model.state_dict(), args.weights)
            if args.out:
                with open(args.out, "w", encoding="utf-8") as f:
                    json.dump(summary, f, indent=1)
            print(f"done in {summary['total_seconds']:.1f} s")
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()

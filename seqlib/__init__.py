"""seqlib: the library behind *LSTM and GRU for sequence prediction, in Python*.

Modules, each imported on its own (``from seqlib import cells``):

* :mod:`seqlib.cells` — NumPy reference RNN, LSTM and GRU layers;
* :mod:`seqlib.convert` — weights to and from PyTorch and Keras;
* :mod:`seqlib.backprop` — gradients through time for the NumPy layers;
* :mod:`seqlib.diagrams` — the book's cell diagrams, drawn with matplotlib;
* :mod:`seqlib.data` — windows, chronological splits, scaling, padding;
* :mod:`seqlib.datasets` — the book's datasets, one record each, verified and downloaded;
* :mod:`seqlib.audio` — MFCC frames, normalisation and augmentation for speech;
* :mod:`seqlib.text` — tokens, vocabularies, token ids and NB-SVM's feature scaling;
* :mod:`seqlib.torch_models`, :mod:`seqlib.keras_models` — one model, two frameworks;
* :mod:`seqlib.train` — a PyTorch training loop with early stopping;
* :mod:`seqlib.metrics` — MAE, RMSE, M4's sMAPE, MASE and OWA, accuracy;
* :mod:`seqlib.baselines` — naive, seasonal naive, M4's Naive2 and Theta, ETS, ARIMA;
* :mod:`seqlib.global_forecast` — one LSTM or GRU trained across many series;
* :mod:`seqlib.parallel` — several models trained side by side, one thread each;
* :mod:`seqlib.tasks` — synthetic tasks of known difficulty (adding, delayed recall);
* :mod:`seqlib.attention` — additive attention over an LSTM or GRU encoder;
* :mod:`seqlib.speed` — training and inference steps timed across sizes and devices;
* :mod:`seqlib.compress` — int8, pruning, half precision, sizes and latencies;
* :mod:`seqlib.explain` — gate values over an input, integrated gradients;
* :mod:`seqlib.distributed`, :mod:`seqlib.distributed_forecast` — training on
  several processes with DistributedDataParallel, and the module torchrun launches;
* :mod:`seqlib.plots` — training curves and forecast figures;
* :mod:`seqlib.report` — numbers from cells into the prose;
* :mod:`seqlib.reproducibility` — a chapter's set-up: environment, seeds, threads,
  the device;
* :mod:`seqlib.frameworks` — PyTorch and TensorFlow in one process (Triton first);
* :mod:`seqlib.timing` — the time of one training step of a recurrent layer.

Importing :mod:`seqlib` does not import PyTorch or TensorFlow; the functions
that need them import them when called.
"""

__version__ = "0.1.0"

"""PyTorch model builders: a sequence regressor and a sequence classifier.

:mod:`seqlib.keras_models` builds the same models in Keras with the same
arguments, so that a chapter can train both on the same data and compare.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._checks import classifier_inputs, recurrent_layers

__all__ = ["regressor", "classifier", "SequenceRegressor", "SequenceClassifier"]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def _layers(inputs, outputs, cell, hidden, layers, bidirectional, dropout):
    """The recurrent stack, the dropout before the head, and the linear head."""
    rnn = CELLS[cell](
        inputs,
        hidden,
        num_layers=layers,
        batch_first=True,
        bidirectional=bidirectional,
        dropout=dropout if layers > 1 else 0.0,
    )
    head = nn.Linear(hidden * (2 if bidirectional else 1), outputs)
    return rnn, nn.Dropout(dropout), head


def _last_state(state, bidirectional: bool) -> torch.Tensor:
    """The top layer's final hidden state ``(batch, hidden · dirs)``.

    ``state`` is what the recurrent layer returns after its outputs: ``(h_n, c_n)``
    for an LSTM, ``h_n`` for a GRU or plain RNN, with ``h_n`` of shape
    ``(layers · dirs, batch, hidden)``.
    """
    h_n = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n)
    if bidirectional:  # forward direction's last step and backward direction's first
        return torch.cat([h_n[-2], h_n[-1]], dim=1)
    return h_n[-1]


class SequenceRegressor(nn.Module):
    """Recurrent layers, linear head: ``(batch, time, features)`` → ``(batch, horizon)``.

    The head reads the top layer's final hidden state (both directions' when
    bidirectional) and predicts all ``horizon`` future values at once (a direct
    multi-step forecast). ``torch_models.regressor`` is this class.

    Args:
        n_features: values per time step.
        horizon: values predicted at once.
        cell: ``"lstm"``, ``"gru"`` or ``"rnn"``.
        hidden: hidden size of each recurrent layer.
        layers: stacked recurrent layers.
        bidirectional: read each window both ways.
        dropout: dropout between layers and before the head.
    """

    def __init__(
        self,
        n_features: int,
        horizon: int = 1,
        *,
        cell: str = "lstm",
        hidden: int = 32,
        layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        recurrent_layers(CELLS, cell, hidden, layers, dropout)
        self.bidirectional = bidirectional
        self.rnn, self.dropout, self.head = _layers(
            n_features, horizon, cell, hidden, layers, bidirectional, dropout
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forecasts ``(batch, horizon)`` for windows ``x`` ``(batch, time, features)``."""
        _, state = self.rnn(x)
        return self.head(self.dropout(_last_state(state, self.bidirectional)))


class SequenceClassifier(nn.Module):
    """Embedding (or dense) input, a recurrent stack, pooling over time and a linear head.

    ``forward(x, lengths=None)`` takes token ids ``(batch, time)`` (with
    ``vocab_size``) or features ``(batch, time, features)`` (with
    ``n_features``), and the true lengths ``(batch,)`` when the batch is padded.
    With lengths, the sequences are packed, so padded steps never reach the
    recurrent layers and the result does not depend on how much padding there
    is. Returns logits ``(batch, n_classes)``; train with
    ``seqlib.train.fit(..., loss="cross_entropy")``. Word vectors start uniform in
    ``±0.05``, as in Keras, rather than PyTorch's standard normal.
    ``torch_models.classifier`` is this class. It runs on whichever device its
    weights are on (``lengths`` may be on the CPU or there).

    Args:
        n_classes: number of classes (2 for binary tasks).
        vocab_size: size of the token vocabulary, id 0 being padding; inputs are
            then ids ``(batch, time)``.
        embedding_dim: size of the learned token vectors.
        n_features: values per step for dense inputs ``(batch, time, features)``
            (e.g. MFCC frames); give this or ``vocab_size``.
        cell, hidden, layers, bidirectional, dropout: as for
            :class:`SequenceRegressor`.
        pooling: ``"last"`` (final state), ``"max"`` or ``"mean"`` over the real
            (unpadded) time steps.
    """

    def __init__(
        self,
        n_classes: int,
        *,
        vocab_size: int | None = None,
        embedding_dim: int = 64,
        n_features: int | None = None,
        cell: str = "lstm",
        hidden: int = 32,
        layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        pooling: str = "last",
    ) -> None:
        super().__init__()
        recurrent_layers(CELLS, cell, hidden, layers, dropout)
        classifier_inputs(n_classes, vocab_size, n_features, pooling)
        self.embedding = None
        if vocab_size:
            # Keras' start, U(-0.05, 0.05), not PyTorch's N(0, 1): on small text datasets
            # large random word vectors saturate the gates and train worse.
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
            with torch.no_grad():
                self.embedding.weight.uniform_(-0.05, 0.05)
                self.embedding.weight[0] = 0.0
        inputs = embedding_dim if vocab_size else n_features
        self.bidirectional, self.pooling = bidirectional, pooling
        self.rnn, self.dropout, self.head = _layers(
            inputs, n_classes, cell, hidden, layers, bidirectional, dropout
        )

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Logits ``(batch, n_classes)``; ``lengths`` ``(batch,)`` when ``x`` is padded."""
        if self.embedding is not None:
            x = self.embedding(x)
        steps = x.shape[1]
        if lengths is not None:
            lengths = lengths.cpu().long().clamp(min=1)  # packing reads them on the CPU
            packed = pack_padded_sequence(
                x, lengths, batch_first=True, enforce_sorted=False
            )
            out, state = self.rnn(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=steps)
            positions = torch.arange(steps, device=out.device)
            mask = positions[None, :] < lengths.to(out.device)[:, None]
        else:
            out, state = self.rnn(x)
            mask = torch.ones(x.shape[:2], dtype=torch.bool, device=out.device)
        if self.pooling == "last":
            pooled = _last_state(state, self.bidirectional)
        elif self.pooling == "max":
            pooled = out.masked_fill(~mask[..., None], float("-inf")).max(dim=1).values
        else:
            pooled = (out * mask[..., None]).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        return self.head(self.dropout(pooled))


# The builders have the same names and arguments as those of seqlib.keras_models.
regressor = SequenceRegressor
classifier = SequenceClassifier

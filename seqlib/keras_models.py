"""Keras model builders with the same arguments as :mod:`seqlib.torch_models`.

The models are functional ``keras.Model`` objects, not compiled: each chapter
compiles them with its own optimizer and loss so that the choice is visible.
Classifiers return logits; compile them with
``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``.
"""

from __future__ import annotations

from .frameworks import load_triton_first

load_triton_first()  # before Keras loads TensorFlow (see seqlib.frameworks)

import keras  # noqa: E402
from keras import layers as L  # noqa: E402
from keras import ops  # noqa: E402

from ._checks import classifier_inputs, recurrent_layers  # noqa: E402

__all__ = [
    "regressor",
    "classifier",
    "MaskedGlobalMaxPooling1D",
    "MaskedGlobalAveragePooling1D",
]

CELLS = {"lstm": L.LSTM, "gru": L.GRU, "rnn": L.SimpleRNN}


@keras.saving.register_keras_serializable(package="seqlib")
class MaskedGlobalMaxPooling1D(L.Layer):
    """Maximum over time of ``(batch, time, channels)`` that skips masked (padded) steps.

    Keras' own ``GlobalMaxPooling1D`` ignores the mask, so padded steps could win
    the maximum. A sequence with no step at all (an empty text) pools to zeros.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        pooled = ops.max(ops.where(keep, inputs, ops.full_like(inputs, -1e9)), axis=1)
        return ops.where(ops.any(keep, axis=1), pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None


@keras.saving.register_keras_serializable(package="seqlib")
class MaskedGlobalAveragePooling1D(L.Layer):
    """Mean over the unmasked steps of ``(batch, time, channels)``.

    Keras' own ``GlobalAveragePooling1D`` divides by the number of unmasked
    steps, which is zero for an empty sequence; this divides by at least one, so
    an empty text pools to zeros. Other sequences get the same mean.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        count = ops.maximum(ops.sum(weights, axis=1), 1.0)
        return ops.sum(inputs * weights, axis=1) / count

    def compute_mask(self, inputs, mask=None):
        return None


def _stack(x, cell, hidden, layers, bidirectional, dropout, last_returns_sequences):
    for k in range(layers):
        sequences = last_returns_sequences or k < layers - 1
        rnn = CELLS[cell](hidden, return_sequences=sequences)
        x = L.Bidirectional(rnn)(x) if bidirectional else rnn(x)
        if dropout and k < layers - 1:
            x = L.Dropout(dropout)(x)
    return x


def regressor(
    n_features: int,
    horizon: int = 1,
    *,
    cell: str = "lstm",
    hidden: int = 32,
    layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
) -> keras.Model:
    """A forecaster: ``(batch, time, n_features)`` → ``(batch, horizon)``.

    The same model as :func:`seqlib.torch_models.regressor`: recurrent layers, the
    top layer's final state, dropout, and one linear layer predicting all
    ``horizon`` values.
    """
    recurrent_layers(CELLS, cell, hidden, layers, dropout)
    inputs = keras.Input(shape=(None, n_features))
    x = _stack(inputs, cell, hidden, layers, bidirectional, dropout, False)
    if dropout:
        x = L.Dropout(dropout)(x)
    outputs = L.Dense(horizon)(x)
    return keras.Model(inputs, outputs, name=f"{cell}_regressor")


def classifier(
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
) -> keras.Model:
    """A sequence classifier returning logits ``(batch, n_classes)``.

    The same model as :func:`seqlib.torch_models.classifier`. Padding is masked:
    token id 0 through ``Embedding(mask_zero=True)``, all-zero feature frames
    through ``Masking``, so padded steps do not change the result.
    """
    recurrent_layers(CELLS, cell, hidden, layers, dropout)
    classifier_inputs(n_classes, vocab_size, n_features, pooling)
    if vocab_size:
        inputs = keras.Input(shape=(None,), dtype="int32")
        x = L.Embedding(vocab_size, embedding_dim, mask_zero=True)(inputs)
    else:
        inputs = keras.Input(shape=(None, n_features))
        x = L.Masking(mask_value=0.0)(inputs)
    x = _stack(x, cell, hidden, layers, bidirectional, dropout, pooling != "last")
    if pooling == "max":
        x = MaskedGlobalMaxPooling1D()(x)
    elif pooling == "mean":
        x = MaskedGlobalAveragePooling1D()(x)
    if dropout:
        x = L.Dropout(dropout)(x)
    outputs = L.Dense(n_classes)(x)
    return keras.Model(inputs, outputs, name=f"{cell}_classifier")

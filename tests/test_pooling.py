"""Masked pooling in the Keras classifier: padding never counts, empty texts answer."""

import numpy as np
import pytest

from seqlib import keras_models


@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
def test_an_empty_text_gets_a_finite_answer_and_others_ignore_padding(pooling):
    model = keras_models.classifier(2, vocab_size=10, hidden=4, pooling=pooling)
    batch = np.array([[2, 3, 0, 0], [0, 0, 0, 0], [2, 3, 4, 5]], dtype="int32")
    logits = np.asarray(model(batch))
    assert np.isfinite(logits).all() and np.abs(logits).max() < 1e3, logits
    alone = np.asarray(model(batch[:1, :2]))
    np.testing.assert_allclose(logits[0], alone[0], rtol=1e-5, atol=1e-6)


def test_masked_mean_equals_the_mean_over_the_kept_steps():
    x = np.arange(24, dtype="float32").reshape(2, 4, 3)
    mask = np.array([[1, 1, 0, 0], [0, 0, 0, 0]], dtype=bool)
    pooled = np.asarray(keras_models.MaskedGlobalAveragePooling1D()(x, mask=mask))
    np.testing.assert_allclose(pooled[0], x[0, :2].mean(axis=0))
    np.testing.assert_allclose(pooled[1], 0.0)
    pooled = np.asarray(keras_models.MaskedGlobalMaxPooling1D()(x, mask=mask))
    np.testing.assert_allclose(pooled[0], x[0, 1])
    np.testing.assert_allclose(pooled[1], 0.0)

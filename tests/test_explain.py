"""Gate traces replay the trained layers; token attributions are complete."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from seqlib import cells, explain, torch_models


def _x(batch, time, features, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, time, features))


def test_importing_explain_loads_no_framework_or_captum():
    code = (
        "import seqlib.explain, sys\n"
        "print([m for m in ('torch', 'captum', 'tensorflow') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_gate_trace_replays_a_torch_layer(kind):
    torch.manual_seed(0)
    layer = getattr(torch.nn, kind)(4, 5, batch_first=True)
    x = _x(3, 6, 4)
    trace = explain.gate_trace(layer, x)
    with torch.no_grad():
        outputs = layer(torch.tensor(x, dtype=torch.float32))[0].numpy()
    np.testing.assert_allclose(trace["h"], outputs, atol=1e-5)
    gates = ("f", "i", "o") if kind == "LSTM" else ("r", "z")
    expected = explain.LSTM_FIELDS if kind == "LSTM" else explain.GRU_FIELDS
    assert set(trace) == set(expected)
    for name in trace:
        assert trace[name].shape == (3, 6, 5)
    for gate in gates:
        assert ((trace[gate] > 0) & (trace[gate] < 1)).all()


def test_gate_trace_matches_the_cells_step_by_step():
    params = cells.init_lstm(3, 4, seed=2)
    x = _x(1, 5, 3)
    trace = explain.gate_trace(params, x[0])  # one sequence: (time, hidden)
    h = c = np.zeros((1, 4))
    for t in range(5):
        step = cells.lstm_step(x[:, t], h, c, params)
        h, c = step.h, step.c
        for name in explain.LSTM_FIELDS:
            np.testing.assert_allclose(trace[name][t], getattr(step, name)[0])
    assert trace["f"].shape == (5, 4)


def test_gate_trace_of_a_gru_keeps_the_previous_state_by_z():
    params = cells.init_gru(2, 3, seed=1)
    trace = explain.gate_trace(params, _x(1, 4, 2)[0])
    h_prev = np.vstack([np.zeros(3), trace["h"][:-1]])
    expected = trace["z"] * h_prev + (1 - trace["z"]) * trace["h_tilde"]
    np.testing.assert_allclose(trace["h"], expected)


@pytest.mark.parametrize(
    "x", [np.zeros((5,)), np.zeros((2, 5, 7)), np.zeros((0, 3)), np.zeros((1, 2, 3, 3))]
)
def test_gate_trace_rejects_inputs_of_the_wrong_shape(x):
    with pytest.raises(ValueError, match="x must have shape"):
        explain.gate_trace(cells.init_gru(3, 2), x)


def test_gate_trace_rejects_other_layers():
    with pytest.raises(ValueError, match="layer must be"):
        explain.gate_trace(torch.nn.RNN(3, 2), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="one-layer"):
        explain.gate_trace(torch.nn.LSTM(3, 2, num_layers=2), np.zeros((4, 3)))


def _classifier(seed=0):
    torch.manual_seed(seed)
    model = torch_models.classifier(2, vocab_size=30, embedding_dim=6, cell="gru", hidden=5)
    with torch.no_grad():  # larger word vectors than the default start, for clear scores
        model.embedding.weight.normal_()
        model.embedding.weight[0] = 0
    return model.eval()


def margin(logits):
    return logits[:, 1] - logits[:, 0]


@pytest.mark.parametrize("with_lengths", [False, True])
def test_token_attributions_are_complete(with_lengths):
    pytest.importorskip("captum")
    model = _classifier()
    ids = np.array([5, 9, 2, 17, 4, 11])
    lengths = len(ids) if with_lengths else None
    result = explain.token_attributions(model, ids, score=margin, lengths=lengths)
    assert result.values.shape == (6,)
    with torch.no_grad():
        score = float(margin(model(torch.tensor(ids)[None]))[0])
        baseline = float(margin(model(torch.zeros(1, 6, dtype=torch.long)))[0])
    assert result.score == pytest.approx(score, abs=1e-6)
    assert result.baseline_score == pytest.approx(baseline, abs=1e-6)
    gap = result.values.sum() - (score - baseline)
    assert abs(gap) < 1e-3 * max(1.0, abs(score - baseline))
    assert result.delta == pytest.approx(gap, abs=1e-5)
    assert abs(score - baseline) > 1e-3  # something to attribute


def test_token_attributions_of_a_linear_bag_of_words_are_exact():
    """For a model linear in its word vectors, each token gets exactly its term."""
    pytest.importorskip("captum")

    class Bag(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(10, 3, padding_idx=0)
            self.head = torch.nn.Linear(3, 2)

        def forward(self, ids):
            return self.head(self.embedding(ids).sum(dim=1))

    torch.manual_seed(0)
    model = Bag()
    ids = np.array([3, 7, 3, 1])
    result = explain.token_attributions(model, ids, score=margin, steps=8)
    w = (model.head.weight[1] - model.head.weight[0]).detach()
    expected = (model.embedding.weight[torch.tensor(ids)] @ w).detach().numpy()
    np.testing.assert_allclose(result.values, expected, atol=1e-5)
    assert result.values[0] == pytest.approx(result.values[2])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ids": np.array([[1, 2]])}, "ids must be"),
        ({"ids": np.array([], dtype=int)}, "ids must be"),
        ({"ids": np.array([1.0, 2.0])}, "ids must be"),
        ({"lengths": 3}, "lengths must be"),
        ({"steps": 1}, "steps must be at least 2"),
        ({"score": "margin"}, "score must be callable"),
    ],
)
def test_token_attributions_rejects_bad_arguments(kwargs, match):
    pytest.importorskip("captum")
    arguments = {"ids": np.array([4, 5]), "score": margin, **kwargs}
    with pytest.raises(ValueError, match=match):
        explain.token_attributions(_classifier(), **arguments)


def test_token_attributions_needs_an_embedding():
    pytest.importorskip("captum")
    torch.manual_seed(0)
    dense = torch_models.classifier(2, n_features=3, cell="lstm", hidden=4)
    with pytest.raises(ValueError, match="embedding layer"):
        explain.token_attributions(dense, np.array([1, 2]), score=margin)

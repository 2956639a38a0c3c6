"""Quantized, pruned and half-precision copies compute what they should."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from seqlib import compress, torch_models

pytest.importorskip("torchao")


def _text_model(cell="lstm", seed=0):
    torch.manual_seed(seed)
    return torch_models.classifier(
        2, vocab_size=60, embedding_dim=8, cell=cell, hidden=6
    ).eval()


def _dense_model(cell="gru", seed=0):
    torch.manual_seed(seed)
    return torch_models.classifier(
        3, n_features=5, cell=cell, hidden=7, pooling="mean"
    ).eval()


def _ids():
    ids = torch.randint(2, 60, (4, 9), generator=torch.Generator().manual_seed(1))
    lengths = torch.tensor([9, 6, 3, 1])
    ids[torch.arange(9)[None] >= lengths[:, None]] = 0
    return ids, lengths


def _quantize(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notes
        return compress.quantize_int8(model)


def test_importing_compress_loads_no_framework_or_optional_package():
    code = (
        "import seqlib.compress, sys\n"
        "print([m for m in ('torch', 'torchao', 'onnx', 'captum') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_quantize_int8_replaces_every_layer_and_stays_close(cell):
    model = _text_model(cell)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    quantized = _quantize(model)
    ids, lengths = _ids()
    with torch.no_grad():
        np.testing.assert_allclose(
            quantized(ids, lengths).numpy(), model(ids, lengths).numpy(), atol=0.02
        )
    assert quantized.rnn._get_name() == f"DynamicQuantized{cell.upper()}"
    assert "int8" in repr(quantized.embedding.weight).lower()
    assert "Int8" in type(quantized.head.weight).__name__
    for key, value in model.state_dict().items():  # the original is untouched
        assert torch.equal(value, before[key])


def test_quantize_int8_warns_that_torch_ao_is_deprecated():
    with pytest.warns(DeprecationWarning, match="torch.ao.quantization"):
        compress.quantize_int8(_dense_model())


def test_quantize_int8_shrinks_the_checkpoint():
    torch.manual_seed(0)
    model = torch_models.classifier(10, n_features=40, cell="lstm", hidden=32).eval()
    full, small = (
        compress.checkpoint_size(model),
        compress.checkpoint_size(_quantize(model)),
    )
    assert small.bytes < 0.45 * full.bytes
    assert full.gzip_bytes <= full.bytes


def test_checkpoint_size_counts_the_weights():
    model = torch.nn.Linear(100, 100)
    size = compress.checkpoint_size(model)
    assert 4 * (100 * 100 + 100) < size.bytes < 4 * (100 * 100 + 100) + 4000
    assert isinstance(size.bytes, int) and isinstance(size.gzip_bytes, int)


@pytest.mark.parametrize("amount", [0.0, 0.3, 0.9])
def test_prune_magnitude_zeros_the_smallest_weights_of_each_matrix(amount):
    model = _dense_model("lstm")
    pruned = compress.prune_magnitude(model, amount)
    for name, weight in model.named_parameters():
        kept = dict(pruned.named_parameters())[name]
        if not name.split(".")[-1].startswith("weight"):
            assert torch.equal(kept, weight), name  # biases are kept
            continue
        k = round(amount * weight.numel())
        assert int((kept == 0).sum()) == k, name
        if 0 < k < weight.numel():  # the zeros are the smallest magnitudes
            assert weight[kept == 0].abs().max() <= weight[kept != 0].abs().min()
        assert torch.equal(kept[kept != 0], weight[kept != 0])
    assert compress.sparsity(pruned) == pytest.approx(amount, abs=0.01)


def test_a_pruned_recurrent_layer_computes_with_its_pruned_weights():
    model = _text_model("gru")
    pruned = compress.prune_magnitude(model, 0.5)
    by_hand = _text_model("gru")
    by_hand.load_state_dict(pruned.state_dict())  # plain parameters, no pruning hooks
    ids, lengths = _ids()
    with torch.no_grad():
        assert torch.equal(pruned(ids, lengths), by_hand(ids, lengths))
        assert not torch.equal(pruned(ids, lengths), model(ids, lengths))
    assert not any(name.endswith("_orig") for name in pruned.state_dict())


@pytest.mark.parametrize("amount", [-0.1, 1.0, 1.5, "half", True, None])
def test_prune_magnitude_rejects_a_bad_amount(amount):
    with pytest.raises(ValueError, match="amount"):
        compress.prune_magnitude(_dense_model(), amount)


def test_prune_magnitude_needs_a_weight_matrix():
    with pytest.raises(ValueError, match="no embedding, linear or recurrent"):
        compress.prune_magnitude(torch.nn.ReLU(), 0.5)
    with pytest.raises(ValueError, match="torch.nn.Module"):
        compress.prune_magnitude("model", 0.5)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_precision_takes_and_returns_float32(dtype):
    torch.manual_seed(0)
    model = torch_models.classifier(3, n_features=5, cell="gru", hidden=40).eval()
    half = compress.half_precision(model, dtype)
    x = torch.randn(2, 5, 5, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = half(x, torch.tensor([5, 3]))
        np.testing.assert_allclose(
            out.numpy(), model(x, torch.tensor([5, 3])).numpy(), atol=0.05
        )
    assert out.dtype == torch.float32
    assert half.inner.head.weight.dtype == getattr(torch, dtype)
    assert model.head.weight.dtype == torch.float32
    size = compress.checkpoint_size(half).bytes
    assert size < 0.75 * compress.checkpoint_size(model).bytes


def test_half_precision_keeps_token_ids_as_integers():
    model = _text_model()
    ids, lengths = _ids()
    with torch.no_grad():
        out = compress.half_precision(model)(ids, lengths)
    assert out.dtype == torch.float32 and out.shape == (4, 2)


def test_half_precision_rejects_other_dtypes():
    with pytest.raises(ValueError, match="dtype"):
        compress.half_precision(_dense_model(), "int8")


def test_latency_ms_times_each_call():
    calls = []
    ms = compress.latency_ms(calls.append, range(4), repeats=2, warmup=3)
    assert ms > 0
    assert calls == [0, 1, 2, 0, 1, 2, 3, 0, 1, 2, 3]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"predict": None, "examples": [1]}, "predict must be callable"),
        ({"predict": print, "examples": []}, "at least one example"),
        ({"predict": print, "examples": [1], "repeats": 0}, "repeats"),
        ({"predict": print, "examples": [1], "warmup": -1}, "warmup"),
    ],
)
def test_latency_ms_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compress.latency_ms(**kwargs)


def test_sparsity_counts_zeros():
    layer = torch.nn.Linear(4, 2)
    with torch.no_grad():
        layer.weight[0] = 0
    assert compress.sparsity(layer) == 0.5

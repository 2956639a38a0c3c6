"""Fixtures shared by the unit tests."""

import pytest


@pytest.fixture
def one_torch_thread():
    """PyTorch on one thread for the test, as the chapters train small models."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

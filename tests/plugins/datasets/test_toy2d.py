"""Tests for ganvas.plugins.datasets.toy2d: the ring and grid mixtures."""

import pytest
import torch

from ganvas.errors import UnknownNameError
from ganvas.plugins.datasets import toy2d


def test_toy2d_geometry():
    ring = toy2d.load("ring", count=4000)
    radius = ring.data.norm(dim=1)
    assert ring.kind == "points" and ring.shape == (2,)
    assert (radius - 1).abs().max() < 0.06  # std 0.01: within 6 std
    centres, std = toy2d.mixture("grid")
    assert centres.shape == (25, 2) and std == 0.05
    grid = toy2d.load("grid", count=5000)
    nearest = torch.cdist(grid.data, centres).argmin(1)
    assert nearest.unique().numel() == 25
    with pytest.raises(UnknownNameError):
        toy2d.load("spiral", count=10)

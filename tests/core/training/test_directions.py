"""SeFa: the strongest directions of a generator's first linear layer; edits parsed and applied."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ganvas.errors import UserInputError
from ganvas.training.directions import apply_edits, format_edits, parse_edits, sefa_directions


def test_directions_are_the_top_eigenvectors_of_the_first_layer():
    torch.manual_seed(0)
    first = nn.Linear(6, 10, bias=False)
    generator = nn.Sequential(first, nn.ReLU(), nn.Linear(10, 3))
    found = sefa_directions(generator, 6, 3)
    assert found.shape == (3, 6)
    assert torch.allclose(found @ found.T, torch.eye(3), atol=1e-5)  # orthonormal
    gains = (first.weight @ found.T).norm(dim=0)  # how far each moves the first layer's output
    assert gains[0] >= gains[1] >= gains[2]
    best = max(torch.nn.functional.normalize(torch.randn(200, 6), dim=1), key=lambda v: (first.weight @ v).norm())
    assert (first.weight @ found[0]).norm() >= (first.weight @ best).norm() - 1e-5
    assert torch.equal(found, sefa_directions(generator, 6, 3))  # deterministic, signs fixed


def test_a_transposed_convolution_from_z_counts_as_linear_and_a_conv_does_not():
    generator = nn.Sequential(nn.ConvTranspose2d(5, 4, 4, 1, 0), nn.ReLU())
    assert sefa_directions(generator, 5, 2).shape == (2, 5)
    with pytest.raises(UserInputError, match="not a linear map of z"):
        sefa_directions(nn.Sequential(nn.Conv2d(5, 4, 3)), 5, 2)


def test_edits_parse_combine_and_move_only_the_noise_part():
    assert parse_edits("2=+1.5, 5=-1,2=0.5") == {2: 2.0, 5: -1.0}
    assert format_edits({5: -1.0, 2: 1.5}) == "2=+1.5,5=-1"
    for bad in ("2", "x=1", "-1=2", "2=nan"):
        with pytest.raises(UserInputError, match="DIRECTION=STRENGTH"):
            parse_edits(bad)
    with pytest.raises(UserInputError, match=r"directions are 0\.\.7"):
        parse_edits("99=1", 8)
    directions = torch.eye(3)
    z = torch.zeros(2, 5)  # 3 noise entries, then 2 class weights
    moved = apply_edits(z, directions, {1: 2.0})
    assert moved[:, 1].tolist() == [2.0, 2.0] and moved[:, 3:].abs().sum() == 0

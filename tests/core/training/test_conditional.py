"""LabelBound: labels bound to a discriminator, and the class losses it collects for method.class_loss."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ganvas.training import LabelBound


class _Classifier(nn.Module):
    """A discriminator whose class logits are a fixed linear map of the input."""

    def __init__(self) -> None:
        super().__init__()
        self.map = nn.Linear(4, 3)

    def forward(self, x, labels=None, class_logits=False):
        logits = self.map(x)
        score = (logits * labels).sum(1) if labels is not None else logits.sum(1)
        return (score, logits) if class_logits else score


def test_collecting_keeps_each_calls_cross_entropy_and_only_inside_the_block():
    torch.manual_seed(0)
    D = LabelBound(_Classifier())
    D.labels = F.one_hot(torch.tensor([0, 2]), 3).float()
    x, y = torch.randn(2, 4), torch.randn(2, 4)
    with D.collecting() as terms:
        score = D(x)
        D(y)
    assert torch.allclose(score, D(x)) and len(terms) == 2
    assert torch.allclose(terms[0], F.cross_entropy(D.net.map(x), torch.tensor([0, 2])))
    D(x)  # outside the block nothing is kept
    assert len(terms) == 2
    with D.collecting() as quiet, torch.no_grad():
        D(x)  # a call without gradients trains nothing, so it adds no term
    assert quiet == []
    with D.collecting(enabled=False) as off:
        D(x)
    assert off == []


def test_bound_labels_must_match_the_batch():
    D = LabelBound(_Classifier())
    D.labels = F.one_hot(torch.tensor([0, 1, 2]), 3).float()
    with pytest.raises(RuntimeError, match="3 bound labels"):
        D(torch.randn(2, 4))

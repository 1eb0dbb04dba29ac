import math

import torch

from ganvas.metrics.diversity import CollapseWatch, mean_pairwise_distance
from ganvas.metrics.modes import mode_stats
from ganvas.plugins.datasets.toy2d import mixture, sample_mixture


def test_true_mixture_scores_all_modes():
    centres, std = mixture("grid")
    samples = sample_mixture("grid", 2500, torch.Generator().manual_seed(0))
    stats = mode_stats(samples, centres, std)
    assert stats.modes == 25
    assert stats.high_quality > 98  # 2-D Gaussian: P(r <= 3 std) = 1 - exp(-4.5) = 98.9 %
    assert stats.reverse_kl < 0.02


def test_collapsed_generator_scores_one_mode():
    centres, std = mixture("ring")
    stats = mode_stats(centres[3].repeat(2500, 1) + 0.001 * torch.randn(2500, 2), centres, std)
    assert stats.modes == 1 and stats.high_quality == 100.0
    assert math.isclose(stats.reverse_kl, math.log(8), rel_tol=1e-9)


def test_far_samples_are_not_high_quality():
    centres, std = mixture("ring")
    stats = mode_stats(torch.zeros(100, 2), centres, std)  # the ring's centre: far from every mode
    assert stats.modes == 0 and stats.high_quality == 0.0 and stats.reverse_kl == math.inf


def test_collapse_watch_warns_once_when_diversity_falls(host, tmp_path):
    from ganvas.plugins.datasets.toy2d import load

    data = load("ring", count=512)
    watch = CollapseWatch(data, z_dim=2, device=torch.device("cpu"), seed=0)

    class Spread(torch.nn.Module):
        def __init__(self, scale):
            super().__init__()
            self.scale = scale

        def forward(self, z):
            return z * self.scale

    line = {"step": 10}
    assert watch.observe(Spread(0.6), line) is None and line["Collapse/diversity"] > 0.5
    warning = watch.observe(Spread(0.01), {"step": 20})
    assert warning and "collapsing" in warning and "step 20" in warning
    assert watch.observe(Spread(0.001), {"step": 30}) is None  # once
    assert mean_pairwise_distance(torch.zeros(5, 2)) == 0.0

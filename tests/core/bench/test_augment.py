"""core/bench/augment.py: the plain-PyTorch DiffAugment reference and the DCGAN-step share."""

import torch


def test_plain_diffaugment_keeps_the_shape():
    from ganvas.bench.augment import plain_diffaugment

    x = torch.rand(3, 3, 8, 8).mul(2).sub(1)
    assert plain_diffaugment(x).shape == x.shape


def test_bench_step_share_is_a_fraction(host):
    from ganvas.bench.augment import format_report, run_augment_benchmark

    report = run_augment_benchmark(
        host, batch=2, size=16, repeats=1, rounds=1, step_rounds=1, step_repeats=1, width=4, device="cpu"
    )
    step = report["dcgan_step"]
    assert 0 <= step["augment_share"] <= 1 and 0 < step["augment_forward_share"] <= 1
    assert "spent augmenting" in format_report(report)
